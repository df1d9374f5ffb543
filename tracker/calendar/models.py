"""Editable exceptions to the working-day calendar (the Prime Minister's yearly day swaps)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db

HOLIDAY = "holiday"
WORKING_DAY = "working_day"
EXCEPTION_KINDS = {HOLIDAY: "Ngày nghỉ", WORKING_DAY: "Ngày làm việc bù"}


class CalendarException(db.Model):
    __tablename__ = "calendar_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    legal_source: Mapped[str] = mapped_column(sa.String(200), default="")
