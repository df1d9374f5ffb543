"""Login throttling (issue 16, item 1): failures slow down the address that fails, never lock the
owner out; the client address is the real one behind nginx (TRUSTED_PROXIES); an admin sees and
clears throttles on a page and with the CLI; timing follows the real clock (item 7)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.test import EnvironBuilder

from tests.conftest import Auth, build_app, running
from tracker.auth import throttle
from tracker.auth.models import LoginAttempt
from tracker.core import clock, proxies
from tracker.core.models import AuditEvent
from tracker.demo.seed import DEMO_PASSWORD
from tracker.extensions import db

WRONG = "sai-mat-khau-nhe"
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.20"


def _login(client, username: str, password: str = DEMO_PASSWORD, *, address: str = "127.0.0.1",
           forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post(
        "/login", data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address}, headers=headers,
    )


def _fail(client, username: str, times: int, **where) -> None:
    for _ in range(times):
        assert _login(client, username, WRONG, **where).status_code == 401


def _past_failures(username: str, address: str, count: int, minutes_ago: float = 5) -> None:
    """Failures that happened earlier (as an attacker who waited out each delay would leave)."""
    at = clock.real_now() - dt.timedelta(minutes=minutes_ago)
    for i in range(count):
        db.session.add(LoginAttempt(username=username, address=address, success=False,
                                    at=at - dt.timedelta(seconds=i)))
    db.session.commit()


def _age(seconds: float) -> None:
    for attempt in db.session.scalars(sa.select(LoginAttempt)):
        attempt.at -= dt.timedelta(seconds=seconds)
    db.session.commit()


# --- the owner is never locked out by someone else ----------------------------------------------


def test_many_failures_from_another_address_never_keep_the_owner_out(app, demo):
    attacker, owner = app.test_client(), app.test_client()
    _fail(attacker, "chutich", 3, address=ATTACKER)
    _past_failures("chutich", ATTACKER, 40)  # and dozens more before
    response = _login(attacker, "chutich", DEMO_PASSWORD, address=ATTACKER)
    assert response.status_code == 429  # the attacker's address waits, even with the password
    response = _login(owner, "chutich", address=OWNER)
    assert response.status_code == 302, "the owner, from a clean address, gets in at once"
    assert owner.get("/").status_code == 200


def test_failures_from_many_addresses_do_not_lock_a_clean_address(app, demo):
    """A distributed attempt: 1 failure each from 15 addresses. The account-wide brake holds the
    failing addresses back (at most 30 s); a clean address is checked at once."""
    for i in range(15):
        _past_failures("chutich", f"192.0.2.{i + 1}", 1, minutes_ago=0.1)
    client = app.test_client()
    response = _login(client, "chutich", address="192.0.2.1")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) <= throttle.ACCOUNT.cap
    assert _login(client, "chutich", WRONG, address="192.0.2.99").status_code == 401
    assert _login(client, "chutich", address=OWNER).status_code == 302


def test_behind_nginx_one_attacker_does_not_lock_out_everyone(database_url, tmp_path):
    """The attack run's finding: every request reaches the app from nginx (127.0.0.1). With
    TRUSTED_PROXIES the real client address is used, so 25 failures over 5 accounts from one
    client slow that client only, and the chairman logs in from his own address."""
    with running(build_app(database_url, tmp_path, TRUSTED_PROXIES="127.0.0.1")) as app:
        from tracker.demo.seed import seed_demo

        seed_demo()
        db.session.commit()
        attacker, chairman = app.test_client(), app.test_client()
        for name in ("phochutich", "vanphong", "gddt", "xem", "admin"):
            _fail(attacker, name, 3, forwarded=ATTACKER)
        _past_failures("bqlda", ATTACKER, 10)  # 25 failures from one client address
        response = _login(attacker, "chutich", forwarded=ATTACKER)
        assert response.status_code == 429
        assert "tạm thời bị chậm lại" in response.get_data(as_text=True)
        assert _login(chairman, "chutich", forwarded=OWNER).status_code == 302
        addresses = set(db.session.scalars(sa.select(LoginAttempt.address)))
        assert addresses == {ATTACKER, OWNER}


# --- the failing address is slowed down, more with every failure ---------------------------------


def test_the_failing_address_waits_longer_after_each_failure(client, demo):
    _fail(client, "chutich", 3)
    response = _login(client, "chutich")  # even the right password waits
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert "Vui lòng thử lại sau 2 giây" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    waits = []
    for _ in range(4):
        _age(60)  # a minute later: the wait is over
        assert _login(client, "chutich", WRONG).status_code == 401
        waits.append(int(_login(client, "chutich").headers["Retry-After"]))
    assert waits == [4, 8, 16, 32]
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(LoginAttempt).where(LoginAttempt.success)
    ) == 0


def test_the_wait_is_capped_and_the_right_password_then_works(client, demo):
    _past_failures("chutich", "127.0.0.1", 30, minutes_ago=1)
    response = _login(client, "chutich")
    assert response.status_code == 429
    assert "14 phút" in response.get_data(as_text=True)  # 15 minutes from a minute ago
    _age(15 * 60)
    assert _login(client, "chutich").status_code == 302


def test_a_success_resets_the_count(client, demo, auth):
    _fail(client, "chutich", 3)
    _age(5)
    assert auth.login("chutich").status_code == 302
    auth.logout()
    _fail(client, "chutich", 3)
    assert _login(client, "chutich").status_code == 429


def test_username_case_does_not_dodge_the_count(client, demo):
    for name in ("chutich", "ChuTich", " CHUTICH"):
        assert _login(client, name, WRONG).status_code == 401
    assert _login(client, "chuTICH").status_code == 429


def test_failures_older_than_the_window_are_forgotten(client, demo):
    _past_failures("chutich", "127.0.0.1", 12, minutes_ago=61)
    assert _login(client, "chutich").status_code == 302


def test_an_address_trying_many_accounts_is_slowed_for_every_account(client, demo):
    for name in ("chutich", "phochutich", "vanphong", "gddt", "xem", "bqlda"):
        _past_failures(name, ATTACKER, 4, minutes_ago=0.2)  # 24 failures from one address
    response = _login(client, "admin", address=ATTACKER)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 1
    assert _login(client, "admin", address="10.1.2.3").status_code == 302


def test_count_is_shared_between_workers(database_url, tmp_path, demo):
    """Two apps (two gunicorn workers) against one database see the same failures."""
    other = build_app(database_url, tmp_path)
    _fail(demo.test_client(), "chutich", 2)
    with other.app_context():
        client = other.test_client()
        _fail(client, "chutich", 1)
        assert _login(client, "chutich").status_code == 429
        db.session.remove()
        db.engine.dispose()
    assert _login(demo.test_client(), "chutich").status_code == 429


def test_attempts_are_recorded_with_address_and_outcome(client, demo, auth):
    auth.login("gddt", WRONG)
    auth.login("gddt")
    rows = db.session.execute(
        sa.select(LoginAttempt.username, LoginAttempt.address, LoginAttempt.success)
        .order_by(LoginAttempt.id)
    ).all()
    assert [tuple(r) for r in rows] == [("gddt", "127.0.0.1", False), ("gddt", "127.0.0.1", True)]


# --- the frozen demo clock does not freeze security timing (item 7) -----------------------------


def test_throttling_follows_the_real_clock_when_the_day_is_frozen(app, demo):
    """With TRACKER_TODAY set the attempts carry the real time and a wait ends in real time (a
    frozen clock used to make a lock last forever)."""
    app.config["TRACKER_TODAY"] = "2023-04-05"
    client = app.test_client()
    _fail(client, "chutich", 3)
    times = list(db.session.scalars(sa.select(LoginAttempt.at)))
    assert all(abs(at - clock.real_now()) < dt.timedelta(minutes=1) for at in times)
    response = _login(client, "chutich")
    assert response.status_code == 429 and response.headers["Retry-After"] == "2"
    time.sleep(2.1)
    assert _login(client, "chutich").status_code == 302


# --- the real client address behind a proxy ----------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("", None), ("0", None), (None, None), ("1", 1), ("2", 2), (3, 3),
        ("127.0.0.1", ("127.0.0.1/32",)),
        ("127.0.0.1, 10.0.0.0/8 ,::1", ("127.0.0.1/32", "10.0.0.0/8", "::1/128")),
    ],
)
def test_trusted_proxies_setting(setting, expected):
    parsed = proxies.parse(setting)
    if isinstance(parsed, tuple):
        parsed = tuple(str(n) for n in parsed)
    assert parsed == expected


def test_a_bad_trusted_proxies_setting_is_refused():
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        proxies.parse("nginx")


def _seen(app: Flask, remote: str, headers: dict[str, str]) -> tuple[str, str, str]:
    """(remote_addr, scheme, host) as the app sees them behind its configured middleware."""
    captured: dict[str, str] = {}

    def inner(env, start_response):
        captured.update(addr=env["REMOTE_ADDR"], scheme=env["wsgi.url_scheme"],
                        host=env.get("HTTP_HOST", ""))
        start_response("200 OK", [])
        return [b""]

    middleware = app.wsgi_app
    if hasattr(middleware, "app"):  # ProxyFix or TrustedProxies in front of Flask
        middleware.app = inner
    else:
        middleware = inner
    env = EnvironBuilder(path="/", headers=headers, environ_base={"REMOTE_ADDR": remote})
    middleware(env.get_environ(), lambda *args: None)
    return captured["addr"], captured["scheme"], captured["host"]


NGINX = {"X-Forwarded-For": "6.6.6.6, 198.51.100.20", "X-Forwarded-Proto": "https",
         "X-Forwarded-Host": "nhiemvu.travinh.gov.vn"}


@pytest.mark.parametrize(
    ("setting", "remote", "headers", "expected"),
    [
        # Not configured: the headers are ignored (a client cannot choose its address).
        ("", "127.0.0.1", NGINX, ("127.0.0.1", "http", "localhost")),
        # One nginx in front: its appended entry is the client; what the client sent is not.
        ("1", "127.0.0.1", NGINX, ("198.51.100.20", "https", "nhiemvu.travinh.gov.vn")),
        ("127.0.0.1", "127.0.0.1", NGINX, ("198.51.100.20", "https", "nhiemvu.travinh.gov.vn")),
        # A direct client is not a trusted proxy: its headers are ignored.
        ("127.0.0.1", "6.6.6.6", NGINX, ("6.6.6.6", "http", "localhost")),
        # Two trusted hops (a load balancer, then nginx): the first untrusted from the right.
        ("127.0.0.1, 10.0.0.0/8", "127.0.0.1",
         {"X-Forwarded-For": "6.6.6.6, 198.51.100.20, 10.0.0.5"},
         ("198.51.100.20", "http", "localhost")),
    ],
)
def test_the_client_address_behind_nginx(database_url, tmp_path, setting, remote, headers,
                                         expected):
    app = build_app(database_url, tmp_path, TRUSTED_PROXIES=setting)
    assert _seen(app, remote, headers) == expected


def test_the_app_records_the_forwarded_address_only_from_a_trusted_proxy(database_url, tmp_path):
    with running(build_app(database_url, tmp_path, TRUSTED_PROXIES="127.0.0.1")) as app:
        client = app.test_client()
        _login(client, "khongco", WRONG, forwarded="6.6.6.6, 198.51.100.20")
        _login(client, "khongco", WRONG, address="192.0.2.7", forwarded="6.6.6.6")
        addresses = list(db.session.scalars(sa.select(LoginAttempt.address)
                                            .order_by(LoginAttempt.id)))
        assert addresses == ["198.51.100.20", "192.0.2.7"]


# --- seeing and clearing throttles: admin page and CLI -------------------------------------------


def test_admin_page_lists_and_clears_throttles(app, demo):
    client = app.test_client()
    _past_failures("chutich", ATTACKER, 6, minutes_ago=0.1)
    _past_failures("khongco", "192.0.2.50", 2, minutes_ago=0.1)
    assert Auth(client).login("admin").status_code == 302
    html = client.get("/admin/lockouts").get_data(as_text=True)
    assert "Đăng nhập sai" in html and "Gỡ khóa" in html
    assert "chutich" in html and ATTACKER in html and "Phải chờ" in html
    assert "khongco" in html and "không có tài khoản này" in html
    victim = app.test_client()
    assert _login(victim, "chutich", address=ATTACKER).status_code == 429

    response = client.post("/admin/lockouts/clear", data={"kind": "account", "key": "chutich"})
    assert response.status_code == 302
    assert "Đã gỡ khóa tài khoản chutich" in client.get("/admin/lockouts").get_data(as_text=True)
    assert _login(victim, "chutich", address=ATTACKER).status_code == 302
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity == "login_throttle"))
    assert event.action == "unlock_account" and event.before["failures"] == 6

    response = client.post("/admin/lockouts/clear", data={"kind": "address", "key": "192.0.2.50"})
    assert response.status_code == 302
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(LoginAttempt).where(LoginAttempt.success.is_(False))
    ) == 0
    assert client.post("/admin/lockouts/clear", data={"kind": "x"}).status_code == 400


def test_cli_lists_and_unlocks(runner, demo):
    _past_failures("chutich", ATTACKER, 6, minutes_ago=0.1)
    _past_failures("gddt", "192.0.2.50", 25, minutes_ago=0.1)
    result = runner.invoke(args=["users", "lockouts"])
    assert result.exit_code == 0, result.output
    assert "chutich\t6\t1" in result.output and ATTACKER in result.output
    assert "192.0.2.50\t25\t1" in result.output
    result = runner.invoke(args=["users", "unlock", "ChuTich"])
    assert result.exit_code == 0 and "Đã gỡ khóa tài khoản ChuTich: xóa 6" in result.output
    result = runner.invoke(args=["users", "unlock", "--address", "192.0.2.50"])
    assert result.exit_code == 0 and "xóa 25" in result.output
    result = runner.invoke(args=["users", "lockouts"])
    assert "Không có tài khoản hay địa chỉ nào" in result.output
    result = runner.invoke(args=["users", "unlock"])
    assert result.exit_code != 0 and "USERNAME" in result.output
