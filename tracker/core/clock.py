"""The one clock: everything that asks "what day is it" asks here, so rules run as of any day.

Datetimes are stored naive in UTC; dates that matter to people (deadlines, completion days) are
calendar dates in Asia/Ho_Chi_Minh.

The one exception is ``real_now()``: security and operational timing (login throttling, idle
sessions, token expiry, mail retries and stale claims) always follows the real clock, because a
frozen demo day (``TRACKER_TODAY``) would otherwise freeze a lockout or an idle session forever.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = dt.UTC


def _frozen_today() -> dt.date | None:
    if has_app_context():
        value = current_app.config.get("TRACKER_TODAY")
        if isinstance(value, dt.date):
            return value
        if value:
            return dt.date.fromisoformat(str(value))
    return None


def now() -> dt.datetime:
    """Naive UTC now; with a frozen day, noon of that day in Vietnam."""
    frozen = _frozen_today()
    if frozen is not None:
        local = dt.datetime.combine(frozen, dt.time(12, 0), tzinfo=VN_TZ)
        return local.astimezone(UTC).replace(tzinfo=None)
    return dt.datetime.now(UTC).replace(tzinfo=None)


def real_now() -> dt.datetime:
    """Naive UTC now from the real clock, whatever ``TRACKER_TODAY`` says.

    Only for security and operational timing (see the module docstring); everything a person
    reads as a date of the work ("as of", deadlines, history) uses ``now()``/``today()``.
    """
    return dt.datetime.now(UTC).replace(tzinfo=None)


def today() -> dt.date:
    """Today's date in Vietnam."""
    frozen = _frozen_today()
    if frozen is not None:
        return frozen
    return dt.datetime.now(VN_TZ).date()


def to_local(value: dt.datetime) -> dt.datetime:
    """A stored naive-UTC datetime as Vietnam time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(VN_TZ)


def local_date(value: dt.datetime) -> dt.date:
    return to_local(value).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` ends in Vietnam, as a stored (naive UTC) datetime:
    "as recorded up to the end of D" means ``created_at < end_of_day(D)``."""
    local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=VN_TZ)
    return local.astimezone(UTC).replace(tzinfo=None)


def local_datetime(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    """A Vietnam wall-clock time on ``day`` as a stored (naive UTC) datetime."""
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=VN_TZ)
    return local.astimezone(UTC).replace(tzinfo=None)
