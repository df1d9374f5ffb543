"""Sessions and login: fresh sessions, every session ended on logout/deactivation/password
change, cookie flags, idle timeout, remember-me. Login throttling: test_login_throttle.py."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.conftest import Auth, build_app, running
from tracker.auth import services
from tracker.auth.models import User
from tracker.core import clock
from tracker.demo.accounts import DEMO_PASSWORD
from tracker.extensions import db

NEW_PASSWORD = "Mot-Mat-Khau-Moi-2024"


def _user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def _cookie_header(response, name: str) -> str:
    for value in response.headers.getlist("Set-Cookie"):
        if value.startswith(f"{name}="):
            return value
    raise AssertionError(f"no {name} cookie in {response.headers.getlist('Set-Cookie')}")


def test_login_gives_a_new_session(client, demo, auth):
    with client.session_transaction() as sess:
        sess["planted"] = "by-an-attacker"
    auth.login("chutich")
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"] == _user("chutich").session_token


def test_deactivation_ends_every_session(app, demo):
    first, second = app.test_client(), app.test_client()
    Auth(first).login("gddt")
    Auth(second).login("gddt")
    assert first.get("/").status_code == 200
    services.set_active(_user("gddt"), False)
    db.session.commit()
    for client in (first, second):
        response = client.get("/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_deactivation_through_the_page_ends_sessions(app, demo):
    officer, admin = app.test_client(), app.test_client()
    Auth(officer).login("gddt")
    Auth(admin).login("admin")
    user = _user("gddt")
    response = admin.post(
        f"/admin/users/{user.id}",
        data={"full_name": user.full_name, "email": user.email, "role": "officer",
              "unit_id": str(user.unit_id), "title": user.title or "",
              "version": str(user.edit_version)},
    )  # "active" unchecked
    assert response.status_code == 302
    assert officer.get("/").status_code == 302
    assert Auth(officer).login("gddt").status_code == 403


def test_password_change_ends_other_sessions_keeps_this_one(app, demo):
    this, other = app.test_client(), app.test_client()
    Auth(this).login("chutich")
    Auth(other).login("chutich")
    response = this.post(
        "/account/password",
        data={"current": DEMO_PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert this.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert Auth(other).login("chutich").status_code == 401
    assert Auth(other).login("chutich", NEW_PASSWORD).status_code == 302
    events = db.session.execute(
        sa.text("SELECT action FROM audit_event WHERE entity = 'user' AND entity_id = :id"),
        {"id": _user("chutich").id},
    ).scalars().all()
    assert "password_change" in events


def test_change_password_page_is_vietnamese(client, demo, auth):
    auth.login("xem")
    html = client.get("/account/password").get_data(as_text=True)
    assert "Đổi mật khẩu" in html and "Mật khẩu hiện tại" in html
    assert 'href="/account/password"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("sai-mat-khau-hien-tai", NEW_PASSWORD, NEW_PASSWORD, "Mật khẩu hiện tại không đúng."),
        (DEMO_PASSWORD, "ngan", "ngan", "ít nhất 10 ký tự"),
        (DEMO_PASSWORD, "xem-xem-xem-xem", "xem-xem-xem-xem", "không được chứa tên đăng nhập"),
        (DEMO_PASSWORD, "matkhau1234", "matkhau1234", "quá phổ biến"),
        (DEMO_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "không khớp"),
        (DEMO_PASSWORD, DEMO_PASSWORD, DEMO_PASSWORD, "phải khác mật khẩu hiện tại"),
    ],
)
def test_change_password_rules(client, demo, auth, current, new, confirm, message):
    auth.login("xem")
    before = _user("xem").password_hash
    response = client.post(
        "/account/password", data={"current": current, "new": new, "confirm": confirm}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert _user("xem").password_hash == before
    assert client.get("/").status_code == 200  # the session survived a failed attempt


def test_session_cookie_flags_on_http(client, demo, auth):
    response = auth.login("chutich")
    cookie = _cookie_header(response, "session")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    assert "remember_token" not in " ".join(response.headers.getlist("Set-Cookie"))


@pytest.fixture
def https_app(database_url, tmp_path):
    with running(build_app(database_url, tmp_path, BASE_URL="https://tracker.example.vn")) as app:
        yield app


def test_cookies_secure_when_base_url_is_https(https_app):
    from tracker.demo.seed import seed_demo

    seed_demo()
    db.session.commit()
    client = https_app.test_client()
    response = Auth(client).login("chutich")
    cookie = _cookie_header(response, "session")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_remember_me_is_off_unless_configured(client, demo):
    html = client.get("/login").get_data(as_text=True)
    assert "Ghi nhớ đăng nhập" not in html
    response = client.post(
        "/login", data={"username": "chutich", "password": DEMO_PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    assert "remember_token" not in " ".join(response.headers.getlist("Set-Cookie"))


@pytest.fixture
def remember_app(database_url, tmp_path):
    with running(build_app(database_url, tmp_path, REMEMBER_ME_ENABLED=True)) as app:
        yield app


def test_remember_me_when_configured_and_ended_by_logout_elsewhere(remember_app):
    from tracker.demo.seed import seed_demo

    seed_demo()
    db.session.commit()
    client = remember_app.test_client()
    assert "Ghi nhớ đăng nhập" in client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login", data={"username": "chutich", "password": DEMO_PASSWORD, "remember": "y"}
    )
    cookie = _cookie_header(response, "remember_token")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # A browser restart drops the session cookie; the remember cookie brings the user back...
    client.delete_cookie("session", domain="localhost")
    assert client.get("/").status_code == 200
    # ...until a logout elsewhere rotates the token.
    services.end_all_sessions(_user("chutich"))
    db.session.commit()
    client.delete_cookie("session", domain="localhost")
    assert client.get("/").status_code == 302


def test_idle_session_is_logged_out(client, demo, auth):
    auth.login("chutich")
    assert client.get("/").status_code == 200
    limit = client.application.config["IDLE_TIMEOUT_MINUTES"]
    assert limit == 480  # eight hours by default
    with client.session_transaction() as sess:
        sess["last_seen"] = (clock.real_now() - dt.timedelta(minutes=limit - 1)).isoformat()
    assert client.get("/").status_code == 200  # still inside the limit, and it renews
    with client.session_transaction() as sess:
        sess["last_seen"] = (clock.real_now() - dt.timedelta(minutes=limit + 1)).isoformat()
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Phiên làm việc đã hết hạn" in page
    assert client.get("/").status_code == 302


def test_last_seen_is_renewed_once_a_minute_not_on_every_page(client, demo, auth):
    """A page read within a minute of the last renewal sends no new session cookie (signing
    and compressing it cost every page); an older last_seen is renewed, so the idle limit still
    counts from the last minute of activity."""
    auth.login("chutich")
    assert client.get("/").status_code == 200
    response = client.get("/dashboard")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    two_minutes_ago = clock.real_now() - dt.timedelta(minutes=2)
    with client.session_transaction() as sess:
        sess["last_seen"] = two_minutes_ago.isoformat()
    response = client.get("/dashboard")
    assert "session=" in response.headers.get("Set-Cookie", "")
    assert abs(_last_seen(client) - clock.real_now()) < dt.timedelta(minutes=1)
    with client.session_transaction() as sess:  # a clock set back: renewed, not trusted
        sess["last_seen"] = (clock.real_now() + dt.timedelta(minutes=5)).isoformat()
    client.get("/dashboard")
    assert abs(_last_seen(client) - clock.real_now()) < dt.timedelta(minutes=1)


def _last_seen(client) -> dt.datetime:
    with client.session_transaction() as sess:
        return dt.datetime.fromisoformat(sess["last_seen"])


def test_idle_timeout_follows_the_real_clock_when_the_day_is_frozen(app, demo):
    """TRACKER_TODAY moves the working day, never the security clock: an idle session still
    ends after IDLE_TIMEOUT_MINUTES of real time, and moving the demo day ends nothing."""
    client = app.test_client()
    app.config["TRACKER_TODAY"] = "2023-04-04"
    Auth(client).login("chutich")
    assert abs(_last_seen(client) - clock.real_now()) < dt.timedelta(minutes=1)
    app.config["TRACKER_TODAY"] = "2023-04-05"
    assert client.get("/").status_code == 200
    assert abs(_last_seen(client) - clock.real_now()) < dt.timedelta(minutes=1)
    limit = app.config["IDLE_TIMEOUT_MINUTES"]
    with client.session_transaction() as sess:  # the last request, limit + 1 real minutes ago
        sess["last_seen"] = (clock.real_now() - dt.timedelta(minutes=limit + 1)).isoformat()
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
