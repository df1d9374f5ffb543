"""`flask report build`: the draft report of a period from the command line.

It composes the draft from the data as of the given day, exactly like "Lập báo cáo" on the
reports page, and writes it to a file; it stores nothing (edits and finalising are on the page).
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Blueprint

from tracker.core import clock
from tracker.core.errors import UserError
from tracker.reports import services
from tracker.reports.document import to_markdown
from tracker.reports.docx_export import build_docx
from tracker.reports.xlsx_export import build_xlsx

bp = Blueprint("report_cli", __name__, cli_group="report")


@bp.cli.command("build")
@click.option("--period", "period_raw", required=True, help="Kỳ báo cáo, dạng YYYY-MM.")
@click.option("--as-of", "as_of_raw", default=None,
              help="Số liệu tính đến ngày (YYYY-MM-DD hoặc dd/mm/yyyy); mặc định hôm nay.")
@click.option("--format", "fmt", type=click.Choice(["docx", "xlsx", "md"]), default="docx",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              required=True, help="Tệp ghi ra.")
def build(period_raw: str, as_of_raw: str | None, fmt: str, output: Path) -> None:
    """Write the period's draft report as .docx, .xlsx (Phụ lục) or Markdown."""
    try:
        ref = services.parse_period(period_raw)
        as_of = services.parse_as_of(as_of_raw) if as_of_raw else clock.today()
    except UserError as exc:
        raise click.BadParameter(exc.message) from exc
    doc = services.fresh_document(ref, as_of)
    if fmt == "docx":
        output.write_bytes(build_docx(doc))
    elif fmt == "xlsx":
        output.write_bytes(build_xlsx(doc.appendix, doc.appendix_title))
    else:
        output.write_text(to_markdown(doc), encoding="utf-8")
    click.echo(
        f"Đã ghi báo cáo tháng {ref.label} (số liệu đến ngày {as_of:%d/%m/%Y}, "
        f"{len(doc.appendix)} nhiệm vụ) vào {output}."
    )
