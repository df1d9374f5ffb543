"""Bulk onboarding from an .xlsx: 150 units and 500 users previewed then created at once, the
same file twice changes nothing, a file with errors creates nothing and lists every error by
row, and new users change their initial password at their first sign-in."""

from __future__ import annotations

import io
import re
import time

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tracker.admin import workbook
from tracker.auth import services as auth_services
from tracker.auth.models import User
from tracker.core.models import AuditEvent
from tracker.extensions import db
from tracker.units.models import Unit, UnitSuccession

PASSWORD = "Admin@Onboard2025"
COMMON = "Ban-Dau@2025-VinhLong"
DISTRICTS = ["Long Hồ", "Mang Thít", "Vũng Liêm", "Tam Bình", "Trà Ôn", "Càng Long",
             "Cầu Kè", "Tiểu Cần", "Trà Cú", "Ba Tri"]
OFFICES = ["Sở Nội vụ", "Sở Tư pháp", "Sở Tài chính", "Sở Công Thương", "Sở Xây dựng",
           "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Khoa học và Công nghệ",
           "Sở Nông nghiệp và Môi trường", "Sở Văn hóa, Thể thao và Du lịch",
           "Thanh tra tỉnh", "Văn phòng UBND tỉnh", "Sở Dân tộc và Tôn giáo"]
LINE_UNITS = ["Công an tỉnh", "Bộ Chỉ huy Quân sự tỉnh", "Thuế tỉnh", "Bảo hiểm xã hội tỉnh"]
SERVICE_UNITS = ["Trung tâm Phục vụ hành chính công tỉnh", "Ban Quản lý dự án tỉnh"]


def province_rows() -> tuple[list[list[object]], list[list[object]]]:
    """150 units (19 offices, 10 former districts, 121 communes and wards) and 500 users."""
    units: list[list[object]] = [["LDUB", "Lãnh đạo UBND tỉnh", "Lãnh đạo UBND", "", "", "", "",
                                  ""]]
    for i, name in enumerate(OFFICES):
        units.append([f"S{i:02d}", name, "Sở, ban, ngành", "", f"s{i:02d}@vl.example.vn", "",
                      "", ""])
    for i, name in enumerate(LINE_UNITS):
        units.append([f"N{i}", name, "nganh_doc", "", "", "", "", ""])
    for i, name in enumerate(SERVICE_UNITS):
        units.append([f"D{i}", name, "Đơn vị sự nghiệp", "", "", "", "", ""])
    for i, name in enumerate(DISTRICTS):
        units.append([f"H{i}", f"Huyện {name} (cũ)", "huyen", "", "", "", "01/07/2025", ""])
    local = 150 - len(units)
    for i in range(local):
        kind = "Phường" if i % 6 == 0 else "Xã"
        replaces = f"OLD{i}A, OLD{i}B" if i < 3 else ""
        units.append([f"X{i:03d}", f"{kind} Tân Phú {i}", kind, f"H{i % len(DISTRICTS)}",
                      f"x{i:03d}@vl.example.vn", "01/07/2025", "", replaces])
    old = [[f"OLD{i}{s}", f"Xã cũ {i}{s}", "Xã", f"H{i}", "", "", "", ""]
           for i in range(3) for s in "AB"]
    units = old + units[: 150 - len(old)]
    codes = [u[0] for u in units if u[0].startswith(("S", "N", "D", "X"))]
    users: list[list[object]] = [
        ["chutich", "Trần Quốc Khánh", "Lãnh đạo UBND", "LDUB", "Chủ tịch UBND tỉnh", "", ""],
        ["vanphong", "Lê Hoàng Phúc", "secretariat", "S11", "", "vp@vl.example.vn", ""],
        ["xem", "Huỳnh Văn Hai", "Người xem", "", "", "", ""],
    ]
    for i in range(500 - len(users)):
        code = codes[i % len(codes)]
        users.append([f"canbo{i:03d}", f"Nguyễn Văn Cán Bộ {i}", "Cán bộ đơn vị", code,
                      "Chuyên viên", f"canbo{i:03d}@vl.example.vn", ""])
    return units, users


@pytest.fixture
def admin(app, client, auth):
    auth_services.create_user(username="quantri", full_name="Quản trị", password=PASSWORD,
                              role="admin")
    db.session.commit()
    auth.login("quantri", PASSWORD)
    return client


