"""The working-day calendar backed by the editable exceptions table."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g, has_app_context

from tracker.calendar.models import CalendarException
from tracker.calendar.workdays import WorkCalendar
from tracker.extensions import db


def load_calendar() -> WorkCalendar:
    """The calendar with the admin's exceptions, cached for the request or job."""
    if has_app_context() and "work_calendar" in g:
        return g.work_calendar
    rows = db.session.execute(sa.select(CalendarException.day, CalendarException.kind)).all()
    calendar = WorkCalendar({day: kind for day, kind in rows})
    if has_app_context():
        g.work_calendar = calendar
    return calendar
