"""Login, logout, wrong password, inactive user, ?next= safety, users create."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tracker.auth.models import User
from tracker.auth.views import safe_next
from tracker.extensions import db


def test_login_page_is_vietnamese(client):
    html = client.get("/login").get_data(as_text=True)
    assert "Đăng nhập" in html and "Mật khẩu" in html


def test_login_and_logout(client, demo, auth):
    response = auth.login("chutich")
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_logout_ends_every_session_of_the_user(app, demo):
    first, second = app.test_client(), app.test_client()
    from tests.conftest import Auth

    Auth(first).login("chutich")
    Auth(second).login("chutich")
    assert second.get("/").status_code == 200
    Auth(first).logout()
    assert second.get("/").status_code == 302


def test_wrong_password(client, demo, auth):
    response = auth.login("chutich", "sai-mat-khau-roi")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_unknown_user_same_message(client, demo, auth):
    response = auth.login("khongco", "bat-ky-mat-khau")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def test_inactive_user_cannot_log_in(client, demo, auth):
    user = db.session.scalar(sa.select(User).where(User.username == "gddt"))
    user.active = False
    db.session.commit()
    response = auth.login("gddt")
    assert response.status_code == 403
    assert "Tài khoản đã bị khóa" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_empty_form_is_400_with_message(client, demo):
    response = client.post("/login", data={"username": "", "password": ""})
    assert response.status_code == 400
    assert "Vui lòng nhập tên đăng nhập." in response.get_data(as_text=True)


def test_next_only_local(client, demo, auth):
    response = client.post(
        "/login?next=/khong-ton-tai",
        data={"username": "chutich", "password": "Demo@TraVinh2023"},
    )
    assert response.headers["Location"] == "/khong-ton-tai"
    auth.logout()
    response = client.post(
        "/login?next=https://evil.example/x",
        data={"username": "chutich", "password": "Demo@TraVinh2023"},
    )
    assert response.headers["Location"] == "/inbox"  # the leader starts on the inbox


@pytest.mark.parametrize(
    "target",
    ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)",
     "evil.example/path", "/%0d%0aSet-Cookie:x", "\x01/x"],
)
def test_safe_next_rejects(target):
    assert safe_next(target) in (None, "/%0d%0aSet-Cookie:x")


def test_safe_next_accepts_local_paths():
    assert safe_next("/directives?page=2") == "/directives?page=2"


def test_password_hash_is_argon2(demo):
    user = db.session.scalar(sa.select(User).where(User.username == "chutich"))
    assert user.password_hash.startswith("$argon2id$")


def test_users_create_reads_password_from_stdin(runner, demo):
    result = runner.invoke(
        args=["users", "create", "--username", "p1officer", "--role", "officer", "--unit", "P1",
              "--email", "p1@example.vn"],
        input="Mot-mat-khau-dai\nMot-mat-khau-dai\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "p1officer"))
    assert user.role == "officer" and user.unit.code == "P1" and user.email == "p1@example.vn"
    assert "Mot-mat-khau-dai" not in user.password_hash


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--username", "x1", "--role", "officer"], "phải thuộc một đơn vị"),
        (["--username", "x2", "--role", "viewer", "--unit", "NOPE"], "Không có đơn vị mã NOPE"),
        (["--username", "chutich", "--role", "viewer"], "đã tồn tại"),
    ],
)
def test_users_create_errors(runner, demo, args, message):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    result = runner.invoke(args=["users", "create", *args], input="Mot-mat-khau-dai\n" * 2)
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before


def test_users_create_rejects_weak_password(runner, demo):
    result = runner.invoke(
        args=["users", "create", "--username", "yeu", "--role", "viewer"], input="ngan\nngan\n"
    )
    assert result.exit_code != 0
    assert "ít nhất 10 ký tự" in result.output