def _upload(client, data: bytes, name: str = "don-vi.xlsx"):  # noqa: ANN001, ANN202
    return client.post("/admin/onboarding", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def _count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_template_downloads_and_reads(admin):
    response = admin.get("/admin/onboarding/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Đơn vị", "Người dùng", "Hướng dẫn"]
    sheets = workbook.read(response.data)
    assert sheets.units[0].text("code") == "XTANHOA" and sheets.users[0].text("role")


def test_150_units_and_500_users_at_once_and_twice_changes_nothing(admin, app):
    units, users = province_rows()
    data = workbook.write(units, users)
    response = _upload(admin, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, re.findall(r"dòng \d+[^<]*", html)[:5]
    assert "Đơn vị: 150 tạo mới, 0 thay đổi, 0 không đổi, 0 lỗi" in html
    assert "Người dùng: 500 tạo mới, 0 thay đổi, 0 không đổi, 0 lỗi" in html
    assert _count(Unit) == 0 and _count(User) == 1  # a preview writes nothing
    token = _token(html)
    assert admin.post("/admin/onboarding/confirm", data={"token": token,
                                                         "common_password": "short"}
                      ).status_code == 400
    assert _count(Unit) == 0
    started = time.perf_counter()
    response = admin.post("/admin/onboarding/confirm", data={"token": token,
                                                             "common_password": COMMON})
    elapsed = time.perf_counter() - started
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert elapsed < 20, elapsed
    assert _count(Unit) == 150 and _count(User) == 501
    types = dict(db.session.execute(sa.select(Unit.code, Unit.unit_type)).tuples().all())
    assert types["S00"] == "so_nganh" and types["N0"] == "nganh_doc" and types["D0"] == "su_nghiep"
    assert types["X000"] == "phuong" and types["X001"] == "xa" and types["H0"] == "huyen"
    x1 = db.session.scalar(sa.select(Unit).where(Unit.code == "X001"))
    assert x1.parent.code == "H1" and x1.kind == "ward"
    assert _count(UnitSuccession) == 6  # OLD0A, OLD0B → X000 ...
    old = db.session.scalar(sa.select(Unit).where(Unit.code == "OLD0A"))
    assert old.ended_on.isoformat() == "2025-07-01"
    new_users = db.session.scalars(sa.select(User).where(User.username != "quantri")).all()
    assert all(u.must_change_password for u in new_users)
    officer = next(u for u in new_users if u.username == "canbo007")
    assert officer.unit is not None and officer.role == "officer"

    audits = _count(AuditEvent)
    again = _upload(admin, data)
    html = again.get_data(as_text=True)
    assert again.status_code == 200
    assert "Đơn vị: 0 tạo mới, 0 thay đổi, 150 không đổi, 0 lỗi" in html
    assert "Người dùng: 0 tạo mới, 0 thay đổi, 500 không đổi, 0 lỗi" in html
    assert "không thay đổi gì" in html and 'name="token"' not in html
    assert _count(Unit) == 150 and _count(User) == 501 and _count(AuditEvent) == audits
    # Applying the first (already applied) file again changes nothing either.
    admin.post("/admin/onboarding/confirm", data={"token": token, "common_password": COMMON})
    assert _count(Unit) == 150 and _count(User) == 501 and _count(AuditEvent) == audits


def test_new_user_changes_the_initial_password_first(admin, app, client, auth):
    units, users = province_rows()
    response = _upload(admin, workbook.write(units[:40], users[:5]))
    admin.post("/admin/onboarding/confirm", data={
        "token": _token(response.get_data(as_text=True)), "common_password": COMMON})
    auth.logout()
    assert auth.login("canbo001", COMMON).status_code == 302
    page = client.get("/dashboard", follow_redirects=True).get_data(as_text=True)
    assert "lần đăng nhập đầu tiên" in page and "Đổi mật khẩu" in page
    assert client.get("/directives").status_code == 302
    assert client.post("/account/password", data={
        "current": COMMON, "new": "Mat-Khau-Rieng-2025!", "confirm": "Mat-Khau-Rieng-2025!"
    }).status_code == 302
    assert client.get("/directives").status_code == 200
    user = db.session.scalar(sa.select(User).where(User.username == "canbo001"))
    db.session.refresh(user)
    assert not user.must_change_password


def test_file_with_errors_creates_nothing_and_lists_every_error_by_row(admin):
    units = [
        ["S01", "Sở Nội vụ", "Sở, ban, ngành", "", "", "", "", ""],
        ["X01", "Xã Tân Hòa", "Xã", "HXX", "bad-email", "", "", ""],  # row 3
        ["S01", "Sở Nội vụ trùng", "so_nganh", "", "", "", "", ""],  # row 4: duplicate code
        ["X02", "Xã Long Hòa", "Hành tinh", "", "", "31/02/2025", "", ""],  # row 5
    ]
    users = [
        ["canbo1", "Cán bộ Một", "Cán bộ đơn vị", "S01", "", "canbo1@example.vn", ""],
        ["canbo2", "Cán bộ Hai", "Cán bộ đơn vị", "KHONGCO", "", "", ""],  # row 3: unknown
        ["CanBo1", "Trùng tên", "Người xem", "", "", "", ""],  # row 4: duplicate username
        ["canbo4", "Cán bộ Bốn", "Cán bộ đơn vị", "S01", "", "canbo4@@example", ""],  # row 5
        ["canbo5", "", "Quản vương", "", "", "", "123"],  # row 6: name, role, password
    ]
    response = _upload(admin, workbook.write(units, users))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    errors = html.split('id="onboarding-errors"', 1)[1].split("</div>", 1)[0]
    expected = [
        ("Đơn vị", 3, "không có đơn vị cấp trên mã HXX"),
        ("Đơn vị", 3, "e-mail «bad-email» không hợp lệ"),
        ("Đơn vị", 4, "trùng mã đơn vị với dòng 2"),
        ("Đơn vị", 5, "loại đơn vị «Hành tinh» không có"),
        ("Đơn vị", 5, "không phải ngày hợp lệ"),
        ("Người dùng", 3, "không có đơn vị mã KHONGCO"),
        ("Người dùng", 4, "trùng tên đăng nhập với dòng 2"),
        ("Người dùng", 5, "e-mail «canbo4@@example» không hợp lệ"),
        ("Người dùng", 6, "thiếu họ và tên"),
        ("Người dùng", 6, "vai trò «Quản vương» không có"),
        ("Người dùng", 6, "mật khẩu ban đầu"),
    ]
    items = re.findall(r"<li>Trang «([^»]+)», dòng (\d+) \([^)]*\): (.*?)</li>", errors, re.S)
    for sheet, row, message in expected:
        assert any(s == sheet and int(r) == row and message in m for s, r, m in items), \
            (sheet, row, message, items)
    assert {(s, int(r)) for s, r, _ in items} == {(s, r) for s, r, _ in expected}
    assert 'name="token"' not in html
    assert _count(Unit) == 0 and _count(User) == 1
    token = re.search(r"token=([\w-]+)", html)
    assert token is None  # no way to confirm from the page
    from tracker.admin.models import OnboardingDraft

    draft = db.session.scalar(sa.select(OnboardingDraft))
    response = admin.post("/admin/onboarding/confirm", data={"token": draft.token,
                                                             "common_password": COMMON})
    assert response.status_code == 400
    assert _count(Unit) == 0 and _count(User) == 1


@pytest.mark.parametrize(("name", "data", "message"), [
    ("a.xlsx", b"not a zip at all", "không phải tệp Excel .xlsx"),
    ("a.csv", b"a,b", "Chỉ nhận tệp Excel .xlsx"),
    ("a.xlsx", workbook.write([], []), "Không có dòng nào"),
])
def test_unreadable_files_are_refused(admin, name, data, message):
    response = _upload(admin, data, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_existing_units_and_users_are_changed_or_refused_row_by_row(demo, client, auth):
    auth.login("admin")
    units = [
        ["P9", "Phường 9", "Phường", "", "phuong9.moi@travinh.example.vn", "", "", ""],
        ["P1", "Phường 1", "Phường", "", "", "", "01/03/2023", ""],  # given work on 01/03
    ]
    users = [
        ["gddt", "Phạm Thị Lan", "Cán bộ đơn vị", "GDDT", "Phó Trưởng phòng", "", ""],
        ["admin", "Quản trị hệ thống", "Người xem", "", "", "", ""],  # the importer itself
        ["phuong9", "Thạch Văn Sơn", "officer", "", "", "", ""],  # blank unit keeps P9
    ]
    response = _upload(client, workbook.write(units, users))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    p9 = re.search(r'<tr data-row="2" data-action="update"[^>]*>(.*?)</tr>', html, re.S)[1]
    assert "e-mail: p9@travinh.example.vn → phuong9.moi@travinh.example.vn" in p9
    assert "đơn vị được giao việc ngày 01/03/2023, không thể ngừng hoạt động từ 01/03/2023" \
        in html
    assert "chức vụ: Chuyên viên Phòng Giáo dục và Đào tạo → Phó Trưởng phòng" in html
    assert "không thể tự bỏ quyền quản trị của mình" in html
    assert re.search(r'<tr data-row="4" data-action="unchanged"', html.split(
        'id="onboarding-users"')[1])
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == "P9"))
    assert unit.email == "p9@travinh.example.vn"  # nothing applied
