"""Admin pages for users and units: admin only, rules enforced, every change audited."""

from __future__ import annotations

import hashlib
import re

import pytest
import sqlalchemy as sa

from tests.conftest import Auth
from tracker.admin import user_directory
from tracker.auth.models import User
from tracker.core.models import AuditEvent
from tracker.extensions import db
from tracker.units.models import Unit

GOOD_PASSWORD = "Mat-Khau-Ban-Dau-2023"


def _user(username: str) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.username == username))


def _unit(code: str) -> Unit:
    db.session.expire_all()
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def _audit(entity: str, entity_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def admin(client, demo, auth):
    auth.login("admin")
    return client


@pytest.mark.parametrize("username", ["chutich", "vanphong", "gddt", "xem"])
def test_only_admins(client, demo, auth, username):
    auth.login(username)
    target = _user("phuong9")
    for url in ("/admin/users", "/admin/units", "/admin/users/new", "/admin/units/new",
                f"/admin/users/{target.id}"):
        assert client.get(url).status_code == 403, url
    before = (target.password_hash, target.api_token_hash, target.role)
    for url in ("/admin/users/new", "/admin/units/new", f"/admin/users/{target.id}",
                f"/admin/users/{target.id}/password", f"/admin/users/{target.id}/api-token"):
        response = client.post(url, data={"role": "admin", "password": "Mat-Khau-Ban-Dau-2023",
                                          "confirm": "Mat-Khau-Ban-Dau-2023"})
        assert response.status_code == 403, url
    target = _user("phuong9")
    assert (target.password_hash, target.api_token_hash, target.role) == before


def test_users_list_and_nav(admin):
    html = admin.get("/admin/users").get_data(as_text=True)
    for text in ("Người dùng", "chutich", "Nguyễn Văn Tâm", "Phòng Giáo dục và Đào tạo",
                 "Thêm người dùng"):
        assert text in html
    page = admin.get("/").get_data(as_text=True)
    assert 'href="/admin/users"' in page and 'href="/admin/units"' in page


def _listed(html: str) -> list[str]:
    return re.findall(r"<td[^>]*><code>([^<]+)</code></td>", html)


def test_users_found_by_name_unit_and_role_a_page_at_a_time(admin, monkeypatch):
    """A province has two thousand accounts: the list is searched (accents aside) and paged."""
    everyone = _listed(admin.get("/admin/users").get_data(as_text=True))
    assert "chutich" in everyone and "phuong9" in everyone
    # accents and case aside, every word anywhere in the row (name, account, unit)
    html = admin.get("/admin/users?q=NGUYEN+van+tam").get_data(as_text=True)
    assert _listed(html) == ["chutich"] and "Tìm thấy 1 người dùng" in html
    by_unit = _listed(admin.get("/admin/users?q=giao+duc").get_data(as_text=True))
    assert "gddt" in by_unit and "chutich" not in by_unit
    officers = _listed(admin.get("/admin/users?role=officer").get_data(as_text=True))
    assert officers and all(_user(name).role == "officer" for name in officers)
    html = admin.get("/admin/users?q=khong+ai+ten+nay").get_data(as_text=True)
    assert "Không có người dùng nào khớp" in html
    # a page at a time, the filters kept in the pager's links
    monkeypatch.setattr(user_directory, "PER_PAGE", 2)
    first = admin.get("/admin/users?role=officer").get_data(as_text=True)
    second = admin.get("/admin/users?role=officer&page=2").get_data(as_text=True)
    assert _listed(first) + _listed(second) == officers[:4]
    assert 'href="/admin/users?role=officer&amp;page=2"' in first
    # nonsense is refused in Vietnamese
    for query, message in (("role=boss", "Vai trò không hợp lệ"), ("page=0", "Số trang"),
                           ("q=" + "x" * 101, "dài quá")):
        response = admin.get(f"/admin/users?{query}")
        assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_nav_links_hidden_from_others(client, demo, auth):
    auth.login("chutich")
    assert 'href="/admin/users"' not in client.get("/").get_data(as_text=True)


def test_create_officer(admin):
    unit = _unit("P1")
    response = admin.post(
        "/admin/users/new",
        data={"username": "p1.canbo", "full_name": "Lý Thị Mai", "email": "mai@p1.example.vn",
              "role": "officer", "unit_id": str(unit.id), "password": GOOD_PASSWORD,
              "active": "y", "title": "Công chức"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    user = _user("p1.canbo")
    assert user.unit_id == unit.id and user.role == "officer" and user.active
    assert _audit("user", user.id) == ["create"]
    assert Auth(admin.application.test_client()).login("p1.canbo", GOOD_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"role": "officer", "unit_id": ""}, "phải thuộc một đơn vị"),
        ({"password": "ngan"}, "ít nhất 10 ký tự"),
        ({"password": "moi.nguoi.2023"}, "không được chứa tên đăng nhập"),
        ({"username": "chutich"}, "đã tồn tại"),
        ({"username": "có dấu"}, "chữ không dấu"),
        ({"role": "superuser"}, "Giá trị đã chọn không hợp lệ."),
        ({"unit_id": "999999"}, "Giá trị đã chọn không hợp lệ."),
        ({"email": "khong-phai-email"}, "E-mail không hợp lệ"),
        ({"full_name": ""}, "Vui lòng nhập họ và tên."),
    ],
)
def test_create_user_rules(admin, changes, message):
    data = {"username": "moi.nguoi", "full_name": "Người Mới", "email": "", "role": "viewer",
            "unit_id": "", "password": GOOD_PASSWORD, "active": "y"}
    data.update(changes)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    response = admin.post("/admin/users/new", data=data)
    assert response.status_code == 400
    assert message.lower() in response.get_data(as_text=True).lower()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before


