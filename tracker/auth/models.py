"""Users and roles."""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.constants import USER_ROLES
from tracker.extensions import db
from tracker.units.models import Unit

NOTIFY_MODES: dict[str, str] = {
    "each_run": "Nhận e-mail mỗi lần nhắc",
    "daily_digest": "Một e-mail tổng hợp mỗi ngày",
    "escalations_only": "Chỉ nhận e-mail báo cáo vượt cấp",
}


# E-mail for events (a new assignment, a completion returned, ...); in-app notices always show.
EVENT_MAIL_MODES: dict[str, str] = {
    "each_event": "Nhận e-mail ngay cho mỗi việc",
    "daily_digest": "Một e-mail tổng hợp mỗi ngày",
    "off": "Không nhận e-mail (chỉ xem thông báo trong hệ thống)",
}


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    title: Mapped[str | None] = mapped_column(sa.String(120))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.text("true"))
    # Flask-Login's alternative id: rotating it ends every session of the user.
    session_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=new_session_token
    )
    notify_mode: Mapped[str] = mapped_column(
        sa.String(20), default="each_run", server_default="each_run"
    )
    event_mail: Mapped[str] = mapped_column(
        sa.String(20), default="each_event", server_default="each_event"
    )
    api_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # Moved on by an admin's edit of the profile (errors.claim_version), not by sign-ins: a
    # stale admin form is a 409, a user signing in does not make the form stale.
    edit_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[dt.datetime | None]
    last_login_at: Mapped[dt.datetime | None]
    password_changed_at: Mapped[dt.datetime | None]
    # Set for accounts created with an initial password (the .xlsx onboarding): the first
    # sign-in leads to "Đổi mật khẩu" and nowhere else until it is changed.
    must_change_password: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )

    unit: Mapped[Unit | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return self.session_token

    @property
    def role_label(self) -> str:
        return USER_ROLES.get(self.role, self.role)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class LoginAttempt(db.Model):
    """One password check at the login form.

    Kept in the database, not in a worker's memory, so every gunicorn worker sees the same count
    of recent failures when it decides whether an account or a client address is locked.
    """

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80))
    address: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[dt.datetime]
    success: Mapped[bool]

    __table_args__ = (
        sa.Index("ix_login_attempt_username_at", "username", "at"),
        sa.Index("ix_login_attempt_address_at", "address", "at"),
    )
