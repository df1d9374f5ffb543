"""Admin pages: users (create, edit, reset password, API token) and login throttles. Admin only.

Units (unit_views.py), the organization (organization_views.py) and the .xlsx onboarding
(onboarding_views.py) add their routes to the same blueprint.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.admin import services, user_directory
from tracker.admin.forms import NewUserForm, ResetPasswordForm, UserForm
from tracker.auth import services as auth_services
from tracker.auth import throttle
from tracker.auth.models import User
from tracker.auth.permissions import Action, requires
from tracker.constants import USER_ROLES
from tracker.core import uow
from tracker.core.errors import NotFound, UserError, submitted_version
from tracker.extensions import db
from tracker.units.models import Unit

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _units() -> list[Unit]:
    return list(db.session.scalars(sa.select(Unit).order_by(Unit.position, Unit.name)))


def _fill_user_choices(form: UserForm) -> None:
    form.role.choices = list(USER_ROLES.items())
    form.unit_id.choices = [("", "— Không thuộc đơn vị —")] + [
        (str(u.id), u.name + ("" if u.active and u.ended_on is None else " (ngừng hoạt động)"))
        for u in _units()
    ]


def _unit_id(form: UserForm) -> int | None:
    value = form.unit_id.data or ""
    return int(value) if value.isdigit() else None


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("Không tìm thấy người dùng.")
    return user


def _refuse_with_form(template: str, **context: object) -> None:
    """A service's refusal shows the same form again with the message on top (400)."""

    def rerender(exc: UserError) -> str:
        flash(exc.message, "danger")
        return render_template(template, **context)

    uow.rerender_on_error(rerender)


@bp.route("/users")
@requires(Action.ADMINISTER)
def users():
    filters = user_directory.parse_filters(request.args)
    page, everyone = user_directory.find_users(filters)
    return render_template("admin/users.html", page=page, everyone=everyone, filters=filters,
                           roles=USER_ROLES)


@bp.route("/users/new", methods=["GET", "POST"])
@requires(Action.ADMINISTER)
def user_new():
    form = NewUserForm()
    _fill_user_choices(form)
    if form.validate_on_submit():
        _refuse_with_form("admin/user_form.html", form=form, user=None)
        unit = db.session.get(Unit, _unit_id(form)) if _unit_id(form) else None
        user = auth_services.create_user(
            username=form.username.data,
            full_name=form.full_name.data.strip(),
            password=form.password.data,
            role=form.role.data,
            email=(form.email.data or "").strip() or None,
            unit_code=unit.code if unit else None,
            title=(form.title.data or "").strip() or None,
        )
        if not form.active.data:
            auth_services.set_active(user, False)
        flash(f"Đã tạo người dùng {user.username}.", "success")
        return redirect(url_for("admin.users"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires(Action.ADMINISTER)
def user_edit(user_id: int):
    user = _get_user(user_id)
    form = UserForm(obj=user) if request.method == "GET" else UserForm()
    _fill_user_choices(form)
    if request.method == "GET":
        form.unit_id.data = str(user.unit_id) if user.unit_id else ""
        form.version.data = str(user.edit_version)
    reset_form = ResetPasswordForm(formdata=None)
    if form.validate_on_submit():
        _refuse_with_form("admin/user_form.html", form=form, user=user, reset_form=reset_form)
        services.update_user(
            user,
            actor=current_user,
            full_name=form.full_name.data,
            title=form.title.data,
            email=form.email.data,
            role=form.role.data,
            unit_id=_unit_id(form),
            active=bool(form.active.data),
            expected_version=submitted_version(form.version.data),
        )
        flash(f"Đã lưu thông tin người dùng {user.username}.", "success")
        return redirect(url_for("admin.users"))
    status = 400 if request.method == "POST" else 200
    return (
        render_template("admin/user_form.html", form=form, user=user, reset_form=reset_form),
        status,
    )


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@requires(Action.ADMINISTER)
def user_password(user_id: int):
    user = _get_user(user_id)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        errors = [e for errs in form.errors.values() for e in errs]
        raise UserError(" ".join(errors) or "Dữ liệu gửi lên không hợp lệ.")
    auth_services.set_password(user, form.password.data)
    flash(
        f"Đã đặt lại mật khẩu cho {user.username}; mọi phiên đăng nhập của người này đã kết thúc.",
        "success",
    )
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/api-token", methods=["POST"])
@requires(Action.ADMINISTER)
def user_api_token(user_id: int):
    """Issue a new API token (replacing the old one) and show it once."""
    user = _get_user(user_id)
    if not user.active:
        raise UserError("Không thể cấp mã API cho tài khoản đã bị khóa.")
    token = auth_services.issue_api_token(user)
    return render_template("admin/api_token.html", user=user, token=token)


@bp.route("/users/<int:user_id>/api-token/revoke", methods=["POST"])
@requires(Action.ADMINISTER)
def user_api_token_revoke(user_id: int):
    user = _get_user(user_id)
    auth_services.revoke_api_token(user)
    flash(f"Đã thu hồi mã API của {user.username}.", "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/lockouts")
@requires(Action.ADMINISTER)
def lockouts():
    """Đăng nhập sai: accounts and client addresses whose failed logins are counted now."""
    accounts, addresses = throttle.current()
    return render_template(
        "admin/lockouts.html", accounts=accounts, addresses=addresses,
        window_minutes=int(throttle.WINDOW.total_seconds() // 60),
    )


@bp.route("/lockouts/clear", methods=["POST"])
@requires(Action.ADMINISTER)
def lockout_clear():
    """Gỡ khóa: forget the counted failures of one account or one address."""
    kind = request.form.get("kind", "")
    key = (request.form.get("key") or "").strip()
    if not key or kind not in ("account", "address"):
        raise UserError("Thiếu tài khoản hoặc địa chỉ cần gỡ khóa.")
    if kind == "account":
        count, what = throttle.clear_account(key), f"tài khoản {key}"
    else:
        count, what = throttle.clear_address(key), f"địa chỉ {key}"
    if count:
        flash(f"Đã gỡ khóa {what} ({count} lần đăng nhập sai được xóa).", "success")
    else:
        flash(f"Không còn lần đăng nhập sai nào của {what}.", "info")
    return redirect(url_for("admin.lockouts"))


# The other admin pages register on this blueprint (imported last: they import ``bp``).
from tracker.admin import (  # noqa: E402, F401
    onboarding_views,
    organization_views,
    unit_views,
)
