"""Turn a monthly UBND report into proposed directives.

The report's section "II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG MM/YYYY" is a numbered list of
the next month's priority tasks. This module reads the uploaded file, finds that section, splits
it into items and sub-items, strips layout debris (footnotes, page numbers, the closing
paragraph, the signature) and proposes a field and lead/support units for every item from an
editable keyword table.

It is plain Python on purpose (no Flask, no database): the import CLI, the upload page and the
demo seeding all build on it, and it is tested on its own.

Debris rule. Reports are usually exported from Word or PDF with their footnotes inlined where the
page ended, so footnotes and their page-break tails land between items. A line starting with
superscript digits (¹³ ...) or a Markdown footnote definition ([^13]: ...) is a footnote. A
paragraph starting with a lowercase letter cannot start a sentence, so it is the rest of
something a page break cut: if the directive text collected so far stops mid-sentence (no final
"." "!" "?" "…"), it is that text's continuation and is joined to it; if the text already ends
a sentence, the lowercase paragraph is the tail of a footnote from the previous page and is
dropped (with a warning). Lines wrapped inside a dropped paragraph are dropped up to the next
blank line. A paragraph opening with a plain number and a lowercase word ("13 ông ...", a PDF
export that lost the superscript) right after a finished sentence is a footnote too. Page
numbers ("(1)", "- 2 -"), the closing "Trên đây là ...", "Nơi nhận:", the signature block and a
following section III end or interrupt nothing else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from tracker.directives.fields import DEFAULT_FIELD
from tracker.intake.routing import (
    DEFAULT_RULES,
    FALLBACK_LEAD_UNIT,
    RuleSpec,
    _fold,
    _propose,
)

__all__ = [
    "ParsedItem",
    "ParsedReport",
    "ReportParseError",
    "parse_report",
]

TITLE_MAX_CHARS = 200


class ReportParseError(ValueError):
    """A file or report the importer cannot use; ``message`` is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message



# --------------------------------------------------------------------------------------------
# Parsed data
# --------------------------------------------------------------------------------------------


@dataclass
class ParsedItem:
    """One task of section II; ``children`` are its "- " sub-items ("6.1", "6.2").

    ``text`` is the item's own text; a parent's text does not repeat its children's.
    """

    number: str
    title: str
    text: str
    children: list[ParsedItem] = dataclasses.field(default_factory=list)
    field: str | None = None
    lead_units: list[str] = dataclasses.field(default_factory=list)
    support_units: list[str] = dataclasses.field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "text": self.text,
            "field": self.field,
            "lead_units": list(self.lead_units),
            "support_units": list(self.support_units),
            "children": [child.to_json() for child in self.children],
        }


