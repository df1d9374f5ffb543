"""The onboarding workbook: the downloadable template, and reading an uploaded .xlsx into rows.

Two sheets, found by name: "Đơn vị" (units) and "Người dùng" (users); columns are found by their
header, so they may be reordered and a sheet may be left out. The archive is checked by
tracker/core/archives.py before openpyxl sees it (an .xlsx is a zip from a user).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from unidecode import unidecode

from tracker.constants import USER_ROLES
from tracker.core import archives
from tracker.core.errors import UserError
from tracker.units.kinds import UNIT_TYPES

UNIT_SHEET = "Đơn vị"
USER_SHEET = "Người dùng"
HELP_SHEET = "Hướng dẫn"
MAX_ROWS = 5000
XLSX_LIMITS = archives.Limits(member=30 * archives.MiB, total=60 * archives.MiB)

# (key, header, required)
UNIT_COLUMNS = [
    ("code", "Mã đơn vị", True),
    ("name", "Tên đơn vị", True),
    ("kind", "Loại đơn vị", True),
    ("parent", "Mã đơn vị cấp trên", False),
    ("email", "E-mail", False),
    ("valid_from", "Hoạt động từ ngày", False),
    ("ended_on", "Ngừng hoạt động từ ngày", False),
    ("replaces", "Thay thế cho (mã đơn vị cũ)", False),
]
USER_COLUMNS = [
    ("username", "Tên đăng nhập", True),
    ("full_name", "Họ và tên", True),
    ("role", "Vai trò", True),
    ("unit", "Mã đơn vị", False),
    ("title", "Chức vụ", False),
    ("email", "E-mail", False),
    ("password", "Mật khẩu ban đầu", False),
]


@dataclass
class Row:
    sheet: str
    number: int  # the row number Excel shows
    values: dict[str, object] = field(default_factory=dict)

    def text(self, key: str) -> str:
        value = self.values.get(key)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.strftime("%d/%m/%Y")
        return " ".join(str(value).split())

    def raw(self, key: str) -> object:
        return self.values.get(key)


@dataclass
class Sheets:
    units: list[Row]
    users: list[Row]


def fold(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", unidecode(str(text or "")).lower()).strip()


# --- the template ----------------------------------------------------------------------------


def _header(sheet, columns: list[tuple[str, str, bool]]) -> None:  # noqa: ANN001 - openpyxl
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, (_, title, required) in enumerate(columns, 1):
        cell = sheet.cell(row=1, column=index, value=title + (" *" if required else ""))
        cell.font = Font(bold=True)
        cell.fill = fill
        sheet.column_dimensions[cell.column_letter].width = max(16, len(title) + 6)
    sheet.freeze_panes = "A2"


def _dropdown(sheet, column: str, choices: list[str]) -> None:  # noqa: ANN001 - openpyxl
    formula = '"' + ",".join(c.replace(",", "") for c in choices) + '"'
    if len(formula) > 255:  # Excel's limit for an inline list: leave it to the help sheet
        return
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.add(f"{column}2:{column}{MAX_ROWS + 1}")
    sheet.add_data_validation(validation)


def template_bytes() -> bytes:
    """The onboarding template with its two sheets, an example row each and a help sheet."""
    book = Workbook()
    units = book.active
    units.title = UNIT_SHEET
    _header(units, UNIT_COLUMNS)
    units.append(["XTANHOA", "Xã Tân Hòa", "Xã", "HCAUKE", "xatanhoa@example.vn",
                  "01/07/2025", "", "XTANHOA1, XTANHOA2"])
    users = book.create_sheet(USER_SHEET)
    _header(users, USER_COLUMNS)
    users.append(["nguyenvana.tanhoa", "Nguyễn Văn A", "Cán bộ đơn vị", "XTANHOA",
                  "Công chức Văn phòng - Thống kê", "nguyenvana@example.vn", ""])
    _dropdown(users, "C", list(USER_ROLES.values()))
    help_sheet = book.create_sheet(HELP_SHEET)
    help_sheet.column_dimensions["A"].width = 40
    help_sheet.column_dimensions["B"].width = 70
    lines = [
        ("Cách dùng", "Điền trang “Đơn vị” và “Người dùng” (xóa dòng ví dụ), tải lên ở Quản trị → "
                      "Nhập từ Excel, xem trước rồi xác nhận. Có lỗi ở bất kỳ dòng nào thì không "
                      "tạo gì; nhập lại cùng tệp không thay đổi gì."),
        ("Mã đơn vị", "Chữ không dấu, số, _ và -, tối đa 20 ký tự; không đổi được sau khi tạo."),
        ("Ngày", "Dạng ngày/tháng/năm, ví dụ 01/07/2025."),
        ("Ô để trống", "Với đơn vị, người dùng đã có: giữ nguyên thông tin đã lưu (muốn xóa "
                       "hay mở lại đơn vị thì sửa trên trang Quản trị)."),
        ("Thay thế cho", "Mã các đơn vị cũ sáp nhập vào đơn vị này, cách nhau dấu phẩy; cần "
                         "“Hoạt động từ ngày”: các đơn vị cũ ngừng hoạt động từ ngày đó."),
        ("Mật khẩu ban đầu", "Để trống: dùng mật khẩu chung nhập khi xác nhận. Người dùng mới "
                             "phải đổi mật khẩu ở lần đăng nhập đầu tiên."),
        ("", ""),
        ("Loại đơn vị (ghi tên hoặc mã)", ""),
        *[(label, code) for code, label in UNIT_TYPES.items()],
        ("", ""),
        ("Vai trò (ghi tên hoặc mã)", ""),
        *[(label, code) for code, label in USER_ROLES.items()],
    ]
    for left, right in lines:
        help_sheet.append([left, right])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading an upload -----------------------------------------------------------------------


def _find_sheet(book, title: str):  # noqa: ANN001, ANN202 - openpyxl
    wanted = fold(title)
    return next((book[name] for name in book.sheetnames if fold(name) == wanted), None)


def _columns(header: tuple, columns: list[tuple[str, str, bool]], sheet: str) -> dict[str, int]:
    by_title = {fold(title): key for key, title, _ in columns}
    found: dict[str, int] = {}
    for index, value in enumerate(header):
        key = by_title.get(fold(str(value or "")))
        if key is not None and key not in found:
            found[key] = index
    missing = [title for key, title, required in columns if required and key not in found]
    if missing:
        raise UserError(f"Trang «{sheet}» thiếu cột: {', '.join(missing)} (dòng tiêu đề ở dòng 1).")
    return found


def _rows(book, title: str, columns: list[tuple[str, str, bool]]) -> list[Row]:  # noqa: ANN001
    sheet = _find_sheet(book, title)
    if sheet is None:
        return []
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return []
    where = _columns(header, columns, title)
    out: list[Row] = []
    for number, values in enumerate(rows, 2):
        if number > MAX_ROWS + 1:
            raise UserError(f"Trang «{title}» có quá {MAX_ROWS} dòng; hãy chia thành nhiều tệp.")
        cells = {key: values[i] if i < len(values) else None for key, i in where.items()}
        if all(v is None or str(v).strip() == "" for v in cells.values()):
            continue
        out.append(Row(title, number, cells))
    return out


def read(data: bytes) -> Sheets:
    """The rows of both sheets; a file that is not a readable .xlsx is a UserError."""
    try:
        package = archives.rebuild(data, limits=XLSX_LIMITS, label="Tệp .xlsx")
    except archives.ArchiveError as exc:
        if exc.kind == archives.BROKEN:
            raise UserError("Tệp không phải tệp Excel .xlsx đọc được.") from None
        raise
    try:
        book = load_workbook(io.BytesIO(package), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise UserError("Tệp không phải tệp Excel .xlsx đọc được.") from None
    try:
        sheets = Sheets(_rows(book, UNIT_SHEET, UNIT_COLUMNS),
                        _rows(book, USER_SHEET, USER_COLUMNS))
    finally:
        book.close()
    if not sheets.units and not sheets.users:
        raise UserError(f"Không có dòng nào ở trang «{UNIT_SHEET}» hay «{USER_SHEET}».")
    return sheets


def write(units: list[list[object]], users: list[list[object]]) -> bytes:
    """A workbook in the template's shape (tests and the benchmark build files with it)."""
    book = Workbook()
    sheet = book.active
    sheet.title = UNIT_SHEET
    sheet.append([title for _, title, _ in UNIT_COLUMNS])
    for row in units:
        sheet.append(row)
    sheet = book.create_sheet(USER_SHEET)
    sheet.append([title for _, title, _ in USER_COLUMNS])
    for row in users:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
