"""Error pages in Vietnamese without internals, errors logged with a request id, security headers
on every kind of response (pages, errors, JSON, static files, downloads, redirects)."""

from __future__ import annotations

import io
import logging
import re

import pytest
from werkzeug.exceptions import BadRequest, Conflict, Forbidden

from tests.conftest import Auth, build_app, running
from tracker.auth.permissions import Action, requires

SECRET = "chi-tiet-noi-bo-khong-duoc-lo"


def _add_test_routes(app) -> None:
    """Routes that exist only in this test's app (registered before its first request)."""

    def boom():
        raise RuntimeError(SECRET)

    def english(code: int):
        exc = {400: BadRequest, 403: Forbidden, 409: Conflict}[code]
        raise exc(description=f"English internals {SECRET}")

    def download():
        from flask import send_file

        return send_file(io.BytesIO(b"=1+1,<b>x</b>"), as_attachment=True,
                         download_name="bao-cao.csv", mimetype="text/csv")

    readable = requires(Action.READ)  # deny by default: even test routes declare their action
    app.add_url_rule("/_test/boom", "test_boom", readable(boom))
    app.add_url_rule("/_test/english/<int:code>", "test_english", readable(english))
    app.add_url_rule("/_test/download", "test_download", readable(download))


@pytest.fixture
def test_app(app, demo):
    _add_test_routes(app)
    return app


@pytest.fixture
def logged_in(test_app):
    client = test_app.test_client()
    Auth(client).login("chutich")
    return client


def _assert_vietnamese_error(response, code: int, title: str) -> str:
    assert response.status_code == code
    html = response.get_data(as_text=True)
    assert f"{code} · {title}" in html
    assert SECRET not in html and "Traceback" not in html and "English internals" not in html
    assert '<html lang="vi">' in html
    return html


@pytest.mark.parametrize(
    ("code", "title"),
    [(400, "Yêu cầu không hợp lệ"), (403, "Không có quyền"), (409, "Xung đột dữ liệu")],
)
def test_english_descriptions_are_replaced(logged_in, code, title):
    _assert_vietnamese_error(logged_in.get(f"/_test/english/{code}"), code, title)


def test_404_page(logged_in):
    _assert_vietnamese_error(logged_in.get("/khong-co/trang-nay"), 404, "Không tìm thấy")


def test_404_for_anonymous_unknown_url(test_app):
    response = test_app.test_client().get("/khong-co/trang-nay")
    _assert_vietnamese_error(response, 404, "Không tìm thấy")


def test_405_page_with_allow_header(logged_in):
    response = logged_in.get("/logout")
    _assert_vietnamese_error(response, 405, "Phương thức không được hỗ trợ")
    assert "POST" in response.headers["Allow"]


def test_500_page_hides_the_error_and_logs_it_with_request_id(logged_in, caplog):
    with caplog.at_level(logging.ERROR, logger="tracker"):
        response = logged_in.get("/_test/boom", headers={"X-Request-Id": "req-abc.123"})
    html = _assert_vietnamese_error(response, 500, "Lỗi hệ thống")
    assert response.headers["X-Request-Id"] == "req-abc.123"
    assert "Mã yêu cầu: req-abc.123" in html
    records = [r for r in caplog.records if "req-abc.123" in r.getMessage()]
    assert records, caplog.text
    assert records[0].exc_info and SECRET in str(records[0].exc_info[1])


def test_generated_request_id_when_none_or_unsafe(logged_in, caplog):
    with caplog.at_level(logging.ERROR, logger="tracker"):
        response = logged_in.get("/_test/boom", headers={"X-Request-Id": "x y<script>"})
    request_id = response.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{16}", request_id)
    assert any(request_id in r.getMessage() for r in caplog.records)


def test_500_rolls_back_and_next_request_works(logged_in):
    assert logged_in.get("/_test/boom").status_code == 500
    assert logged_in.get("/").status_code == 200


def test_json_errors_under_api(logged_in):
    response = logged_in.get("/api/v1/khong-co")
    assert response.status_code == 404
    body = response.get_json()
    assert body["status"] == 404 and body["error"] == "Trang hoặc dữ liệu bạn tìm không tồn tại."
    anonymous = logged_in.application.test_client().get("/api/v1/directives")
    assert anonymous.status_code == 401 and anonymous.get_json()["status"] == 401


@pytest.fixture
def small_app(database_url, tmp_path):
    with running(build_app(database_url, tmp_path, MAX_CONTENT_LENGTH=2 * 1024 * 1024)) as app:
        from tracker.demo.seed import seed_demo
        from tracker.extensions import db

        seed_demo()
        db.session.commit()
        yield app


def test_413_oversize_request_has_a_vietnamese_message(small_app):
    client = small_app.test_client()
    Auth(client).login("chutich")
    response = client.post("/account/password", data={"current": "x" * (3 * 1024 * 1024)})
    html = _assert_vietnamese_error(response, 413, "Tệp quá lớn")
    assert "vượt quá dung lượng cho phép (2 MB)" in html
    assert "Content-Security-Policy" in response.headers


def _assert_security_headers(response) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp, response
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "same-origin"
    assert response.headers.get("X-Frame-Options") == "DENY"


def test_security_headers_on_every_kind_of_response(test_app, logged_in):
    anonymous = test_app.test_client()
    responses = {
        "login page": anonymous.get("/login"),
        "redirect to login": anonymous.get("/"),
        "page": logged_in.get("/"),
        "404": logged_in.get("/khong-co"),
        "405": logged_in.get("/logout"),
        "500": logged_in.get("/_test/boom"),
        "json error": anonymous.get("/api/v1/directives"),
        "health": anonymous.get("/healthz"),
        "static": anonymous.get("/static/css/app.css"),
        "download": logged_in.get("/_test/download"),
        "login failure": anonymous.post("/login", data={"username": "x", "password": "y"}),
    }
    for name, response in responses.items():
        try:
            _assert_security_headers(response)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {dict(response.headers)}") from exc
        finally:
            response.close()
    download = responses["download"]
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert responses["page"].headers["Cache-Control"] == "no-store"


def test_pages_contain_no_inline_script_or_style(logged_in):
    html = logged_in.get("/").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\sstyle=\"", html)
    assert not re.search(r"\son[a-z]+=\"", html)
