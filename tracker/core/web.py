"""Request plumbing: login-by-default, idle timeout, security headers, errors, template filters.

Who may reach an endpoint is the auth package's business: the factory hands ``register`` an
``allowed(endpoint, view)`` check (tracker/auth/permissions.py), so this module imports no domain.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from tracker.core import clock, uow
from tracker.core.errors import UserError
from tracker.core.formatting import fmt_date, fmt_datetime, select_options
from tracker.extensions import db

log = logging.getLogger("tracker")
_REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._-]+")
bp = Blueprint("core", __name__)

ERROR_MESSAGES = {
    400: ("Yêu cầu không hợp lệ", "Dữ liệu gửi lên không hợp lệ. Vui lòng kiểm tra và thử lại."),
    401: ("Chưa đăng nhập", "Vui lòng đăng nhập để tiếp tục."),
    403: ("Không có quyền", "Bạn không có quyền thực hiện thao tác này."),
    404: ("Không tìm thấy", "Trang hoặc dữ liệu bạn tìm không tồn tại."),
    405: ("Phương thức không được hỗ trợ", "Thao tác này không được phép theo cách đã gửi."),
    409: ("Xung đột dữ liệu", "Dữ liệu đã được người khác thay đổi. Vui lòng tải lại trang."),
    413: ("Tệp quá lớn", "Tệp tải lên vượt quá dung lượng cho phép."),
    429: ("Quá nhiều yêu cầu", "Vui lòng thử lại sau ít phút."),
    500: ("Lỗi hệ thống", "Đã có lỗi xảy ra. Lỗi đã được ghi lại, vui lòng thử lại sau."),
}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@bp.route("/healthz")
def healthz():
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _fresh_request_globals() -> None:
    """Start every request with an empty ``g``.

    A request normally gets its own app context and so its own ``g``; but when an app context is
    already open (the test fixtures, a CLI command calling the app) Flask reuses it, and values
    such as Flask-Login's cached user or the API's "token checked" flag would leak from one
    request, even one client, into the next.
    """
    g.__dict__.clear()


def _request_id() -> str:
    """The proxy's X-Request-Id when it is a plain token (it goes into logs and a header)."""
    given = request.headers.get("X-Request-Id", "")
    if given and len(given) <= 64 and _REQUEST_ID_RE.fullmatch(given):
        return given
    return uuid.uuid4().hex[:16]


_ACCESS = "tracker.endpoint_allowed"
_PUBLIC = "tracker.public_endpoints"


def _enforce_login():
    g.request_id = _request_id()
    if request.endpoint in current_app.extensions[_PUBLIC]:
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    if request.endpoint is not None and not current_app.extensions[_ACCESS](
        request.endpoint, view
    ):
        # Deny by default: a route that declares no permission is a programming error.
        log.error("endpoint %s declares no permission; refused", request.endpoint)
        return render_error(403)
    if getattr(g, "api_user_checked", False):
        return None
    if not current_user.is_authenticated:
        if _wants_json():
            return jsonify(error="Chưa đăng nhập.", status=401), 401
        if request.endpoint is None:
            return None  # 404/405 pages for unknown URLs
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return _check_idle()


# last_seen is written again once it is this old, not on every request: writing it made every
# page sign, compress and send a new session cookie (0.15 ms of a page), and a session may end
# at most this much before its idle limit.
_RENEW_AFTER = dt.timedelta(seconds=60)


def _check_idle():
    """Log out a session idle for longer than IDLE_TIMEOUT_MINUTES (real clock: a frozen demo
    day must not keep a session alive forever, nor end it when the demo day moves)."""
    if getattr(g, "api_token_auth", False):
        return None
    limit = dt.timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])
    now = clock.real_now()
    last = session.get("last_seen")
    last_seen = None
    if last:
        try:
            last_seen = dt.datetime.fromisoformat(last)
        except ValueError:
            last_seen = None
        if last_seen is not None and now - last_seen > limit:
            logout_user()
            session.clear()
            flash("Phiên làm việc đã hết hạn, vui lòng đăng nhập lại.", "warning")
            if _wants_json():
                return jsonify(error="Phiên làm việc đã hết hạn.", status=401), 401
            return redirect(url_for("auth.login"))
    if last_seen is None or not dt.timedelta(0) <= now - last_seen < _RENEW_AFTER:
        session["last_seen"] = now.isoformat()
    return None


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint not in ("static", "bootstrap.static"):
        response.headers.setdefault("Cache-Control", "no-store")
    if getattr(g, "request_id", None):
        response.headers["X-Request-Id"] = g.request_id
    return response


