"""Task tables: "| STT | Nội dung | Đơn vị chủ trì | Đơn vị phối hợp | Thời gian hoàn thành |".

The reader writes a Word task table as Markdown pipe rows (a cell's line breaks as "<br>"), and
a .md report may hold one as is. The header row names the columns; a row numbered "1" is a
task, "1.1", "a" or an unnumbered row under it a sub-task, and a row numbered "I"/"A" or a
row with a single filled cell a heading that groups the tasks below.
"""

from __future__ import annotations

import re

from tracker.intake.structure import Builder
from tracker.intake.text import ROMAN_NUMERALS, clean, fold, is_shouting

_COLUMNS = [
    ("number", ("stt", "tt", "so tt", "so thu tu")),
    ("text", ("noi dung", "nhiem vu", "cong viec", "ten nhiem vu", "noi dung nhiem vu")),
    ("lead", ("chu tri", "don vi chu tri", "co quan chu tri", "don vi thuc hien",
              "co quan thuc hien", "don vi thuc hien chinh")),
    ("support", ("phoi hop", "don vi phoi hop", "co quan phoi hop")),
    ("deadline", ("thoi gian", "thoi han", "han", "thoi gian hoan thanh", "thoi han hoan thanh",
                  "tien do", "thoi gian thuc hien")),
]


def is_table_line(line: str) -> bool:
    return line.startswith("|") and line.rstrip().endswith("|") and line.count("|") >= 3


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _header(cells: list[str]) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = re.sub(r"[^a-z ]", " ", fold(clean(cell.replace("<br>", " "))))
        key = " ".join(key.split())
        for name, words in _COLUMNS:
            if name in columns:
                continue
            if key in words or (name != "number" and any(key.startswith(w) for w in words)):
                columns[name] = index
                break
    if "text" in columns and len(columns) >= 2:
        return columns
    return None


def read_table(lines: list[str], items: list[Builder], group: str | None,
               warnings: list[str]) -> str | None:
    """Add the table's tasks to ``items``; returns the group heading in force after it."""
    rows = [_cells(line) for line in lines if not re.match(r"^\|?[\s:|-]+\|?$", line)]
    columns = None
    start = 0
    for index, row in enumerate(rows[:3]):
        columns = _header(row)
        if columns is not None:
            start = index + 1
            break
    if columns is None:
        warnings.append("Đã bỏ qua một bảng không có cột “Nội dung” trong mục nhiệm vụ.")
        return group
    for row in rows[start:]:
        group = _read_row(_Row(row, columns), items, group)
    return group


class _Row:
    """One body row of a task table, its cells found by the header's column names."""

    def __init__(self, cells: list[str], columns: dict[str, int]) -> None:
        self.cells = cells
        self.columns = columns

    def __getitem__(self, name: str) -> str:
        index = self.columns.get(name)
        return self.cells[index] if index is not None and index < len(self.cells) else ""


def _group_of(row: _Row, text: str, number: str) -> str | None:
    """The heading a row gives ("I. LĨNH VỰC KINH TẾ", one merged cell), or None for a task."""
    filled = [c for c in row.cells if clean(c.replace("<br>", " "))]
    if len({clean(c) for c in filled}) == 1 and not row["lead"] and not row["deadline"]:
        group = clean(filled[0].replace("<br>", " ")).rstrip(":")
        return re.sub(r"^(?:[IVX]+|[A-Z])\s*[.)]\s*", "", group)
    if number.upper() in ROMAN_NUMERALS or re.fullmatch(r"[A-Z]", number) or (
        is_shouting(text) and not row["lead"]
    ):
        return text.rstrip(":")
    return None


def _read_row(row: _Row, items: list[Builder], group: str | None) -> str | None:
    text = clean(row["text"].replace("<br>", " "))
    number = clean(row["number"]).rstrip(".)")
    if not text and not any(clean(c.replace("<br>", " ")) for c in row.cells):
        return group
    heading = _group_of(row, text, number)
    if heading is not None:
        return heading
    cells = {name: row[name] for name in ("lead", "support", "deadline") if row[name]}
    if re.fullmatch(r"[0-9]{1,2}", number):
        items.append(Builder(number, [text], group=group, cells=cells))
    elif items and (sub := re.fullmatch(r"[0-9]{1,2}\.([0-9]{1,2})", number)):
        items[-1].add_child(text, sub.group(1)).cells.update(cells)
    elif items and re.fullmatch(r"[a-zđ]", number):
        items[-1].add_child(text, number).cells.update(cells)
    elif items:
        items[-1].add_child(text).cells.update(cells)
    else:
        items.append(Builder(str(len(items) + 1), [text], group=group, cells=cells))
    return group
