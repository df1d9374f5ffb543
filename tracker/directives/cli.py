"""`flask import-report FILE`: turn a report's priority tasks into directives.

All or nothing in one transaction; the same report imported twice creates nothing. Bad files end
with the parser's Vietnamese message on stderr and exit code 1, nothing written.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.calendar.services import load_calendar
from tracker.core.formatting import fmt_date
from tracker.directives import services
from tracker.directives.fields import FIELD_LABELS
from tracker.directives.manage_forms import parse_date, parse_period
from tracker.directives.services import DirectiveError
from tracker.extensions import db
from tracker.intake.parser import ParsedReport, ReportParseError, parse_report
from tracker.intake.reading import read_report_file
from tracker.intake.unit_names import UnitRef

MAX_FILE_BYTES = 5 * 1024 * 1024


def _option(parser, value: str | None, name: str):
    if value is None:
        return None
    try:
        return parser(value)
    except DirectiveError as exc:
        raise click.BadParameter(str(exc), param_hint=name) from None


def _fail(message: str) -> None:
    click.echo(message, err=True)
    raise SystemExit(1)


@click.command("import-report")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--period", help="Kỳ YYYY-MM khi tiêu đề mục II không ghi tháng/năm.")
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
    chosen_period = _option(lambda v: parse_period(v, required=True), period, "--period")
    default_deadline = _option(lambda v: parse_date(v, "--deadline"), deadline, "--deadline")
    assigned_on = _option(lambda v: parse_date(v, "--today"), today, "--today")
    try:
        data = file.read_bytes()
        text = read_report_file(file.name, data, max_bytes=MAX_FILE_BYTES)
        parsed = parse_report(
            text, chosen_period, rules=services.routing_rules(), catalogue=_catalogue(),
            calendar=load_calendar(), assigned_on=assigned_on,
        )
    except ReportParseError as exc:
        _fail(exc.message)
    except OSError as exc:
        _fail(f"Không đọc được tệp {file}: {exc.strerror or exc}.")
    out = (lambda message: click.echo(message, err=True)) if as_json else click.echo
    if as_json:
        click.echo(json.dumps(parsed.to_json(), ensure_ascii=False, indent=2))
    for warning in parsed.warnings:
        click.echo(f"Lưu ý: {warning}", err=True)

    existing = services.imported_source(text)
    if dry_run:
        if not as_json:
            _describe(parsed, default_deadline)
        if existing is not None:
            out("Báo cáo này đã được nhập trước đây; nhập lại sẽ không tạo thêm nhiệm vụ nào.")
        out("Chạy thử: không ghi gì vào cơ sở dữ liệu.")
        return
    try:
        result = services.import_report(
            parsed, text, default_deadline=default_deadline, assigned_on=assigned_on
        )
        db.session.commit()
    except DirectiveError as exc:
        db.session.rollback()
        _fail(str(exc))
    except Exception:
        db.session.rollback()
        raise
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


def _catalogue() -> list[UnitRef] | None:
    """The database's active units for the parser (None: the demo catalogue)."""
    units = services.active_units()
    return [UnitRef(u.code, u.name, u.kind) for u in units] or None


def _describe(parsed: ParsedReport, default_deadline) -> None:
    """What an import would create, item by item."""
    last = default_deadline
    if last is None:
        from tracker.directives.models import Period

        last = Period(year=parsed.year, month=parsed.month).last_day
    total = sum(1 + len(item.children) for item in parsed.items)
    click.echo(
        f"Kỳ {parsed.month:02d}/{parsed.year}: sẽ tạo {total} nhiệm vụ "
        f"({len(parsed.items)} nhiệm vụ, {total - len(parsed.items)} nhiệm vụ con), "
        f"thời hạn {fmt_date(last)}."
    )
    units = services.units_by_code()

    def names(codes: list[str]) -> str:
        return ", ".join(units[c].name if c in units else c for c in codes) or "—"

    for item, parent in services.walk(parsed.items):
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
