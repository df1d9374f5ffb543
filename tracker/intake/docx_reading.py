"""Reading .docx reports: paragraphs and tables in document order, with Word's numbers.

Word's automatic numbering is not in a paragraph's text: ``_Numbering`` renders the label
("1.", "a)", "1.1.", "-") from the numbering part for paragraphs with ``w:numPr`` (their own or
their style's), counting per abstract list as Word does. A fully bold paragraph is written in
Markdown bold ("**...**") so headings that group tasks stay recognisable. A table whose first
row names a "Nội dung" column and a unit or time column is a task table and is written as
Markdown pipe rows (line breaks in a cell as "<br>"); other tables (the header and signature
blocks) are read cell by cell.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any

import docx
from docx.oxml.text.run import CT_R
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from tracker.core import archives
from tracker.intake.parser import ReportParseError
from tracker.intake.text import fold, roman

__all__ = ["MAX_DOCX_UNCOMPRESSED", "read_docx"]

MAX_DOCX_UNCOMPRESSED = 50 * 1024 * 1024  # zip-bomb guard for uploaded .docx files
# Inflated bytes actually read (tracker.core.archives), not what the zip headers declare.
DOCX_LIMITS = archives.Limits(member=20 * 1024 * 1024, total=MAX_DOCX_UNCOMPRESSED)

_BROKEN_DOCX = (
    "Tệp .docx bị hỏng hoặc không phải tệp Word. Hãy mở tệp bằng Word, lưu lại dưới dạng "
    ".docx rồi tải lên lại."
)


def read_docx(data: bytes) -> str:
    # Every member is inflated under limits by tracker.core.archives, never trusting the zip
    # headers; python-docx only ever sees the package rebuilt from those checked bytes.
    try:
        archive = archives.SafeZip(data, DOCX_LIMITS, "Tệp .docx")
        if not {"[Content_Types].xml", "word/document.xml"} <= set(archive.names()):
            raise ReportParseError(_BROKEN_DOCX)
        package = archives.rebuild(data, limits=DOCX_LIMITS, label="Tệp .docx")
    except archives.ArchiveError as exc:
        raise ReportParseError(
            _BROKEN_DOCX if exc.kind == archives.BROKEN else exc.message
        ) from None
    try:
        document = docx.Document(io.BytesIO(package))
        blocks = list(_docx_blocks(document.iter_inner_content(), _Numbering(document)))
    except ReportParseError:
        raise
    except Exception:  # python-docx/lxml raise many types for damaged packages
        raise ReportParseError(_BROKEN_DOCX) from None
    return "\n\n".join(block for block in blocks if block.strip())


def _docx_blocks(content: Iterable[Paragraph | Table], numbering: _Numbering) -> Iterator[str]:
    """Paragraphs and table cells in document order (header and signature blocks are tables)."""
    for block in content:
        if isinstance(block, Paragraph):
            yield _paragraph_line(block, numbering)
        elif _is_task_table(block):
            yield "\n".join(_task_table_rows(block, numbering))
        else:
            # A merged cell repeats across the grid. Holding the elements (not their id()) keeps
            # lxml's proxies alive, so identity stays meaningful.
            seen: list[Any] = []
            for row in block.rows:
                for cell in row.cells:
                    if any(cell._tc is element for element in seen):
                        continue
                    seen.append(cell._tc)
                    yield from _docx_blocks(cell.iter_inner_content(), numbering)


def _paragraph_line(paragraph: Paragraph, numbering: _Numbering) -> str:
    text = _paragraph_text(paragraph)
    label = numbering.label(paragraph)
    if text.strip() and _is_bold(paragraph) and "**" not in text:
        return f"{label}**{text.strip()}**"
    return label + text


def _is_bold(paragraph: Paragraph) -> bool:
    runs = [run for run in paragraph.runs if run.text.strip()]
    if not runs:
        return False
    style_bold = False
    style = paragraph.style
    while style is not None:
        if style.font.bold is not None:
            style_bold = bool(style.font.bold)
            break
        style = style.base_style
    return all(run.bold if run.bold is not None else style_bold for run in runs)


_TEXT_COLUMN = ("noi dung", "nhiem vu", "cong viec")
_OTHER_COLUMN = ("chu tri", "phoi hop", "thoi gian", "thoi han", "don vi", "tien do")


def _is_task_table(table: Table) -> bool:
    try:
        first = table.rows[0].cells
    except IndexError:
        return False
    heads = [fold(cell.text) for cell in first]
    return len(table.columns) >= 3 and any(
        any(word in head for word in _TEXT_COLUMN) for head in heads
    ) and any(any(word in head for word in _OTHER_COLUMN) for head in heads)


def _task_table_rows(table: Table, numbering: _Numbering) -> Iterator[str]:
    for row in table.rows:
        cells: list[str] = []
        seen: list[Any] = []
        for cell in row.cells:
            if any(cell._tc is element for element in seen):
                continue  # a horizontally merged cell is one cell
            seen.append(cell._tc)
            lines = [
                _paragraph_line(p, numbering).replace("**", "").strip()
                for p in cell.paragraphs
            ]
            cells.append("<br>".join(
                line.replace("|", "/").replace("\n", "<br>") for line in lines if line
            ))
        yield "| " + " | ".join(cells) + " |"


_W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
# Runs of the paragraph itself, including tracked insertions, content controls and fields
# (python-docx's Paragraph.text skips those), but not deleted text or text boxes.
_PARAGRAPH_RUNS = (
    ".//w:r[not(ancestor::w:del) and not(ancestor::w:moveFrom)"
    " and not(ancestor::w:txbxContent)]"
)


def _xp(element: Any, expression: str) -> list[Any]:
    """XPath with the w: prefix bound, for python-docx and plain lxml elements alike."""
    return etree._Element.xpath(element, expression, namespaces=_W)


def _paragraph_text(paragraph: Paragraph) -> str:
    return "".join(
        run.text for run in _xp(paragraph._p, _PARAGRAPH_RUNS) if isinstance(run, CT_R)
    )


class _Numbering:
    """Best-effort rendering of Word's automatic list numbers ("1.", "a)", bullets).

    python-docx returns a paragraph's typed text only; a report whose tasks are a Word numbered
    list would otherwise lose the "1. ", "2. " the parser relies on.
    """

    def __init__(self, document: Any) -> None:
        self._levels: dict[str, dict[int, tuple[int, str, str]]] = {}
        self._abstract_of: dict[str, str] = {}
        self._restarts: dict[str, set[int]] = {}  # levels a num restarts (w:startOverride)
        self._counters: dict[str, list[int]] = {}
        try:
            self._load(document.part.numbering_part.element)
        except Exception:  # no numbering part, or one we cannot read: no automatic numbers
            self._levels = {}

    def _load(self, root: Any) -> None:
        abstract: dict[str, dict[int, tuple[int, str, str]]] = {}
        for node in _xp(root, "./w:abstractNum"):
            levels = {}
            for lvl in _xp(node, "./w:lvl"):
                start = _xp(lvl, "./w:start/@w:val")
                fmt = _xp(lvl, "./w:numFmt/@w:val")
                text = _xp(lvl, "./w:lvlText/@w:val")
                levels[int(_xp(lvl, "./@w:ilvl")[0])] = (
                    int(start[0]) if start else 1,
                    fmt[0] if fmt else "decimal",
                    text[0] if text else "",
                )
            abstract[_xp(node, "./@w:abstractNumId")[0]] = levels
        for num in _xp(root, "./w:num"):
            ref = _xp(num, "./w:abstractNumId/@w:val")
            levels = dict(abstract.get(ref[0], {})) if ref else {}
            num_id = _xp(num, "./@w:numId")[0]
            restarts = set()
            for override in _xp(num, "./w:lvlOverride"):
                ilvl = int(_xp(override, "./@w:ilvl")[0])
                start = _xp(override, "./w:startOverride/@w:val")
                if start and ilvl in levels:
                    _, fmt, text = levels[ilvl]
                    levels[ilvl] = (int(start[0]), fmt, text)
                    restarts.add(ilvl)
            self._levels[num_id] = levels
            # Word counts per abstract list: two nums on one list continue each other's
            # numbers unless one restarts them.
            self._abstract_of[num_id] = ref[0] if ref else num_id
            self._restarts[num_id] = restarts

    def label(self, paragraph: Paragraph) -> str:
        if not self._levels:
            return ""
        try:
            found = self._num_pr(paragraph)
            if found is None:
                return ""
            num_id, ilvl = found
            levels = self._levels.get(num_id)
            if not levels or ilvl not in levels:
                return ""
            counters = self._counters.setdefault(self._abstract_of.get(num_id, num_id), [0] * 9)
            if ilvl in self._restarts.get(num_id, set()):
                self._restarts[num_id].discard(ilvl)
                counters[ilvl] = 0
            start, fmt, _ = levels[ilvl]
            counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else start
            for deeper in range(ilvl + 1, 9):
                counters[deeper] = 0
            if fmt == "bullet":
                char = levels[ilvl][2].strip()
                return f"{char} " if char in ("-", "–", "+", "•", "*") else "• "
            if fmt == "none":
                return ""
            text = levels[ilvl][2]
            for level in range(ilvl + 1):
                lvl_start, lvl_fmt, _ = levels.get(level, (1, "decimal", ""))
                value = counters[level] or lvl_start
                text = text.replace(f"%{level + 1}", _format_number(value, lvl_fmt))
            return text + " " if text else ""
        except Exception:  # a numbering quirk must not make the whole file unreadable
            return ""

    @staticmethod
    def _num_pr(paragraph: Paragraph) -> tuple[str, int] | None:
        own = _xp(paragraph._p, "./w:pPr/w:numPr")
        if own:
            num_id = _xp(own[0], "./w:numId/@w:val")
            ilvl = _xp(own[0], "./w:ilvl/@w:val")
            if num_id and num_id[0] != "0":
                return num_id[0], int(ilvl[0]) if ilvl else 0
            return None
        style = paragraph.style
        while style is not None:
            pr = _xp(style.element, "./w:pPr/w:numPr")
            if pr:
                num_id = _xp(pr[0], "./w:numId/@w:val")
                ilvl = _xp(pr[0], "./w:ilvl/@w:val")
                if num_id and num_id[0] != "0":
                    return num_id[0], int(ilvl[0]) if ilvl else 0
                return None
            style = style.base_style
        return None


def _format_number(value: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return chr(ord("a") + (value - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (value - 1) % 26)
    if fmt == "lowerRoman":
        return roman(value).lower()
    if fmt == "upperRoman":
        return roman(value)
    return str(value)

