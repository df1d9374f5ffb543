"""An uploaded onboarding workbook (units and users) waiting for the admin's confirmation."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class OnboardingDraft(db.Model):
    """The .xlsx stays on the server between preview and confirm, so the confirm applies exactly
    the file that was previewed (by its SHA-256), never data sent back by the browser."""

    __tablename__ = "onboarding_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(40), unique=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime]
    applied_at: Mapped[dt.datetime | None]
