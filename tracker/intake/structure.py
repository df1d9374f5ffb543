"""The priority section's lines split into tasks and sub-tasks.

Markers: numbered tasks "1." "1)" "1/"; sub-items "1.1." (the task's own number first), "a)"
… "đ)" …, "-", "+", "•"; headings that group tasks ("A. LĨNH VỰC KINH TẾ", an upper-case or
bold line) give the tasks under them their field. The first kind of marker the section uses
for its tasks is the task level; under a task, the first other kind is the sub-item level and
anything deeper joins the sub-item's text. A section numbered "3." may number its tasks
"3.1.", "3.2."; a section without numbers takes its lettered lines or its first kind of
bullet as tasks.

Debris rule. Reports are usually exported from Word or PDF with their footnotes inlined where the
page ended, so footnotes and their page-break tails land between items. A line starting with
superscript digits (¹³ ...) or a Markdown footnote definition ([^13]: ...) is a footnote. A
paragraph starting with a lowercase letter cannot start a sentence, so it is the rest of
something a page break cut: if the directive text collected so far stops mid-sentence (no final
"." "!" "?" "…"), it is that text's continuation and is joined to it; if the text already ends
a sentence, the lowercase paragraph is the tail of a footnote from the previous page and is
dropped (with a warning). Lines wrapped inside a dropped paragraph are dropped up to the next
blank line. A paragraph opening with a plain number and a lowercase word ("13 ông ...", a PDF
export that lost the superscript) right after a finished sentence is a footnote too. A lettered
line ("b) ...") is a sub-item, never a footnote. Page numbers ("(1)", "- 2 -") are skipped.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from tracker.intake.text import SUPERSCRIPTS, TERMINAL, clean, is_bold_line, is_shouting, shorten
from tracker.intake.text import starts_lowercase as _starts_lowercase

_MD_FOOTNOTE_DEF = re.compile(r"^\[\^[^\]\s]+\]:")
_ITEM = re.compile(r"^([0-9]{1,2})\\?[.)/](?:\s+(\S.*))?$")  # text may be on the next line
_SUB_NUMBER = re.compile(r"^([0-9]{1,2})\.([0-9]{1,2})[.)]?\s+(\S.*)$")
_DEEP_NUMBER = re.compile(r"^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{1,2})[.)]?\s+(\S.*)$")
_LETTER = re.compile(r"^([abcdđeghiklmnopqrstuvxy])\s?[).]\s+(\S.*)$")
_UPPER_LETTER = re.compile(r"^([A-HK-UWYĐ])\s?[.)]\s+(\S.*)$")
_BULLET = re.compile(r"^([-–—+•◦▪●■➢✓]|\*(?=\s))(?:\s+(?=\S)|(?=[^\W\d_]))(.*)$")
_PAGE_MARKER = re.compile(
    r"^(?:\(\s*[0-9]{1,3}\s*\)|\[[0-9]{1,3}\]|[0-9]{1,3}|[-–]\s*[0-9]{1,3}\s*[-–]"
    r"|[Tt]rang\s+[0-9]+(?:\s*/\s*[0-9]+)?)$"
)
_PLAIN_FOOTNOTE = re.compile(r"^[0-9]{1,3}\s+(?=[^\W\d_])")

NUMBER, SUB, LETTER, BULLET = "number", "sub", "letter", "bullet"


@dataclass
class Builder:
    number: str
    parts: list[str]
    children: list[Builder] = dataclasses.field(default_factory=list)
    child_marker: str | None = None
    group: str | None = None  # the heading that groups this task ("LĨNH VỰC KINH TẾ")
    group_label: str | None = None  # its letter ("A") or position, when numbering restarts
    cells: dict[str, str] = dataclasses.field(default_factory=dict)  # from a task table

    def target(self) -> Builder:
        return self.children[-1] if self.children else self

    def add_child(self, text: str, label: str | None = None) -> Builder:
        suffix = label if label is not None else str(len(self.children) + 1)
        child = Builder(f"{self.number}.{suffix}", [text], group=self.group)
        self.children.append(child)
        return child

    def renumber(self, number: str) -> None:
        old = self.number
        self.number = number
        for child in self.children:
            child.renumber(number + child.number[len(old):])

    def ends_sentence(self) -> bool:
        return bool(TERMINAL.search(clean(" ".join(self.target().parts))))


@dataclass
class _State:
    items: list[Builder] = dataclasses.field(default_factory=list)
    group: str | None = None
    group_label: str | None = None
    groups_seen: int = 0
    restart_prefix: str | None = None
    pending_restart: bool = False  # a group heading came: numbering may start again at 1
    restarted: bool = False
    top_marker: str | None = None


def unmark(line: str) -> str:
    """The line without bold markers around its number: "**1.** Tập trung" → "1. Tập trung"."""
    line = re.sub(r"^(?:\*\*|__)+\s*", "", line)
    return re.sub(r"^([0-9]{1,2}(?:\.[0-9]{1,2})?\\?[.)]?|[a-zđ]\))(?:\*\*|__)+", r"\1", line)


def split_items(section: list[str], warnings: list[str], heading_number: str | None = None,
                heading_numbering: str = "roman") -> list[Builder]:
    """The line-by-line state machine behind parse_report (see the module docstring)."""
    return _Splitter(section, warnings, heading_number, heading_numbering).run()


@dataclass
class _Line:
    """One line of the section with what its start looks like."""

    raw: str
    unmarked: str
    item: re.Match[str] | None
    sub: re.Match[str] | None
    deep: re.Match[str] | None
    letter: re.Match[str] | None
    bullet: re.Match[str] | None

    @property
    def marker(self) -> str | None:
        if self.bullet is None:
            return None
        return "-" if self.bullet.group(1) in "-–—" else self.bullet.group(1)


class _Splitter:
    def __init__(self, section: list[str], warnings: list[str], heading_number: str | None,
                 heading_numbering: str) -> None:
        self.section = section
        self.warnings = warnings
        self.heading_number = heading_number
        self.name = f"mục {heading_number}" if heading_number else "mục nhiệm vụ"
        self.unmarked = [unmark(line) for line in section]
        self.numbered = any(
            (m := _ITEM.match(line)) is not None and int(m.group(1)) <= 3 for line in self.unmarked
        )
        self.sub_top = heading_numbering == "arabic" and not self.numbered and any(
            (m := _SUB_NUMBER.match(line)) and m.group(1) == heading_number
            for line in self.unmarked
        )
        self.letter_top = not self.numbered and not self.sub_top and any(
            (m := _LETTER.match(line)) and m.group(1) == "a" for line in self.unmarked
        )
        self.state = _State()
        self.paragraph_start = True
        self.skipping = False  # inside a dropped footnote or debris paragraph, until a blank line
        self.footnotes = 0
        self.table: list[str] = []

    @property
    def current(self) -> Builder | None:
        return self.state.items[-1] if self.state.items else None

    def run(self) -> list[Builder]:
        for index, (raw, unmarked) in enumerate(zip(self.section, self.unmarked, strict=True)):
            self._line(index, raw, unmarked)
        if self.footnotes:
            self.warnings.append(
                f"Đã bỏ qua {self.footnotes} dòng chú thích cuối trang trong {self.name}."
            )
        if self.state.restarted:  # "A. ... 1. 2.  B. ... 1. 2.": tasks carry their group letter
            for builder in self.state.items:
                if "." not in builder.number and builder.group_label:
                    builder.renumber(f"{builder.group_label}.{builder.number}")
        return self.state.items

    def _line(self, index: int, raw: str, unmarked: str) -> None:
        from tracker.intake.tables import is_table_line, read_table

        if is_table_line(raw):
            self.table.append(raw)
            if index + 1 == len(self.section) or not is_table_line(self.section[index + 1]):
                self.state.group = read_table(self.table, self.state.items, self.state.group,
                                              self.warnings)
                self.table = []
                self.paragraph_start, self.skipping = True, False
            return
        if not raw:
            self.paragraph_start, self.skipping = True, False
            return
        if _PAGE_MARKER.match(unmarked):
            return
        if _is_footnote(unmarked, self.current, self.paragraph_start):
            self.footnotes += 1
            self.skipping, self.paragraph_start = True, False
            return
        line = _Line(raw, unmarked, _ITEM.match(unmarked) if self.numbered else None,
                     _SUB_NUMBER.match(unmarked), _DEEP_NUMBER.match(unmarked),
                     _LETTER.match(unmarked), _BULLET.match(raw))
        if self._new_block(line):
            self.skipping, self.paragraph_start = False, False
        else:
            self._continuation(unmarked)

    def _new_block(self, line: _Line) -> bool:
        """A group heading, task or sub-item starts on this line (and is recorded)."""
        if _group_heading(line.raw, line.unmarked, self.paragraph_start, self.current,
                          self.numbered, self.letter_top):
            _start_group(self.state, line.unmarked)
            return True
        return self._numbered(line) or self._lettered(line) or self._bulleted(line)

    def _numbered(self, line: _Line) -> bool:
        state, items, current = self.state, self.state.items, self.current
        item, sub = line.item, line.sub
        if item and _accept_number(int(item.group(1)), state, self.warnings,
                                   self.paragraph_start, self.name):
            number = item.group(1)
            if state.restart_prefix:
                number = f"{state.restart_prefix}.{number}"
            items.append(Builder(number, [item.group(2) or ""], group=state.group,
                                 group_label=state.group_label))
        elif self.sub_top and sub and sub.group(1) == self.heading_number:
            items.append(Builder(f"{sub.group(1)}.{sub.group(2)}", [sub.group(3)],
                                 group=state.group))
        elif line.deep and current is not None and current.children:
            current.target().parts.append(line.unmarked)
        elif sub and current is not None and sub.group(1) == current.number.split(".")[-1]:
            current.add_child(sub.group(3), sub.group(2))
            current.child_marker = current.child_marker or SUB
        else:
            return False
        return True

    def _lettered(self, line: _Line) -> bool:
        state, current, letter = self.state, self.current, line.letter
        if letter is None:
            return False
        if self.letter_top and (current is None or current.child_marker != LETTER
                                or state.top_marker == LETTER):
            state.top_marker = LETTER
            state.items.append(Builder(letter.group(1), [letter.group(2)], group=state.group))
            return True
        if current is not None and current.child_marker in (None, LETTER, "-", "+", "•", "*"):
            current.child_marker = LETTER
            current.add_child(letter.group(2), letter.group(1))
            return True
        return False

    def _bulleted(self, line: _Line) -> bool:
        state, current, bullet, marker = self.state, self.current, line.bullet, line.marker
        if bullet is None:
            return False
        plain = not self.numbered and not self.sub_top and not self.letter_top
        if plain and (current is None or marker == state.top_marker):
            if state.top_marker is None:
                state.top_marker = marker
                self.warnings.append(
                    f"Các nhiệm vụ trong {self.name} không được đánh số; mỗi gạch đầu dòng được "
                    "coi là một nhiệm vụ."
                )
            state.items.append(Builder(str(len(state.items) + 1), [bullet.group(2)],
                                       group=state.group))
        elif current is not None:
            if current.child_marker in (None, marker):
                current.child_marker = marker
                current.add_child(bullet.group(2))
            else:  # a nested bullet of another kind belongs to the current sub-item
                current.target().parts.append(bullet.group(2))
        else:
            return False
        return True

    def _continuation(self, unmarked: str) -> None:
        """A line that starts nothing: more of the current text, or debris to drop."""
        current = self.current
        if self.skipping or current is None:  # debris, or the intro paragraph under the heading
            self.paragraph_start = False
            return
        if _starts_lowercase(unmarked) and current.ends_sentence():
            self.warnings.append(
                "Đã bỏ qua một đoạn không thuộc nhiệm vụ nào (có thể là phần chú thích bị ngắt "
                f"trang): «{shorten(clean(unmarked), 80)}»."
            )
            self.skipping, self.paragraph_start = True, False
            return
        current.target().parts.append(unmarked)
        self.paragraph_start = False


def _group_heading(line: str, unmarked: str, paragraph_start: bool, current: Builder | None,
                   numbered: bool, letter_top: bool) -> bool:
    """An upper-case or bold line, or "A. ...", that groups the tasks after it."""
    if _ITEM.match(unmarked) or _SUB_NUMBER.match(unmarked) or _BULLET.match(line):
        return False
    if _LETTER.match(unmarked) and not is_shouting(unmarked):
        return False
    text = clean(re.sub(r"^#+\s*", "", line))
    if not text or len(text) > 150 or TERMINAL.search(text):
        return False
    if not paragraph_start and current is not None:
        return False
    if not (numbered or letter_top) and not _UPPER_LETTER.match(text):
        return False  # in a bullet list, a bold line is the intro, not a group
    unfinished = current is not None and not current.ends_sentence() and not text.endswith(":")
    if unfinished and not (is_shouting(text) or _UPPER_LETTER.match(text)):
        return False
    return is_shouting(text) or is_bold_line(line) or bool(
        _UPPER_LETTER.match(text) and len(text) <= 100
    )


def _start_group(state: _State, unmarked: str) -> None:
    text = clean(re.sub(r"^#+\s*", "", unmarked)).rstrip(":")
    letter = _UPPER_LETTER.match(text)
    state.groups_seen += 1
    state.group = letter.group(2) if letter else text
    state.group_label = letter.group(1) if letter else str(state.groups_seen)
    state.restart_prefix = None
    state.pending_restart = True


def _is_footnote(line: str, current: Builder | None, paragraph_start: bool) -> bool:
    if line[:1] in SUPERSCRIPTS or _MD_FOOTNOTE_DEF.match(line):
        return True
    if _LETTER.match(line):
        return False
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


def _accept_number(number: int, state: _State, warnings: list[str],
                   paragraph_start: bool, name: str) -> bool:
    """Numbers must follow on: "2023. Tiếp tục" wrapped onto a line of its own is text."""
    items = state.items
    previous = int(items[-1].number.split(".")[-1]) if items else 0
    if state.pending_restart and number == 1 and items:
        state.restart_prefix = state.group_label  # numbering starts again under a new group
        state.pending_restart = False
        state.restarted = True
        return True
    state.pending_restart = False
    if number == previous + 1:
        return True
    if not items and number <= 3:
        warnings.append(
            f"{name[0].upper()}{name[1:]} bắt đầu từ nhiệm vụ số {number}, không phải số 1."
        )
        return True
    if paragraph_start and previous + 1 < number <= previous + 3:
        warnings.append(f"Số thứ tự nhiệm vụ nhảy từ {previous} lên {number}.")
        return True
    return False