@dataclass
class ParsedReport:
    """Section II of one report: the tasks for ``year``/``month`` plus the report's metadata."""

    year: int
    month: int
    items: list[ParsedItem]
    document_number: str | None = None
    issued_on: dt.date | None = None
    title: str | None = None
    warnings: list[str] = dataclasses.field(default_factory=list)

    @property
    def period(self) -> tuple[int, int]:
        return self.year, self.month

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict (``import-report --json``)."""
        return {
            "period": f"{self.year:04d}-{self.month:02d}",
            "document_number": self.document_number,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "title": self.title,
            "warnings": list(self.warnings),
            "items": [item.to_json() for item in self.items],
        }


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------

_NO_SECTION = 'Không tìm thấy mục "II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM ..." trong tệp.'
_NO_PERIOD = (
    "Tiêu đề mục II không ghi rõ tháng, năm của các nhiệm vụ (ví dụ “tháng tới”). "
    "Hãy chọn kỳ (tháng/năm) khi nhập báo cáo."
)

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_RUN = re.compile(f"[{_SUPERSCRIPTS}]+")
_UNIT_BEFORE_POWER = re.compile(r"(?<![^\W\d_])(?:k|c|d|h)?m$")  # m², km³ stay as they are
_MD_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
_MD_FOOTNOTE_DEF = re.compile(r"^\[\^[^\]\s]+\]:")
_SPACES = re.compile(r"[\s\u00a0\u200b\u2009\u202f]+")

_ITEM = re.compile(r"^([0-9]{1,2})\\?[.)](?:\s+(\S.*))?$")  # text may be on the next line
_SUB_NUMBER = re.compile(r"^([0-9]{1,2})\.([0-9]{1,2})\.?\s+(\S.*)$")
_BULLET = re.compile(r"^([-–—+•]|\*(?=\s))(?:\s+(?=\S)|(?=[^\W\d_]))(.*)$")
_PAGE_MARKER = re.compile(
    r"^(?:\(\s*[0-9]{1,3}\s*\)|\[[0-9]{1,3}\]|[0-9]{1,3}|[-–]\s*[0-9]{1,3}\s*[-–]"
    r"|[Tt]rang\s+[0-9]+(?:\s*/\s*[0-9]+)?)$"
)
_PLAIN_FOOTNOTE = re.compile(r"^[0-9]{1,3}\s+(?=[^\W\d_])")
_TERMINAL = re.compile(r"[.!?…][\"”’')\]*_]*$")

_HEADING = re.compile(r"^(?:phan\s+(?:thu\s+hai|ii)|ii)(?:\s*[.:)\-]\s*|\s+)(?P<rest>\S.*)$")
_BARE_HEADING = re.compile(r"^(?:mot so\s+)?(?:nhiem vu|cong tac)\b.*\b(?:trong tam|thang)\b")
_PERIOD_FULL = re.compile(
    r"thang\s*([0-9]{1,2})\s*(?:[/.\-]\s*|\s+nam\s+)([0-9]{4})(?![0-9])"
)
_PERIOD_MONTH = re.compile(r"thang\s*([0-9]{1,2})(?![0-9/.\-])")
_DOCUMENT_NUMBER = re.compile(r"(?im)^[\W_]*số\s*:\s*([0-9]+\s*/\s*[0-9A-Za-zĐđ][^\s,;]*)")
_ISSUED_ON = re.compile(
    r"(?im)(?:^|,)[\s*_]*ngày\s+([0-9]{1,2})\s+tháng\s+([0-9]{1,2})\s+năm\s+([0-9]{4})"
)
_ABBREVIATIONS = {"tp", "tt", "tx", "q", "p", "ts", "ths", "pgs", "gs", "bs", "ks", "ng", "v.v"}


def parse_report(
    text: str,
    period: tuple[int, int] | None = None,
    rules: list[RuleSpec] | None = None,
) -> ParsedReport:
    """Parse a report's section II into items with proposed field and units.

    The period comes from the section heading ("... THÁNG 03/2023"); ``period`` is used when the
    heading has none ("THÁNG TỚI") and otherwise only produces a warning if it disagrees.
    """
    rules = DEFAULT_RULES if rules is None else rules
    if period is not None:
        _check_period(*period)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.split("\n")
    warnings: list[str] = []

    found = _find_section(lines)
    if found is None:
        raise ReportParseError(_NO_SECTION)
    heading_index, body_start, heading_period, heading_month = found
    preamble = "\n".join(lines[:heading_index])
    document_number = _document_number(preamble)
    issued_on = _issued_on(preamble, warnings)
    year, month = _resolve_period(heading_period, heading_month, period, issued_on, warnings)

    builders = _split_items(lines[body_start:], warnings)
    if not builders:
        raise ReportParseError(
            "Mục II không có nhiệm vụ nào được đánh số (1., 2., ...), nên không tạo được "
            "nhiệm vụ nào."
        )
    items = [_finish(builder, rules, None, warnings) for builder in builders]
    return ParsedReport(
        year=year,
        month=month,
        items=items,
        document_number=document_number,
        issued_on=issued_on,
        title=_report_title(lines[:heading_index]),
        warnings=warnings,
    )


def _check_period(year: int, month: int) -> None:
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise ReportParseError(
            f"Kỳ không hợp lệ: {month}/{year}. Tháng phải từ 1 đến 12, năm từ 2000 đến 2100."
        )


def _heading_key(line: str) -> str:
    """A line reduced for heading tests: no Markdown markers, folded, single spaces."""
    stripped = re.sub(r"^[\s>#*_]+|[\s*_:.]+$", "", line)
    return _SPACES.sub(" ", _fold(stripped)).strip()


def _find_section(lines: list[str]) -> tuple[int, int, tuple[int, int] | None, int | None] | None:
    """Locate section II: (heading line, first body line, (year, month) or None, month only)."""
    candidates = [i for i, line in enumerate(lines) if _is_heading(_heading_key(line), line)]
    if not candidates:
        candidates = [
            i for i, line in enumerate(lines)
            if _is_bare_heading(_heading_key(line), line)
        ]
    if not candidates:
        return None
    index = candidates[0]
    key = _heading_key(lines[index])
    body_start = index + 1
    if not _PERIOD_FULL.search(key) and not _PERIOD_MONTH.search(key):
        # "... TRONG" / "THÁNG 03/2023" split over two lines by a soft line break.
        nxt = next((j for j in range(index + 1, min(index + 3, len(lines))) if lines[j].strip()),
                   None)
        if nxt is not None and re.match(r"^(?:trong\s+)?thang\s*[0-9]", _heading_key(lines[nxt])):
            key = f"{key} {_heading_key(lines[nxt])}"
            body_start = nxt + 1
    full = _PERIOD_FULL.search(key)
    if full:
        return index, body_start, (int(full.group(2)), int(full.group(1))), None
    month_only = _PERIOD_MONTH.search(key)
    return index, body_start, None, int(month_only.group(1)) if month_only else None


def _is_heading(key: str, line: str) -> bool:
    match = _HEADING.match(key)
    if not match or len(line) > 200:
        return False
    rest = match.group("rest")
    topical = any(word in rest for word in ("nhiem vu", "cong tac", "phuong huong"))
    timed = any(word in rest for word in ("trong tam", "thang", "phuong huong", "ke hoach"))
    backward = any(word in rest for word in ("ket qua", "tinh hinh", "danh gia"))
    return topical and timed and not backward


def _is_bare_heading(key: str, line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    shouting = bool(letters) and not any(ch.islower() for ch in letters)
    return shouting and len(line) <= 200 and bool(_BARE_HEADING.match(key)) and (
        "ket qua" not in key
    )


def _resolve_period(
    heading: tuple[int, int] | None,
    heading_month: int | None,
    given: tuple[int, int] | None,
    issued_on: dt.date | None,
    warnings: list[str],
) -> tuple[int, int]:
    if heading is not None and 1 <= heading[1] <= 12 and 2000 <= heading[0] <= 2100:
        if given is not None and tuple(given) != heading:
            warnings.append(
                f"Kỳ được chọn ({given[1]:02d}/{given[0]}) khác với kỳ ghi trong tiêu đề mục II "
                f"({heading[1]:02d}/{heading[0]}); đã dùng kỳ trong tiêu đề."
            )
        return heading
    if heading is not None:
        warnings.append(
            f"Tiêu đề mục II ghi kỳ không hợp lệ ({heading[1]}/{heading[0]}); đã bỏ qua."
        )
    if given is not None:
        if heading_month is not None and heading_month != given[1]:
            warnings.append(
                f"Tiêu đề mục II ghi tháng {heading_month}, khác với kỳ được chọn "
                f"({given[1]:02d}/{given[0]})."
            )
        return given[0], given[1]
    if heading_month is not None and 1 <= heading_month <= 12 and issued_on is not None:
        # "THÁNG 01" in a report dated December is next year's January.
        year = issued_on.year + (1 if heading_month < issued_on.month - 6 else 0)
        warnings.append(
            f"Tiêu đề mục II không ghi năm; đã lấy năm {year} theo ngày ban hành báo cáo."
        )
        return year, heading_month
    raise ReportParseError(_NO_PERIOD)


def _document_number(preamble: str) -> str | None:
    match = _DOCUMENT_NUMBER.search(preamble)
    if not match:
        return None
    return re.sub(r"\s+", "", match.group(1)).rstrip(".")


def _issued_on(preamble: str, warnings: list[str]) -> dt.date | None:
    match = _ISSUED_ON.search(preamble)
    if not match:
        return None
    day, month, year = (int(group) for group in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        warnings.append(f"Ngày ban hành không hợp lệ ({day:02d}/{month:02d}/{year}); đã bỏ qua.")
        return None


def _report_title(preamble: list[str]) -> str | None:
    """The trích yếu: the first line after "BÁO CÁO"."""
    lines = [line for line in preamble if line.strip()]
    for index, line in enumerate(lines[:-1]):
        if _heading_key(line) == "bao cao":
            candidate = _clean(lines[index + 1])
            if candidate and len(candidate) <= 300 and not _ITEM.match(candidate):
                return candidate
            return None
    return None


@dataclass
class _Builder:
    number: str
    parts: list[str]
    children: list[_Builder] = dataclasses.field(default_factory=list)
    child_marker: str | None = None

    def target(self) -> _Builder:
        return self.children[-1] if self.children else self

    def add_child(self, text: str) -> None:
        self.children.append(_Builder(f"{self.number}.{len(self.children) + 1}", [text]))

    def ends_sentence(self) -> bool:
        return bool(_TERMINAL.search(_clean(" ".join(self.target().parts))))


def _split_items(lines: list[str], warnings: list[str]) -> list[_Builder]:
    """The line-by-line state machine behind parse_report (see the module docstring)."""
    section = _section_lines(lines)
    numbered = any(
        (m := _ITEM.match(_unmark(line))) is not None and int(m.group(1)) <= 3 for line in section
    )
    items: list[_Builder] = []
    paragraph_start = True
    skipping = False  # inside a dropped footnote or debris paragraph, until the next blank line
    footnotes = 0
    top_marker: str | None = None  # bullet that marks items when the section is not numbered

    for line in section:
        if not line:
            paragraph_start, skipping = True, False
            continue
        unmarked = _unmark(line)
        current = items[-1] if items else None
        if _PAGE_MARKER.match(unmarked):
            continue
        if _is_footnote(unmarked, current, paragraph_start):
            footnotes += 1
            skipping, paragraph_start = True, False
            continue
        new_block = True
        item = _ITEM.match(unmarked) if numbered else None
        sub = _SUB_NUMBER.match(unmarked)
        bullet = _BULLET.match(line)
        marker = ("-" if bullet.group(1) in "-–—" else bullet.group(1)) if bullet else None
        if item and _accept_number(int(item.group(1)), items, warnings, paragraph_start):
            items.append(_Builder(item.group(1), [item.group(2) or ""]))
        elif sub and current is not None and sub.group(1) == current.number:
            current.add_child(sub.group(3))
        elif bullet and not numbered and (current is None or marker == top_marker):
            if top_marker is None:
                top_marker = marker
                warnings.append(
                    "Các nhiệm vụ trong mục II không được đánh số; mỗi gạch đầu dòng được coi "
                    "là một nhiệm vụ."
                )
            items.append(_Builder(str(len(items) + 1), [bullet.group(2)]))
        elif bullet and current is not None:
            if current.child_marker in (None, marker):
                current.child_marker = marker
                current.add_child(bullet.group(2))
            else:  # a nested bullet of another kind belongs to the current sub-item
                current.target().parts.append(bullet.group(2))
        else:
            new_block = False
        if new_block:
            skipping, paragraph_start = False, False
            continue

        if skipping or current is None:  # debris, or the intro paragraph under the heading
            paragraph_start = False
            continue
        if _starts_lowercase(unmarked) and current.ends_sentence():
            warnings.append(
                "Đã bỏ qua một đoạn không thuộc nhiệm vụ nào (có thể là phần chú thích bị ngắt "
                f"trang): «{_shorten(_clean(unmarked), 80)}»."
            )
            skipping, paragraph_start = True, False
            continue
        current.target().parts.append(unmarked)
        paragraph_start = False

    if footnotes:
        warnings.append(f"Đã bỏ qua {footnotes} dòng chú thích cuối trang trong mục II.")
    return items


def _section_lines(lines: list[str]) -> list[str]:
    """Section II's lines, stripped, up to the closing paragraph / "Nơi nhận" / signature."""
    out = []
    for raw in lines:
        line = re.sub(r"^(?:\s*>)+", "", raw).strip(" \t\u00a0\u200b\ufeff")
        if line and _is_end(_heading_key(line), _unmark(line)):
            break
        out.append(line)
    return out