def test_edit_user_role_unit_email(admin):
    user = _user("xem")
    unit = _unit("P9")
    response = admin.post(
        f"/admin/users/{user.id}",
        data={"full_name": "Kim Thị Sa Rinh", "email": "sarinh@p9.example.vn",
              "role": "officer", "unit_id": str(unit.id), "active": "y",
              "version": str(user.edit_version),
              "username": "hacked", "password_hash": "x", "session_token": "x"},
    )
    assert response.status_code == 302
    user = _user("xem")
    assert (user.role, user.unit_id, user.email) == ("officer", unit.id, "sarinh@p9.example.vn")
    assert user.username == "xem"  # extra fields ignored
    assert _audit("user", user.id)[-1] == "update"
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.entity == "user", AuditEvent.action == "update")
    )
    assert event.before["role"] == "viewer" and event.after["role"] == "officer"


def test_edit_form_shows_current_values(admin):
    user = _user("gddt")
    html = admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Phạm Thị Lan" in html and "gddt@travinh.example.vn" in html
    assert re.search(rf'<option selected value="{user.unit_id}">', html)
    assert "Đặt lại mật khẩu" in html and "Cấp mã API mới" in html


def test_admin_cannot_lock_themself_out(admin):
    me = _user("admin")
    response = admin.post(
        f"/admin/users/{me.id}",
        data={"full_name": me.full_name, "role": "viewer", "unit_id": "", "active": "y",
              "version": str(me.edit_version)},
    )
    assert response.status_code == 400
    assert "không thể tự bỏ quyền quản trị" in response.get_data(as_text=True)
    assert _user("admin").role == "admin"


def test_unknown_user_is_404(admin):
    assert admin.get("/admin/users/987654").status_code == 404
    assert admin.post("/admin/users/987654/password", data={}).status_code == 404


