"""User rules: authenticate, create, deactivate. Flush, never commit (the unit of work does)."""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa

from tracker.auth.models import User, new_session_token
from tracker.auth.passwords import hash_password, password_problems, verify_password
from tracker.constants import LEADER, OFFICER, USER_ROLES
from tracker.core import audit, clock
from tracker.core.errors import UserError
from tracker.extensions import db
from tracker.units.models import Unit


def find_by_username(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username.strip()))


def authenticate(username: str, password: str) -> User | None:
    """The user when the password matches and the account is active, else None."""
    user = find_by_username(username)
    if user is None:
        # Spend the same time as a real check so usernames cannot be probed by timing.
        verify_password(_DUMMY_HASH.get(), password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    return user


class _DummyHash:
    _value: str | None = None

    def get(self) -> str:
        if self._value is None:
            self._value = hash_password("dummy-password-for-timing")
        return self._value


_DUMMY_HASH = _DummyHash()


def end_all_sessions(user: User) -> None:
    """Rotate the Flask-Login alternative id: every cookie holding the old one stops working."""
    user.session_token = new_session_token()


def create_user(
    *,
    username: str,
    full_name: str,
    password: str,
    role: str,
    email: str | None = None,
    unit_code: str | None = None,
    title: str | None = None,
    check_password: bool = True,
) -> User:
    username = username.strip()
    if not username:
        raise UserError("Tên đăng nhập không được để trống.")
    if role not in USER_ROLES:
        raise UserError(f"Vai trò không hợp lệ: {role}. Chọn một trong: {', '.join(USER_ROLES)}.")
    if find_by_username(username) is not None:
        raise UserError(f"Tên đăng nhập {username} đã tồn tại.")
    unit = None
    if unit_code:
        unit = db.session.scalar(sa.select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise UserError(f"Không có đơn vị mã {unit_code}.")
    if role == OFFICER and unit is None:
        raise UserError("Cán bộ đơn vị phải thuộc một đơn vị (--unit).")
    if check_password:
        problems = password_problems(password, username)
        if problems:
            raise UserError(" ".join(problems))
    now = clock.now()
    user = User(
        username=username,
        full_name=full_name or username,
        email=email,
        password_hash=hash_password(password),
        role=role,
        unit=unit,
        title=title,
        created_at=now,
        password_changed_at=now,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user", user.id, "create", None, {"username": username, "role": role})
    return user


def set_password(user: User, password: str) -> None:
    problems = password_problems(password, user.username)
    if problems:
        raise UserError(" ".join(problems))
    user.password_hash = hash_password(password)
    user.password_changed_at = clock.now()
    end_all_sessions(user)
    audit.record("user", user.id, "password_change")


def set_active(user: User, active: bool) -> None:
    before = {"active": user.active}
    user.active = active
    user.edit_version = (user.edit_version or 1) + 1  # an admin's open form is stale now
    if not active:
        end_all_sessions(user)
    action = "activate" if active else "deactivate"
    audit.record("user", user.id, action, before, {"active": active})


def change_password(user: User, current: str, new: str) -> None:
    """The user's own change: the current password must match; every session ends."""
    if not verify_password(user.password_hash, current):
        raise UserError("Mật khẩu hiện tại không đúng.")
    if current == new:
        raise UserError("Mật khẩu mới phải khác mật khẩu hiện tại.")
    set_password(user, new)
    user.must_change_password = False


def issue_api_token(user: User) -> str:
    """A new API token for the user, shown once; only its SHA-256 is stored."""
    token = secrets.token_urlsafe(32)
    user.api_token_hash = hashlib.sha256(token.encode()).hexdigest()
    audit.record("user", user.id, "api_token_issued")
    return token


def revoke_api_token(user: User) -> None:
    user.api_token_hash = None
    audit.record("user", user.id, "api_token_revoked")


def active_leaders() -> list[User]:
    """The leaders (Chủ tịch, Phó Chủ tịch) who can be put in charge of a directive."""
    return list(
        db.session.scalars(
            sa.select(User).where(User.role == LEADER, User.active).order_by(User.id)
        )
    )