def render_error(code: int, message: str | None = None):
    title, default = ERROR_MESSAGES.get(code, ERROR_MESSAGES[500])
    text = message or default
    if _wants_json():
        return jsonify(error=text, status=code), code
    try:
        return render_template("errors/error.html", code=code, title=title, message=text), code
    except Exception:  # the page itself failed (e.g. the database is down): plain, still Vietnamese
        log.exception("Error page failed, request id %s", getattr(g, "request_id", "-"))
        body = (
            f"<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>{code}</title>"
            f"<h1>{code} · {escape(title)}</h1><p>{escape(text)}</p></html>"
        )
        return current_app.response_class(body, code, mimetype="text/html")


def _handle_http(exc: HTTPException):
    if exc.code is None or exc.code >= 500:
        return _handle_500(exc)
    description = None  # Werkzeug's English texts are not for our users; ours are Vietnamese
    if exc.code == 413 and description is None:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        if limit:
            size = f"{limit / 1024 / 1024:.0f} MB" if limit >= 1024 * 1024 else f"{limit} byte"
            description = f"Dữ liệu hoặc tệp tải lên vượt quá dung lượng cho phép ({size})."
    response, code = render_error(exc.code, description)
    if code == 405 and getattr(exc, "valid_methods", None):
        response = current_app.make_response((response, code))
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response, code


def _handle_csrf(exc: CSRFError):
    return render_error(400, "Phiên biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang.")


def handle_user_error(exc: UserError):
    """The one answer to a refusal: roll back first (the page then reads what is saved), then
    the view's own form with the message when it asked for that, else the error page or JSON."""
    uow.rollback()
    rerender = uow.take_rerender()
    if _wants_json():
        current = getattr(exc, "current", None)
        extra = {"current": current} if current else {}
        return jsonify(error=exc.message, status=exc.status, **extra), exc.status
    if rerender is not None:
        try:
            body = rerender(exc)  # None: this error gets the plain page after all
        except UserError:  # the page itself is gone now (deleted meanwhile): the plain answer
            uow.rollback()
            body = None
        if body is not None:
            return body, exc.status
    return render_error(exc.status, exc.message)


def _handle_race(exc: Exception):
    """A flush inside the view lost a race (StaleDataError, a unique key): 409, not 500."""
    if not uow.is_race(exc):
        return _handle_500(exc)
    log.info("request lost a race (%s); answering 409", type(exc).__name__)
    return handle_user_error(uow.race_conflict())


def _handle_500(exc: Exception):
    uow.rollback()
    log.exception("Unhandled error, request id %s", getattr(g, "request_id", "-"), exc_info=exc)
    return render_error(500)


def register(
    app: Flask,
    *,
    public_endpoints: frozenset[str],
    endpoint_allowed: Callable[[str, Callable[..., Any] | None], bool],
) -> None:
    if str(app.config.get("BASE_URL", "")).startswith("https://"):
        # Served over https: cookies never travel in clear, whatever else the config says.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    app.register_blueprint(bp)
    # First of all before_request functions (CSRF's included), whoever registered earlier.
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_globals)
    app.before_request(_enforce_login)
    app.after_request(_security_headers)
    app.extensions[_PUBLIC] = public_endpoints
    app.extensions[_ACCESS] = endpoint_allowed
    app.register_error_handler(CSRFError, _handle_csrf)
    app.register_error_handler(UserError, handle_user_error)
    for race in uow.RACE_ERRORS:
        app.register_error_handler(race, _handle_race)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(Exception, _handle_500)
    app.add_template_filter(fmt_date, "date")
    app.add_template_filter(fmt_datetime, "datetime")
    app.add_template_global(select_options, "select_options")

    @app.context_processor
    def _globals():
        return {"today": clock.today()}