def test_reset_password_ends_sessions(admin, app):
    victim = app.test_client()
    Auth(victim).login("phuong9")
    user = _user("phuong9")
    response = admin.post(
        f"/admin/users/{user.id}/password",
        data={"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD},
    )
    assert response.status_code == 302
    assert victim.get("/").status_code == 302
    assert Auth(victim).login("phuong9", GOOD_PASSWORD).status_code == 302
    assert "password_change" in _audit("user", user.id)


def test_reset_password_rules(admin):
    user = _user("phuong9")
    before = user.password_hash
    response = admin.post(
        f"/admin/users/{user.id}/password", data={"password": "ngan", "confirm": "ngan"}
    )
    assert response.status_code == 400
    assert "ít nhất 10 ký tự" in response.get_data(as_text=True)
    assert _user("phuong9").password_hash == before


def test_issue_api_token_shown_once_and_only_hash_stored(admin):
    user = _user("vanphong")
    response = admin.post(f"/admin/users/{user.id}/api-token")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "chỉ hiển thị một lần" in html
    token = re.search(r"<code>([A-Za-z0-9_-]{40,})</code>", html).group(1)
    stored = _user("vanphong").api_token_hash
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert token not in admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert _audit("user", user.id)[-1] == "api_token_issued"
    admin.post(f"/admin/users/{user.id}/api-token/revoke")
    assert _user("vanphong").api_token_hash is None


def test_units_list_create_edit(admin):
    html = admin.get("/admin/units").get_data(as_text=True)
    assert "Phòng Giáo dục và Đào tạo" in html and "Các phường" in html and "Các xã" in html
    response = admin.post(
        "/admin/units/new",
        data={"code": "ttpt", "name": "Trung tâm Phát triển quỹ đất", "kind": "su_nghiep",
              "email": "ttpt@travinh.example.vn", "active": "y"},
    )
    assert response.status_code == 302
    unit = _unit("TTPT")
    assert unit.name == "Trung tâm Phát triển quỹ đất" and unit.active
    assert (unit.unit_type, unit.kind) == ("su_nghiep", "department")
    response = admin.post(
        f"/admin/units/{unit.id}",
        data={"name": "Trung tâm Phát triển quỹ đất thành phố", "kind": "su_nghiep",
              "email": "", "code": "CHANGED", "version": unit.version},
    )
    assert response.status_code == 302
    unit = _unit("TTPT")
    assert unit.name == "Trung tâm Phát triển quỹ đất thành phố" and not unit.active
    assert unit.email is None
    assert _audit("unit", unit.id) == ["create", "update"]


def test_unit_edit_from_a_stale_form_is_409(admin):
    unit = _unit("P1")
    form = {"name": "Phường Một", "kind": "phuong", "active": "y", "version": unit.version}
    assert admin.post(f"/admin/units/{unit.id}", data=form).status_code == 302
    response = admin.post(f"/admin/units/{unit.id}", data={**form, "name": "Phường Hai"})
    assert response.status_code == 409
    assert _unit("P1").name == "Phường Một"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "GDDT"}, "đã tồn tại"),
        ({"code": "mã có dấu"}, "chữ không dấu"),
        ({"kind": "planet"}, "Giá trị đã chọn không hợp lệ."),
        ({"kind": "ward"}, "Giá trị đã chọn không hợp lệ."),
        ({"name": ""}, "Vui lòng nhập tên đơn vị."),
        ({"email": "a@b"}, "E-mail không hợp lệ"),
        ({"valid_from": "31/02/2025"}, "không phải ngày hợp lệ"),
        ({"valid_from": "01/07/2025", "ended_on": "01/07/2025"}, "phải sau ngày bắt đầu"),
    ],
)
def test_create_unit_rules(admin, data, message):
    form = {"code": "MOI", "name": "Đơn vị mới", "kind": "xa", "email": "", "active": "y"}
    form.update(data)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Unit))
    response = admin.post("/admin/units/new", data=form)
    assert response.status_code == 400
    assert message.lower() in response.get_data(as_text=True).lower()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == before


def test_stored_text_is_escaped_on_admin_pages(admin):
    unit = _unit("P1")
    admin.post(
        f"/admin/units/{unit.id}",
        data={"name": '<script>alert("x")</script>', "kind": "phuong", "active": "y",
              "version": unit.version},
    )
    html = admin.get("/admin/units").get_data(as_text=True)
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(" in html
