"""A ReportDocument as blocks for the print-friendly HTML page (Jinja escapes the text)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.reports.document import ReportDocument, clean_text, paragraph_runs


@dataclass
class Block:
    style: str
    # ("text", str, bold) or ("note", footnote number as str, "")
    parts: list[tuple[str, str, bool]] = field(default_factory=list)


@dataclass
class PrintView:
    blocks: list[Block]
    footnotes: list[str]


def print_view(doc: ReportDocument) -> PrintView:
    """Paragraphs split into text runs and footnote marks numbered through the document."""
    blocks: list[Block] = []
    notes: list[str] = []
    for paragraph in doc.body:
        block = Block(style=paragraph.style)
        for item in paragraph_runs(paragraph):
            if isinstance(item, int):
                notes.append(clean_text(paragraph.footnotes[item]))
                block.parts.append(("note", str(len(notes)), False))
            else:
                text, bold = item
                block.parts.append(("text", text, bold))
        blocks.append(block)
    return PrintView(blocks=blocks, footnotes=notes)