def _unmark(line: str) -> str:
    """The line without bold markers around its number: "**1.** Tập trung" → "1. Tập trung"."""
    line = re.sub(r"^(?:\*\*|__)+\s*", "", line)
    return re.sub(r"^([0-9]{1,2}(?:\.[0-9]{1,2})?\\?[.)]?)(?:\*\*|__)+", r"\1", line)


def _is_footnote(line: str, current: _Builder | None, paragraph_start: bool) -> bool:
    if line[:1] in _SUPERSCRIPTS or _MD_FOOTNOTE_DEF.match(line):
        return True
    # "13 ông Lương ..." from a PDF that lost the superscript: a number and a lowercase word
    # opening a paragraph right after a finished sentence.
    plain = _PLAIN_FOOTNOTE.match(line)
    return bool(
        plain
        and paragraph_start
        and current is not None
        and line[plain.end() :][:1].islower()
        and current.ends_sentence()
    )


def _accept_number(number: int, items: list[_Builder], warnings: list[str],
                   paragraph_start: bool) -> bool:
    """Numbers must follow on: "2023. Tiếp tục" wrapped onto a line of its own is text."""
    previous = int(items[-1].number) if items else 0
    if number == previous + 1:
        return True
    if not items and number <= 3:
        warnings.append(f"Mục II bắt đầu từ nhiệm vụ số {number}, không phải số 1.")
        return True
    if paragraph_start and previous + 1 < number <= previous + 3:
        warnings.append(f"Số thứ tự nhiệm vụ nhảy từ {previous} lên {number}.")
        return True
    return False


