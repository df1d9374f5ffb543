"""Excel (.xlsx) writer for the appendix table, for units that sort and filter the tasks.

Layout: the title in row 1 (merged across the table), the column headers in row 2 (frozen
together with the title, auto-filter over the table, repeated when printed), one directive per
row from row 3. Dates are real dates shown as dd/mm/yyyy.

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

from tracker.reports.document import APPENDIX_HEADERS, AppendixRow, clean_text

SHEET_TITLE = "Phụ lục"
DATE_FORMAT = "dd/mm/yyyy"
FONT_NAME = "Times New Roman"
# Widths in characters, in APPENDIX_HEADERS order.
COLUMN_WIDTHS = (7, 60, 26, 26, 13, 13, 24, 10, 14)
WRAPPED_COLUMNS = {2, 3, 4, 7}  # content, units, status (1-based)
CENTRED_COLUMNS = {1, 5, 6, 8, 9}
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
    last_column = len(APPENDIX_HEADERS)
    last_letter = get_column_letter(last_column)

    title_cell = sheet.cell(row=TITLE_ROW, column=1)
    _set_text(title_cell, title)
    title_cell.font = Font(name=FONT_NAME, size=14, bold=True)
    title_cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.merge_cells(f"A{TITLE_ROW}:{last_letter}{TITLE_ROW}")
    sheet.row_dimensions[TITLE_ROW].height = 36

    header_font = Font(name=FONT_NAME, size=12, bold=True)
    header_alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for column, label in enumerate(APPENDIX_HEADERS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column)
        _set_text(cell, label)
        cell.font = header_font
        cell.alignment = header_alignment
        cell.border = _BORDER
        cell.fill = _HEADER_FILL
    sheet.row_dimensions[HEADER_ROW].height = 32

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
            entry.content,
            entry.lead_units,
            entry.support_units,
            entry.deadline,
            entry.extended_deadline,
            entry.bucket,
            entry.percent,
            entry.last_update,
        )
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=column)
            _set_value(cell, value, number_column=column == 1)
            cell.font = body_font
            cell.alignment = alignments[column]
            cell.border = _BORDER

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
