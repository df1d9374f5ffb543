"""Excel (.xlsx) writer for the appendix table, for units that sort and filter the tasks.

Layout: the title in row 1 (merged across the table), the column headers in row 2 (frozen
together with the title, auto-filter over the table, repeated when printed), one directive per
row from row 3, with its whole text; STT stays text ("6.1" and "6" sort as written); dates are
real dates shown as dd/mm/yyyy; a completion-date and a days-late column. Spreadsheets do not
grow rows to fit wrapped text when printed, so each row's height is set from its longest cell.

Text that a spreadsheet could take for a formula (starting with = + - @, tab or a line break)
is stored as an explicit string cell with Excel's "quote prefix" flag, so it is neither a
formula in the file nor turns into one when a user edits the cell. The text itself is kept
unchanged (no apostrophe added to the data).
"""

from __future__ import annotations

import io
import re
from datetime import date

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tracker.reports.document import AppendixRow, clean_text

SHEET_TITLE = "Phụ lục"
DATE_FORMAT = "dd/mm/yyyy"
FONT_NAME = "Times New Roman"
XLSX_HEADERS = (
    "STT",
    "Nội dung nhiệm vụ",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
    "Thời hạn",
    "Thời hạn gia hạn",
    "Tình trạng",
    "Tiến độ (%)",
    "Ngày hoàn thành",
    "Số ngày chậm (ngày làm việc)",
    "Cập nhật lần cuối",
)
APPENDIX_HEADERS = XLSX_HEADERS
# Widths in characters, in XLSX_HEADERS order.
COLUMN_WIDTHS = (7, 70, 26, 30, 12, 12, 24, 9, 12, 11, 12)
WRAPPED_COLUMNS = {2, 3, 4, 7, 10}  # content, units, status, days late (1-based)
CENTRED_COLUMNS = {1, 5, 6, 8, 9, 10, 11}
LINE_HEIGHT = 15.75  # points per line of 12 pt Times New Roman
CHARS_PER_WIDTH = 1.1  # characters of Times New Roman per unit of column width
TITLE_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_INTEGER_RE = re.compile(r"[1-9]\d{0,8}")

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill(fill_type="solid", start_color="D9D9D9", end_color="D9D9D9")


def build_xlsx(rows: list[AppendixRow], title: str) -> bytes:
    """Write the appendix rows as a filterable, printable workbook (.xlsx bytes)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    last_column = len(XLSX_HEADERS)
    last_letter = get_column_letter(last_column)

    title_cell = sheet.cell(row=TITLE_ROW, column=1)
    _set_text(title_cell, title)
    title_cell.font = Font(name=FONT_NAME, size=14, bold=True)
    title_cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.merge_cells(f"A{TITLE_ROW}:{last_letter}{TITLE_ROW}")
    sheet.row_dimensions[TITLE_ROW].height = 36

    header_font = Font(name=FONT_NAME, size=12, bold=True)
    header_alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for column, label in enumerate(XLSX_HEADERS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column)
        _set_text(cell, label)
        cell.font = header_font
        cell.alignment = header_alignment
        cell.border = _BORDER
        cell.fill = _HEADER_FILL
    sheet.row_dimensions[HEADER_ROW].height = 48

    body_font = Font(name=FONT_NAME, size=12)
    alignments = {
        column: Alignment(
            horizontal="center" if column in CENTRED_COLUMNS else "left",
            vertical="top",
            wrap_text=column in WRAPPED_COLUMNS,
        )
        for column in range(1, last_column + 1)
    }
    for offset, entry in enumerate(rows):
        row_number = FIRST_DATA_ROW + offset
        values = (
            entry.number,
            entry.text or entry.content,
            entry.lead_units,
            entry.support_units,
            entry.deadline,
            entry.extended_deadline,
            entry.bucket,
            entry.percent,
            entry.completed_on,
            entry.days_late,
            entry.last_update,
        )
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=column)
            if column == 1:
                _set_text(cell, value)  # STT as text: "6.1" stays "6.1"
            else:
                _set_value(cell, value)
            cell.font = body_font
            cell.alignment = alignments[column]
            cell.border = _BORDER
        sheet.row_dimensions[row_number].height = _row_height(values)

    for column, width in enumerate(COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width

    last_row = HEADER_ROW + len(rows)
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_letter}{last_row}"
    _setup_print(sheet)
    workbook.properties.title = clean_text(title)
    workbook.properties.creator = "tracker"

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _row_height(values: tuple[object, ...]) -> float:
    """Points enough for the wrapped cell with the most lines, so printed rows never overlap."""
    lines = 1
    for column, value in enumerate(values, start=1):
        if column not in WRAPPED_COLUMNS or value is None or isinstance(value, (date, int)):
            continue
        per_line = max(1, int(COLUMN_WIDTHS[column - 1] * CHARS_PER_WIDTH))
        text = clean_text(value)
        count = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
        lines = max(lines, count)
    return round(lines * LINE_HEIGHT + 4, 2)


def _set_text(cell: Cell, value: object) -> None:
    """Store ``value`` as literal text, never as a formula (see the module docstring)."""
    text = clean_text(value)
    cell.value = text
    if text.startswith(_FORMULA_TRIGGERS):
        # openpyxl marks any string starting with "=" as a formula on assignment; force it
        # back to a string and let Excel know it was typed as text.
        cell.data_type = "s"
        cell.quotePrefix = True


def _set_value(cell: Cell, value: object, *, number_column: bool = False) -> None:
    if value is None:
        return
    if isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, bool):
        _set_text(cell, "Có" if value else "Không")
    elif isinstance(value, int):
        cell.value = value
        cell.number_format = "0"
    elif number_column and _PLAIN_INTEGER_RE.fullmatch(str(value)):
        # "1", "2": numbers, so Excel sorts them and shows no "number stored as text" flag.
        cell.value = int(str(value))
    else:
        _set_text(cell, value)


def _setup_print(sheet: Worksheet) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
