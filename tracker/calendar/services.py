"""The working-day calendar backed by the editable exceptions table."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import sqlalchemy as sa
from flask import g, has_app_context

from tracker.auth.models import User
from tracker.calendar.models import EXCEPTION_KINDS, CalendarException
from tracker.calendar.workdays import WorkCalendar
from tracker.core import audit, versioning
from tracker.core.errors import UserError
from tracker.extensions import db


def load_calendar() -> WorkCalendar:
    """The calendar with the admin's exceptions, read once per change per process (any change
    to the exceptions moves the data version); the same exceptions give the same calendar
    object, so its counts of working days per year are not recomputed on every request."""
    if has_app_context() and "work_calendar" in g:
        return g.work_calendar
    session = db.session()
    calendar = versioning.per_version(session, "work_calendar", lambda: _calendar_of(tuple(
        session.execute(_EXCEPTIONS).tuples().all()
    )))
    if has_app_context():
        g.work_calendar = calendar
    return calendar


_EXCEPTIONS = sa.select(CalendarException.day, CalendarException.kind).order_by(
    CalendarException.day
)


@lru_cache(maxsize=8)
def _calendar_of(exceptions: tuple[tuple[dt.date, str], ...]) -> WorkCalendar:
    """Never changed once built (its per-year counts only fill in), so safe to share."""
    return WorkCalendar(dict(exceptions))


MAX_NOTE = 200


def exceptions_of_year(year: int) -> list[CalendarException]:
    return list(
        db.session.scalars(
            sa.select(CalendarException)
            .where(
                CalendarException.day >= dt.date(year, 1, 1),
                CalendarException.day <= dt.date(year, 12, 31),
            )
            .order_by(CalendarException.day)
        )
    )


def _snapshot(row: CalendarException) -> dict[str, str]:
    return {
        "day": row.day.isoformat(),
        "kind": row.kind,
        "note": row.note,
        "legal_source": row.legal_source,
    }


def add_exception(
    day: dt.date, kind: str, note: str, legal_source: str, *, user: User | None = None
) -> CalendarException:
    """A day off or a make-up working day that wins over weekends and the holidays package.

    Deadlines already given are not recomputed: they were promised on the old calendar.
    """
    if kind not in EXCEPTION_KINDS:
        raise UserError("Loại ngày phải là ngày nghỉ hoặc ngày làm việc bù.")
    if not 2000 <= day.year <= 2100:
        raise UserError("Ngày phải trong khoảng năm 2000 đến 2100.")
    note, legal_source = note.strip(), legal_source.strip()
    if len(note) > MAX_NOTE or len(legal_source) > MAX_NOTE:
        raise UserError(f"Ghi chú và căn cứ pháp lý dài tối đa {MAX_NOTE} ký tự.")
    if not note:
        raise UserError("Hãy ghi chú lý do (ví dụ: Nghỉ bù Tết Nguyên đán).")
    taken = db.session.scalar(sa.select(CalendarException.id).where(CalendarException.day == day))
    if taken is not None:
        raise UserError(
            f"Ngày {day:%d/%m/%Y} đã có trong danh sách ngoại lệ; hãy xóa mục cũ trước."
        )
    row = CalendarException(day=day, kind=kind, note=note, legal_source=legal_source)
    db.session.add(row)
    db.session.flush()
    audit.record("calendar_exception", row.id, "create", None, _snapshot(row), user=user)
    _forget_cached()
    return row


def delete_exception(row: CalendarException, *, user: User | None = None) -> None:
    before = _snapshot(row)
    row_id = row.id
    db.session.delete(row)
    db.session.flush()
    audit.record("calendar_exception", row_id, "delete", before, None, user=user)
    _forget_cached()


def _forget_cached() -> None:
    if has_app_context():
        g.pop("work_calendar", None)
