"""Small wording rules the report's sections share: counts, dates, sentences, and text blocks
with footnotes (``Block``), the unit a generated paragraph is stored and merged by.

Pure functions over strings; nothing here knows a directive.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

# Words that open a name rather than a verb phrase: a text opening with one keeps its capital
# and is introduced ("báo cáo ...") rather than glued after a unit's name.
NAME_STARTS = (
    "phường ", "xã ", "thị trấn ", "phòng ", "ban ", "sở ", "chi cục ", "trung tâm ", "công an ",
    "ubnd ", "ủy ban ", "uỷ ban ", "hđnd ", "thành ủy", "tỉnh ủy", "văn phòng ", "thanh tra ",
    "kế hoạch số", "quyết định", "nghị quyết", "nghị định", "chỉ thị", "thông tư", "luật ",
    "đề án ", "chương trình ", "bộ ", "cục ", "đội ", "hội ", "bệnh viện", "trường ",
    "ngân hàng", "kho bạc", "tòa án", "viện kiểm sát", "mặt trận", "đoàn ", "hợp tác xã",
)  # fmt: skip
# A short label before a colon that only says "done" ("Hoàn thành: ...", "Kết quả: ...").
_LABEL = re.compile(r"^(đã hoàn thành|hoàn thành|kết quả thực hiện|kết quả|báo cáo)\s*:\s*", re.I)
_SPACES = re.compile(r"\s+")


def count(n: int) -> str:
    """Counts as Vietnamese reports write them: 07, 12 (a leading zero below 10)."""
    return f"{n:02d}" if 0 < n < 10 else str(n)


def dmy(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day is not None else ""


@lru_cache(maxsize=8192)  # a province month asks ~17,000 times, for ~3,000 texts
def one_line(text: str | None) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


def clause(text: str) -> str:
    """A unit's text as a clause: one line, without its final full stop or semicolon."""
    return one_line(text).rstrip(" .;,")


def sentence(text: str) -> str:
    """A full sentence: capital first letter, one final full stop."""
    text = clause(text)
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith(("!", "?", "…")) else text + "."


def is_name(text: str) -> bool:
    folded = text.casefold()
    first = text.split(" ", 1)[0]
    acronym = len(first) > 1 and first[1:2].isupper()
    return acronym or folded.startswith(NAME_STARTS) or first[:1].isdigit()


def lower_first(text: str) -> str:
    """A verb phrase continuing a subject: "Tổ chức ..." -> "tổ chức ...", names kept."""
    if not text or is_name(text):
        return text
    return text[0].lower() + text[1:]


def drop_label(text: str) -> str:
    """ "Hoàn thành: Kế hoạch số 28 đã ban hành" -> "Kế hoạch số 28 đã ban hành"."""
    return _LABEL.sub("", text, count=1)


def subject_clause(unit: str, text: str) -> str:
    """What a unit did as one clause led by the unit: "Phòng Kinh tế tổ chức đối thoại ...";
    a text opening with a name is reported: "Phòng Tài chính - Kế hoạch báo cáo Kế hoạch số..."."""
    body = drop_label(clause(text))
    if not body:
        return ""
    if is_name(body):
        return f"{unit} báo cáo {body}"
    return f"{unit} {lower_first(body)}"


def cause_clause(text: str) -> str:
    """A difficulty as a cause after "do": lower-cased first letter unless a name."""
    return lower_first(drop_label(clause(text)))


_SENTENCE_END = re.compile(r"(?<=[.;])\s+(?=[A-ZĐÀ-Ỹ])")
_FULL_STOP = re.compile(r"(?<=\.)\s+(?=[A-ZĐÀ-Ỹ])")


def first_sentence(text: str) -> str:
    """The text up to its first full stop followed by a capital (the stop dropped)."""
    text = one_line(text)
    match = _FULL_STOP.search(text)
    head = text[: match.start()] if match else text
    return head.rstrip(" .")


def split_first(text: str, limit: int) -> tuple[str, str]:
    """(the first sentence, the rest) when the text is longer than ``limit``; the first
    sentence must itself fit, else the text is returned whole (never cut mid-sentence)."""
    text = one_line(text)
    if len(text) <= limit:
        return text, ""
    for match in _SENTENCE_END.finditer(text):
        head = text[: match.start()].rstrip(" ;.")
        if 40 <= len(head) <= limit:
            return head, text[match.end():]
        if len(head) > limit:
            break
    return text, ""


# --- blocks: a paragraph with footnotes ---------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One paragraph: its text, its footnotes anchored at offsets into the text, and the key
    that finds it again when the section is generated anew (a directive, a field, a part)."""

    text: str
    notes: tuple[str, ...] = ()
    anchors: tuple[int, ...] = ()
    key: str = ""


@dataclass
class Builder:
    """Builds a Block piece by piece: text, then a footnote where the reader needs it."""

    key: str = ""
    parts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    anchors: list[int] = field(default_factory=list)

    def add(self, text: str) -> Builder:
        self.parts.append(text)
        return self

    def note(self, text: str) -> Builder:
        text = one_line(text)
        if text:
            self.notes.append(sentence(text))
            self.anchors.append(len("".join(self.parts)))
        return self

    @property
    def empty(self) -> bool:
        return not "".join(self.parts).strip()

    def block(self) -> Block:
        text = "".join(self.parts)
        stripped = text.rstrip()
        anchors = tuple(min(a, len(stripped)) for a in self.anchors)
        return Block(stripped, tuple(self.notes), anchors, self.key)


def join_clauses(items: list[str], sep: str = "; ") -> str:
    return sep.join(item for item in items if item)
