"""From the (possibly edited) section texts to the ReportDocument the writers lay out.

Each section's text follows the stored scheme of ``sections.py`` (a paragraph per line,
``[^n]`` footnotes). Numbered lines ending with ":" in section I are sub-headings; a line
starting with "*" in the shortcomings is the bold-lead note.
"""

from __future__ import annotations

import datetime as dt
import re

from tracker.core.periods import PeriodKey
from tracker.directives.status import Bucket
from tracker.reports.compose import DirectiveData, OrgDefaults
from tracker.reports.document import AppendixRow, Paragraph, ReportDocument
from tracker.reports.sections import normalize_text, parse_blocks

__all__ = ["appendix_rows", "build_document", "normalize_text", "parse_section"]

_SUBHEADING = re.compile(r"^\d+(?:\.\d+)*\.?\s+\S.*:$")
SUBHEADING_SECTIONS = ("direction", "results")


def parse_section(text: str, key: str = "") -> list[Paragraph]:
    """One section's edited text as paragraphs (see the module docstring for the styles)."""
    out: list[Paragraph] = []
    for block in parse_blocks(text):
        style = "body"
        if key in SUBHEADING_SECTIONS and _SUBHEADING.match(block.text):
            style = "subheading"
        elif key == "shortcomings" and block.text.startswith("*"):
            style = "note"
        out.append(Paragraph(block.text, footnotes=list(block.notes), style=style,
                             anchors=list(block.anchors)))
    return out


def _lines(text: str) -> list[str]:
    return [line.strip() for line in normalize_text(text).split("\n") if line.strip()]


def build_document(
    sections: dict[str, str],
    period: PeriodKey,
    as_of: dt.date,
    org: OrgDefaults,
    appendix: list[AppendixRow],
) -> ReportDocument:
    """The ReportDocument the writers lay out, from the (possibly edited) sections."""
    body: list[Paragraph] = []
    body += parse_section(sections.get("intro", ""), "intro")
    body.append(Paragraph("I. KẾT QUẢ THỰC HIỆN:", style="heading"))
    body += parse_section(sections.get("direction", ""), "direction")
    body += parse_section(sections.get("summary", ""), "summary")
    body += parse_section(sections.get("results", ""), "results")
    body += parse_section(sections.get("shortcomings", ""), "shortcomings")
    body.append(
        Paragraph(
            f"II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG {period.next().label}", style="heading"
        )
    )
    body += parse_section(sections.get("next_tasks", ""), "next_tasks")
    body += parse_section(sections.get("closing", ""), "closing")
    signature = _lines(sections.get("signature", ""))
    capacity, title, name = (signature + ["", "", ""])[:3]
    if len(signature) > 3:
        name = " ".join(signature[2:])
    return ReportDocument(
        issuer_parent=org.issuer_parent,
        issuer=org.issuer,
        issuer_short=org.org_short,
        number=org.number,
        place=org.place,
        issued_on=as_of,
        summary=" ".join(_lines(sections.get("title", ""))) or f"Báo cáo tháng {period.label}",
        body=body,
        recipients=_lines(sections.get("recipients", "")),
        signer_capacity=capacity or org.signer_capacity,
        signer_title=title or org.signer_title,
        signer_name=name or org.signer_name,
        appendix_title=f"Tình hình thực hiện các nhiệm vụ trọng tâm tháng {period.label}",
        appendix=appendix,
    )


def _days_late(item: DirectiveData) -> int | None:
    if item.status.bucket in (Bucket.DONE_LATE, Bucket.OVERDUE):
        return item.status.days_overdue
    return None


def _whole_text(item: DirectiveData) -> str:
    """The whole task for the spreadsheet: its text, led by its title when the text does not
    already open with it (a title edited since the import)."""
    text = " ".join((item.text or "").split())
    title = " ".join(item.title.split()).removesuffix("…")
    if not text:
        return title
    return text if text.startswith(title) else f"{title}\n{text}"


def appendix_rows(directives: list[DirectiveData]) -> list[AppendixRow]:
    """Every directive of the period (sub-directives under their parent), withdrawn included."""
    rows: list[AppendixRow] = []
    for d in directives:
        for item in [d, *d.children]:
            rows.append(
                AppendixRow(
                    number=item.number,
                    content=item.full_title,
                    lead_units=", ".join(item.lead_units),
                    support_units=", ".join(item.support_units),
                    deadline=item.deadline,
                    extended_deadline=item.extended_deadline,
                    bucket=item.status.label,
                    percent=item.percent,
                    last_update=item.last_update,
                    completed_on=item.status.completed_on if item.status.is_done else None,
                    days_late=_days_late(item),
                    text=_whole_text(item),
                )
            )
    return rows
