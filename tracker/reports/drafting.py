"""From the (possibly edited) section texts to the ReportDocument the writers lay out.

A section's text is paragraphs, one per line; ``[^n]`` marks a footnote whose text is given on a
line ``[^n]: ...`` of the same section. Numbered lines ending with ":" in the results section
are sub-headings, a line starting with "*" in the shortcomings section is a note.
"""

from __future__ import annotations

import datetime as dt
import re

from tracker.core.periods import PeriodKey
from tracker.reports.compose import DirectiveData, OrgDefaults
from tracker.reports.document import AppendixRow, Paragraph, ReportDocument

_FOOTNOTE_DEF = re.compile(r"^\s*\[\^([^\]\s]+)\]:\s*(.*)$")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")
_SUBHEADING = re.compile(r"^\d+(?:\.\d+)*\.?\s+\S.*:$")


def normalize_text(text: str | None) -> str:
    """Section text as compared and stored: "\\n" newlines, no trailing blanks."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def parse_section(text: str, key: str = "") -> list[Paragraph]:
    """One section's edited text as paragraphs (see the module docstring for the scheme)."""
    lines = normalize_text(text).split("\n")
    definitions: dict[str, str] = {}
    body: list[str] = []
    for line in lines:
        match = _FOOTNOTE_DEF.match(line)
        if match:
            definitions[match.group(1)] = match.group(2).strip()
        elif line.strip():
            body.append(line.strip())
    out: list[Paragraph] = []
    for line in body:
        plain, anchors, footnotes, last = "", [], [], 0
        for match in _FOOTNOTE_REF.finditer(line):
            label = match.group(1)
            if label not in definitions:
                continue
            plain += line[last : match.start()]
            anchors.append(len(plain))
            footnotes.append(definitions[label])
            last = match.end()
        plain += line[last:]
        style = "body"
        if key == "results" and _SUBHEADING.match(plain):
            style = "subheading"
        elif key == "shortcomings" and plain.startswith("*"):
            style = "note"
        out.append(Paragraph(plain, footnotes=footnotes, style=style, anchors=anchors))
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


def appendix_rows(directives: list[DirectiveData]) -> list[AppendixRow]:
    """Every directive of the period (sub-directives under their parent), withdrawn included."""
    rows: list[AppendixRow] = []
    for d in directives:
        for item in [d, *d.children]:
            rows.append(
                AppendixRow(
                    number=item.number,
                    content=item.title,
                    lead_units=", ".join(item.lead_units),
                    support_units=", ".join(item.support_units),
                    deadline=item.deadline,
                    extended_deadline=item.extended_deadline,
                    bucket=item.status.label,
                    percent=item.percent,
                    last_update=item.last_update,
                )
            )
    return rows
