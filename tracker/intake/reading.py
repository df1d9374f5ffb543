"""Reading uploaded reports: .txt/.md and .docx become plain text with "\n" newlines.

Everything a user can get wrong ends in a ReportParseError with a Vietnamese message, so the
upload page and the CLI can show it without knowing file formats.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

import docx
from docx.oxml.text.run import CT_R
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from tracker.intake.parser import ReportParseError

__all__ = ["MAX_DOCX_UNCOMPRESSED", "read_report_file"]

TEXT_EXTENSIONS = (".txt", ".md")
DOCX_EXTENSION = ".docx"
MAX_DOCX_UNCOMPRESSED = 100 * 1024 * 1024  # zip-bomb guard for uploaded .docx files

def read_report_file(filename: str, data: bytes, max_bytes: int = 5 * 1024 * 1024) -> str:
    """Return the text of an uploaded report (.txt, .md or .docx) as NFC with "\\n" newlines.

    Everything a user can get wrong ends in a ReportParseError with a Vietnamese message, so the
    upload page and the CLI can show it without knowing file formats.
    """
    extension = _extension(filename)
    if extension == ".doc":
        raise ReportParseError(
            "Tệp .doc (Word 97-2003) không được hỗ trợ. Hãy mở tệp bằng Word và lưu lại "
            "dưới dạng .docx rồi tải lên lại."
        )
    if extension not in (*TEXT_EXTENSIONS, DOCX_EXTENSION):
        shown = f" ({extension})" if extension else ""
        raise ReportParseError(
            f"Định dạng tệp không được hỗ trợ{shown}. Hãy tải lên tệp .docx, .txt hoặc .md."
        )
    if not data:
        raise ReportParseError("Tệp rỗng.")
    if len(data) > max_bytes:
        raise ReportParseError(
            f"Tệp vượt quá dung lượng cho phép ({_format_size(max_bytes)})."
        )
    text = _read_docx(data) if extension == DOCX_EXTENSION else _read_text(data)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise ReportParseError("Tệp rỗng.")
    return text


def _extension(filename: str) -> str:
    name = re.split(r"[\\/]", filename or "")[-1]
    if "." not in name.strip("."):
        return ""
    return "." + name.rsplit(".", 1)[1].strip().lower()


def _format_size(n_bytes: int) -> str:
    mib = 1024 * 1024
    if n_bytes >= mib:
        return f"{n_bytes / mib:.1f}".removesuffix(".0").replace(".", ",") + " MB"
    if n_bytes >= 1024:
        return f"{n_bytes / 1024:.1f}".removesuffix(".0").replace(".", ",") + " KB"
    return f"{n_bytes} byte"


_NOT_UTF8 = (
    "Tệp không phải UTF-8. Hãy lưu lại tệp văn bản với bảng mã UTF-8 (Unicode) rồi tải lên lại."
)


def _read_text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReportParseError(_NOT_UTF8) from None
    if "\x00" in text:  # UTF-16 without BOM, or a binary file renamed to .txt
        raise ReportParseError(_NOT_UTF8)
    return text


_BROKEN_DOCX = (
    "Tệp .docx bị hỏng hoặc không phải tệp Word. Hãy mở tệp bằng Word, lưu lại dưới dạng "
    ".docx rồi tải lên lại."
)


def _read_docx(data: bytes) -> str:
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise ReportParseError(_BROKEN_DOCX)
    try:
        with zipfile.ZipFile(buffer) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ReportParseError(_BROKEN_DOCX) from None
    if unpacked > MAX_DOCX_UNCOMPRESSED:
        raise ReportParseError(
            "Tệp .docx có nội dung giải nén quá lớn "
            f"(trên {_format_size(MAX_DOCX_UNCOMPRESSED)}), không thể đọc."
        )
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        raise ReportParseError(_BROKEN_DOCX)
    try:
        document = docx.Document(io.BytesIO(data))
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
            yield numbering.label(block) + _paragraph_text(block)
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


_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def _roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


class _Numbering:
    """Best-effort rendering of Word's automatic list numbers ("1.", "a)", bullets).

    python-docx returns a paragraph's typed text only; a report whose tasks are a Word numbered
    list would otherwise lose the "1. ", "2. " the parser relies on.
    """

    def __init__(self, document: Any) -> None:
        self._levels: dict[str, dict[int, tuple[int, str, str]]] = {}
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
            for override in _xp(num, "./w:lvlOverride"):
                ilvl = int(_xp(override, "./@w:ilvl")[0])
                start = _xp(override, "./w:startOverride/@w:val")
                if start and ilvl in levels:
                    _, fmt, text = levels[ilvl]
                    levels[ilvl] = (int(start[0]), fmt, text)
            self._levels[_xp(num, "./@w:numId")[0]] = levels

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
            counters = self._counters.setdefault(num_id, [0] * 9)
            start, fmt, _ = levels[ilvl]
            counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else start
            for deeper in range(ilvl + 1, 9):
                counters[deeper] = 0
            if fmt == "bullet":
                return "- "
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
        return _roman(value).lower()
    if fmt == "upperRoman":
        return _roman(value)
    return str(value)

