"""Which reminders are due on a day: pure functions over plain data (no database, no clock).

Level-triggered: for each assignment, the latest reminder point reached by `as_of` is due when it
has no record yet. A missed day is therefore caught up by the next run (only the latest point, so
a week offline does not send five stale overdue notices), and a repeated run finds everything
recorded and selects nothing. Nothing is due on a non-working day; the next working day picks it
up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Protocol

from tracker.directives.status import Bucket, Facts, compute_status
from tracker.reminders.models import CUTOFF, DAILY, DUE_TODAY, ESCALATE, OVERDUE, UPCOMING
from tracker.reminders.policy import Policy

SKIPPED_BUCKETS = {Bucket.DONE_ON_TIME, Bucket.DONE_LATE, Bucket.WITHDRAWN, Bucket.NO_DEADLINE}


class Calendar(Protocol):
    """What selection needs from the working-day calendar (tracker.calendar.workdays)."""

    def is_working_day(self, day: dt.date) -> bool: ...

    def working_days_between(self, start: dt.date, end: dt.date) -> int: ...

    def next_working_day(self, day: dt.date) -> dt.date: ...

    def previous_working_day(self, day: dt.date) -> dt.date: ...


@dataclass(frozen=True)
class AssignmentInfo:
    """An assignment as plain data: its id, unit, role and the facts the status rule needs."""

    id: int
    unit_id: int
    is_lead: bool
    facts: Facts


@dataclass(frozen=True)
class Due:
    """One reminder to record and send: (assignment, kind, occurrence) is its unique key."""

    assignment_id: int
    kind: str
    occurrence: str
    deadline: dt.date | None
    days_overdue: int = 0

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.assignment_id, self.kind, self.occurrence)


def select_due(
    as_of: dt.date,
    assignments: Iterable[AssignmentInfo],
    policy: Policy,
    calendar: Calendar,
    recorded: Collection[tuple[int, str, str]] = (),
    daily_units: Collection[int] = (),
) -> list[Due]:
    """Every (assignment, kind, occurrence) due as of `as_of` that has no record yet.

    `daily_units` are the units with an officer who chose the daily digest: their open items in
    the reminder window are listed once per working day (kind "daily").
    """
    if not calendar.is_working_day(as_of):
        return []
    due: list[Due] = []
    for item in assignments:
        for candidate in _points(as_of, item, policy, calendar, item.unit_id in daily_units):
            if candidate.key not in recorded:
                due.append(candidate)
    return due


def _points(
    as_of: dt.date, item: AssignmentInfo, policy: Policy, calendar: Calendar, daily: bool
) -> list[Due]:
    status = compute_status(item.facts, as_of, calendar=calendar)
    if status.bucket in SKIPPED_BUCKETS or status.deadline is None:
        return []
    deadline = status.deadline
    stamp = deadline.isoformat()
    points: list[Due] = []
    level_one: Due | None = None
    if as_of > deadline:
        overdue_wd = calendar.working_days_between(deadline, as_of)
        if overdue_wd >= 1:
            k = (overdue_wd - 1) // policy.overdue_every_days
            level_one = Due(item.id, OVERDUE, f"{stamp}:{k}", deadline, status.days_overdue)
        after = policy.escalate_after_days
        if item.is_lead and after and overdue_wd >= after:
            every = policy.escalate_every_days
            k = (overdue_wd - after) // every if every else 0
            points.append(Due(item.id, ESCALATE, f"{stamp}:{k}", deadline, status.days_overdue))
    elif as_of == deadline:
        if policy.on_due_day:
            level_one = Due(item.id, DUE_TODAY, stamp, deadline)
        elif policy.upcoming_days:
            level_one = Due(item.id, UPCOMING, stamp, deadline)
    elif policy.upcoming_days:
        ahead = calendar.working_days_between(as_of, deadline)
        if 1 <= ahead <= policy.upcoming_days:
            level_one = Due(item.id, UPCOMING, stamp, deadline)
    if level_one is not None:
        points.insert(0, level_one)
    if daily and _in_window(as_of, deadline, policy, calendar):
        points.append(Due(item.id, DAILY, as_of.isoformat(), deadline, status.days_overdue))
    return points


def _in_window(as_of: dt.date, deadline: dt.date, policy: Policy, calendar: Calendar) -> bool:
    """Overdue, due today, or due within the upcoming window (what a daily digest lists)."""
    if deadline <= as_of:
        return True
    return calendar.working_days_between(as_of, deadline) <= max(policy.upcoming_days, 1)


def digest_occurrence(as_of: dt.date, policy: Policy, calendar: Calendar) -> str | None:
    """The weekly digest's key (ISO week) when it is due on `as_of`, else None.

    Due on the configured weekday, or the first working day after it when that day is off, and
    still due (caught up) until the next week's digest day.
    """
    if not calendar.is_working_day(as_of):
        return None
    this_week = as_of - dt.timedelta(days=as_of.weekday()) + dt.timedelta(
        days=policy.digest_weekday
    )
    for target in (this_week, this_week - dt.timedelta(days=7)):
        trigger = calendar.next_working_day(target)
        if trigger <= as_of < target + dt.timedelta(days=7):
            year, week, _ = target.isocalendar()
            return f"{year}-W{week:02d}"
    return None


def cutoff_date(year: int, month: int, policy: Policy, calendar: Calendar) -> dt.date:
    """The month's cut-off: the configured day, or the working day before it when it is off."""
    return calendar.previous_working_day(dt.date(year, month, policy.cutoff_day))


def previous_cutoff(as_of: dt.date, policy: Policy, calendar: Calendar) -> dt.date:
    """The last cut-off strictly before `as_of` (units that have not updated since are listed)."""
    this_month = cutoff_date(as_of.year, as_of.month, policy, calendar)
    if this_month < as_of:
        return this_month
    year, month = (as_of.year, as_of.month - 1) if as_of.month > 1 else (as_of.year - 1, 12)
    return cutoff_date(year, month, policy, calendar)


def cutoff_occurrence(
    as_of: dt.date, policy: Policy, calendar: Calendar
) -> tuple[str, dt.date] | None:
    """(month key, cut-off day) when the monthly "update before the cut-off" notice is due.

    Due from N working days before the cut-off up to the cut-off day itself (so a missed day is
    caught up), never after it.
    """
    if not calendar.is_working_day(as_of):
        return None
    cutoff = cutoff_date(as_of.year, as_of.month, policy, calendar)
    if as_of > cutoff:
        return None
    if calendar.working_days_between(as_of, cutoff) > policy.cutoff_notice_days:
        return None
    return f"{as_of.year:04d}-{as_of.month:02d}", cutoff


def cutoff_due(
    as_of: dt.date,
    month_key: str,
    assignments: Iterable[AssignmentInfo],
    recorded: Collection[tuple[int, str, str]] = (),
) -> list[Due]:
    """The open assignments (not done, not withdrawn) to list in the cut-off notice."""
    due = []
    for item in assignments:
        status = compute_status(item.facts, as_of)
        if status.bucket in {Bucket.DONE_ON_TIME, Bucket.DONE_LATE, Bucket.WITHDRAWN}:
            continue
        candidate = Due(item.id, CUTOFF, month_key, status.deadline, status.days_overdue)
        if candidate.key not in recorded:
            due.append(candidate)
    return due
