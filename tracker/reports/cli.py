"""`flask report build`: the draft report of a period from the command line.

It composes the draft from the data as of the given day, exactly like "Lập báo cáo" on the
reports page, and writes it to a file; it stores nothing (edits and finalising are on the page).
A period without tasks, a day before the period or still to come: a Vietnamese message and
exit status 1, nothing written.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Blueprint

from tracker.core import clock
from tracker.core.errors import UserError
from tracker.reports import pdf_export, services
from tracker.reports.document import to_markdown
from tracker.reports.docx_export import build_docx
from tracker.reports.xlsx_export import build_xlsx

bp = Blueprint("report_cli", __name__, cli_group="report")


def _fail(message: str) -> None:
    click.echo(message, err=True)
    raise SystemExit(1)


@bp.cli.command("build")
@click.option("--period", "period_raw", required=True, help="Kỳ báo cáo, dạng YYYY-MM.")
@click.option("--as-of", "as_of_raw", default=None,
              help="Số liệu tính đến ngày (YYYY-MM-DD hoặc dd/mm/yyyy); mặc định hôm nay.")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "xlsx", "md"]),
              default="docx", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              required=True, help="Tệp ghi ra.")
def build(period_raw: str, as_of_raw: str | None, fmt: str, output: Path) -> None:
    """Write the period's draft report as .docx, .pdf, .xlsx (Phụ lục) or Markdown."""
    try:
        ref = services.parse_period(period_raw)
        as_of = services.parse_as_of(as_of_raw) if as_of_raw else clock.today()
        doc = services.fresh_document(ref, as_of)
        if fmt == "docx":
            data = build_docx(doc)
        elif fmt == "pdf":
            data = pdf_export.docx_to_pdf(build_docx(doc))
        elif fmt == "xlsx":
            data = build_xlsx(doc.appendix, services.xlsx_title(doc))
        else:
            data = to_markdown(doc).encode("utf-8")
    except UserError as exc:
        _fail(exc.message)
        return
    output.write_bytes(data)
    click.echo(
        f"Đã ghi báo cáo tháng {ref.label} (số liệu đến ngày {as_of:%d/%m/%Y}, "
        f"{len(doc.appendix)} nhiệm vụ) vào {output}."
    )
