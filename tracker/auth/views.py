from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from tracker.auth import services, throttle
from tracker.auth.forms import ChangePasswordForm, LoginForm
from tracker.auth.permissions import Action, requires
from tracker.constants import LEADER, OFFICER, SECRETARIAT
from tracker.core import clock, uow
from tracker.core.errors import UserError
from tracker.core.proxies import client_address

bp = Blueprint("auth", __name__)


def home_url(user: object) -> str:
    """Where a person lands after signing in: leaders, the Văn phòng and officers start on
    "Việc cần xử lý" (/inbox), everyone else on the period's directives."""
    if getattr(user, "role", None) in (LEADER, SECRETARIAT, OFFICER):
        return url_for("inbox.index")
    return url_for("directives.index")


def safe_next(target: str | None) -> str | None:
    """Only a local path: no scheme, no host, no '//' or backslash tricks."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        address = client_address(request, current_app)
        wait = throttle.check(form.username.data, address)
        if wait is not None:
            # Not a password check: nothing is verified or counted, so the wait ends on time.
            flash(
                "Đăng nhập sai nhiều lần nên tạm thời bị chậm lại. "
                f"Vui lòng thử lại sau {wait.text}.",
                "danger",
            )
            response = current_app.make_response(
                (render_template("auth/login.html", form=form), 429)
            )
            response.headers["Retry-After"] = str(wait.seconds)
            return response
        user = services.authenticate(form.username.data, form.password.data)
        throttle.record(form.username.data, address, success=user is not None and user.active)
        uow.keep_on_error()  # the attempt counts, whatever the answer
        if user is None:
            flash("Tên đăng nhập hoặc mật khẩu không đúng.", "danger")
            status = 401
        elif not user.active:
            flash("Tài khoản đã bị khóa. Vui lòng liên hệ quản trị hệ thống.", "danger")
            status = 403
        else:
            session.clear()  # a fresh session on login
            remember = bool(form.remember.data) and _remember_allowed()
            login_user(user, remember=remember)
            session["last_seen"] = clock.real_now().isoformat()
            user.last_login_at = clock.now()
            return redirect(safe_next(request.args.get("next")) or home_url(user))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


# While a first sign-in's password change is pending, only these pages answer.
FIRST_LOGIN_ENDPOINTS = frozenset({"auth.change_password", "auth.logout", "auth.login",
                                   "static", "bootstrap.static", "core.healthz"})


@bp.before_app_request
def first_password_change():
    """An account created with an initial password (the .xlsx onboarding) changes it first."""
    if not current_user.is_authenticated or not getattr(current_user, "must_change_password",
                                                        False):
        return None
    if request.endpoint in FIRST_LOGIN_ENDPOINTS or request.path.startswith("/api/"):
        return None
    flash("Đây là lần đăng nhập đầu tiên: hãy đổi mật khẩu ban đầu trước khi tiếp tục.",
          "warning")
    return redirect(url_for("auth.change_password"))


def _remember_allowed() -> bool:
    return bool(current_app.config.get("REMEMBER_ME_ENABLED"))


@bp.route("/logout", methods=["POST"])
@requires(Action.ACCOUNT)
def logout():
    services.end_all_sessions(current_user)
    logout_user()
    session.clear()
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Action.ACCOUNT)
def change_password():
    """Every user changes their own password here; the current one is required."""
    form = ChangePasswordForm()
    if form.validate_on_submit():

        def rerender(exc: UserError) -> str:
            flash(exc.message, "danger")
            return render_template("auth/change_password.html", form=form)

        uow.rerender_on_error(rerender)
        user = current_user._get_current_object()
        services.change_password(user, form.current.data, form.new.data)
        # Every other session ended with the token rotation; this one continues, fresh.
        session.clear()
        login_user(user)
        session["last_seen"] = clock.real_now().isoformat()
        flash("Đã đổi mật khẩu. Các phiên đăng nhập khác đã được đăng xuất.", "success")
        return redirect(url_for("directives.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/change_password.html", form=form), status
