"""`flask import-report FILE`: turn a report's priority tasks into directives.

All or nothing in one transaction; the same report imported twice creates nothing. Bad files end
with the parser's Vietnamese message on stderr and exit code 1, nothing written.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.core import uow
from tracker.core.errors import UserError
from tracker.core.formatting import fmt_date
from tracker.core.forms import parse_date
from tracker.core.periods import PeriodKey
from tracker.directives.fields import FIELD_LABELS
from tracker.intake import drafts
from tracker.intake.parser import ParsedReport
from tracker.intake.reading import read_report_file
from tracker.units.queries import units_by_code

MAX_FILE_BYTES = 5 * 1024 * 1024


def _option(parser, value: str | None, name: str):
    if value is None:
        return None
    try:
        return parser(value)
    except UserError as exc:
        raise click.BadParameter(exc.message, param_hint=name) from None


def _fail(message: str) -> None:
    click.echo(message, err=True)
    raise SystemExit(1)


@click.command("import-report")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--period", help="Kỳ khi tiêu đề mục nhiệm vụ không ghi rõ: 2023-03, 03/2023, "
              "2023-Q4, 2023-H1 hoặc 2023.")
@click.option("--dry-run", is_flag=True, help="Chỉ xem trước, không ghi gì.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả phân tích dạng JSON.")
@click.option("--deadline", help="Thời hạn chung dd/mm/yyyy (mặc định: ngày cuối kỳ).")
@click.option("--today", help="Ngày giao việc YYYY-MM-DD hoặc dd/mm/yyyy (mặc định: hôm nay).")
@with_appcontext
def import_report_command(
    file: Path, period: str | None, dry_run: bool, as_json: bool, deadline: str | None,
    today: str | None,
) -> None:
    """Import the priority tasks of a report (.txt, .md, .docx, .pdf)."""
    chosen = _option(PeriodKey.parse, period, "--period")
    default_deadline = _option(lambda v: parse_date(v, "--deadline"), deadline, "--deadline")
    assigned_on = _option(lambda v: parse_date(v, "--today"), today, "--today")
    try:
        data = file.read_bytes()
        text = read_report_file(file.name, data, max_bytes=MAX_FILE_BYTES)
        parsed = drafts.parse_for_import(text, chosen, assigned_on)
    except UserError as exc:
        _fail(exc.message)
    except OSError as exc:
        _fail(f"Không đọc được tệp {file}: {exc.strerror or exc}.")
    out = (lambda message: click.echo(message, err=True)) if as_json else click.echo
    if as_json:
        click.echo(json.dumps(parsed.to_json(), ensure_ascii=False, indent=2))
    for warning in parsed.warnings:
        click.echo(f"Lưu ý: {warning}", err=True)

    existing = drafts.imported_source(text)
    if dry_run:
        if not as_json:
            _describe(parsed, default_deadline)
        if existing is not None:
            out("Báo cáo này đã được nhập trước đây; nhập lại sẽ không tạo thêm nhiệm vụ nào.")
        out("Chạy thử: không ghi gì vào cơ sở dữ liệu.")
        return
    try:
        with uow.transaction():
            result = drafts.import_report(
                parsed, text, default_deadline=default_deadline, assigned_on=assigned_on
            )
    except UserError as exc:
        _fail(exc.message)
    if result.already_imported:
        number = f" (số {result.source.number})" if result.source.number else ""
        out(
            f"Báo cáo này đã được nhập trước đây{number}; không tạo thêm nhiệm vụ nào."
        )
        return
    if result.missing_units:
        out(
            "Lưu ý: chưa có đơn vị mã " + ", ".join(sorted(result.missing_units))
            + " nên các phân công đề xuất cho các đơn vị này đã bị bỏ qua."
        )
    subs = sum(1 for d in result.created if d.parent_id is not None)
    out(
        f"Đã nhập {len(result.created)} nhiệm vụ kỳ {result.source.period.label} "
        f"({len(result.created) - subs} nhiệm vụ, {subs} nhiệm vụ con) từ tệp {file.name}."
    )


def _describe(parsed: ParsedReport, default_deadline: dt.date | None) -> None:
    """What an import would create, item by item."""
    last = default_deadline or parsed.period_key.last_day
    total = sum(1 + len(item.children) for item in parsed.items)
    click.echo(
        f"Kỳ {parsed.period_key.label}: sẽ tạo {total} nhiệm vụ "
        f"({len(parsed.items)} nhiệm vụ, {total - len(parsed.items)} nhiệm vụ con), "
        f"thời hạn {fmt_date(last)} nếu văn bản không ghi."
    )
    units = units_by_code()

    def names(codes: list[str]) -> str:
        return ", ".join(units[c].name if c in units else c for c in codes) or "—"

    for item, parent in drafts.walk(parsed.items):
        indent = "    " if parent else ""
        click.echo(f"{indent}{item.number}. {item.title}")
        field = FIELD_LABELS.get(item.field or "", item.field or "")
        click.echo(f"{indent}   Lĩnh vực: {field}")
        click.echo(f"{indent}   Chủ trì: {names(item.lead_units)}")
        if item.support_units:
            click.echo(f"{indent}   Phối hợp: {names(item.support_units)}")
        if item.unmatched_units:
            click.echo(f"{indent}   Không có trong danh mục đơn vị: "
                       + ", ".join(item.unmatched_units))
        if item.deadline_text:
            shown = fmt_date(item.deadline) if item.deadline else "—"
            click.echo(f"{indent}   Thời hạn đọc được: {shown} («{item.deadline_text}»)")