def _is_end(key: str, line: str) -> bool:
    """The closing paragraph, "Nơi nhận:", the signature block or section III end section II."""
    if re.match(r"^(?:tren day\b|noi nhan\b)", key):
        return True
    if re.match(r"^(?:tm|kt|tl|tuq|q)\s*\.\s*(?:uy ban|chu tich|ubnd)", key):
        return True
    if key in ("chu tich", "pho chu tich", "kt chu tich"):
        return True
    return bool(re.match(r"^(?:\*\*|__|#+\s*)?(?:III|IV|PHẦN\s+III)\s*[.:)\-]\s*\S", line))


def _starts_lowercase(line: str) -> bool:
    for char in line:
        if char.isalpha():
            return char.islower()
        if char.isdigit():
            return False
    return False


def _strip_superscripts(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        before = text[max(0, match.start() - 6) : match.start()]
        if match.group() in ("²", "³") and _UNIT_BEFORE_POWER.search(before):
            return match.group()
        return ""

    return _SUPERSCRIPT_RUN.sub(replace, text)


def _clean(text: str) -> str:
    """Directive text as stored: no footnote markers, no Markdown emphasis, single spaces."""
    text = _MD_FOOTNOTE_REF.sub("", text)
    text = _strip_superscripts(text)
    text = re.sub(r"(\*\*|__)", "", text)
    text = re.sub(r"\\([.)\-*_#])", r"\1", text)  # Markdown escapes
    text = _SPACES.sub(" ", text).strip()
    text = re.sub(r"\s+([,.;:])", r"\1", text)  # space left where a marker was removed
    return unicodedata.normalize("NFC", text)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def _first_sentence(text: str) -> str:
    """Text up to the first full stop that is followed by a capitalised word."""
    for match in re.finditer(r"[.!?]\s+[\"“(]?([^\W\d_])", text):
        if not match.group(1).isupper():
            continue
        word = re.search(r"([^\s(]*)$", text[: match.start()])
        previous = word.group(1).lower() if word else ""
        if previous in _ABBREVIATIONS or (len(previous) == 1 and previous.isalpha()):
            continue  # "TP. Trà Vinh", "P. 7"
        return text[: match.start()]
    return text


def _title(text: str) -> str:
    sentence = _shorten(_first_sentence(text), TITLE_MAX_CHARS)
    return sentence.rstrip(" .;:,")


def _finish(builder: _Builder, rules: list[RuleSpec], parent_field: str | None,
            warnings: list[str]) -> ParsedItem:
    text = _clean(" ".join(builder.parts))
    field, leads, supports, has_lead = _propose(text, rules)
    if field is None:
        field = parent_field or DEFAULT_FIELD
    if not has_lead:
        warnings.append(
            f"Nhiệm vụ {builder.number}: chưa xác định được đơn vị chủ trì, tạm giao "
            f"{FALLBACK_LEAD_UNIT}."
        )
    item = ParsedItem(
        number=builder.number,
        title=_title(text),
        text=text,
        field=field,
        lead_units=leads,
        support_units=supports,
    )
    item.children = [_finish(child, rules, field, warnings) for child in builder.children]
    return item

