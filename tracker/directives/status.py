"""Status buckets as of a date (DESIGN.md §3): one pure function for pages, API, e-mails, reports.

The workflow state is stored; timeliness is computed as of a day, except after completion where
it is frozen (the on_time flags set when the leader confirmed). Days late and days overdue are
working days (DESIGN.md §4): the functions take the working-day calendar
(``tracker.calendar.services.load_calendar()``); without one they use the national calendar of
the ``holidays`` package, which has no local exceptions.

Which facts an assignment had on a past day (its state, deadline, extension) is the business of
``tracker.directives.asof``: it rebuilds a :class:`Facts` from what was recorded up to the end of
that day, and these rules then judge it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from tracker.calendar.workdays import WorkCalendar


class Bucket(StrEnum):
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    OVERDUE = "overdue"
    NO_DEADLINE = "no_deadline"
    WITHDRAWN = "withdrawn"


BUCKET_LABELS: dict[Bucket, str] = {
    Bucket.DONE_ON_TIME: "Hoàn thành đúng hạn",
    Bucket.DONE_LATE: "Hoàn thành quá hạn",
    Bucket.IN_PROGRESS: "Đang thực hiện trong hạn",
    Bucket.NOT_STARTED: "Chưa triển khai",
    Bucket.OVERDUE: "Đang thực hiện quá hạn",
    Bucket.NO_DEADLINE: "Không có thời hạn",
    Bucket.WITHDRAWN: "Đã rút",
}
# Bootstrap colour names: green done on time, orange done late, blue in progress, red overdue.
BUCKET_COLOURS: dict[Bucket, str] = {
    Bucket.DONE_ON_TIME: "success",
    Bucket.DONE_LATE: "warning",
    Bucket.IN_PROGRESS: "primary",
    Bucket.NOT_STARTED: "secondary",
    Bucket.OVERDUE: "danger",
    Bucket.NO_DEADLINE: "info",
    Bucket.WITHDRAWN: "dark",
}
BUCKET_ORDER: list[Bucket] = [
    Bucket.OVERDUE,
    Bucket.NOT_STARTED,
    Bucket.IN_PROGRESS,
    Bucket.DONE_LATE,
    Bucket.DONE_ON_TIME,
    Bucket.NO_DEADLINE,
    Bucket.WITHDRAWN,
]
DONE_BUCKETS = {Bucket.DONE_ON_TIME, Bucket.DONE_LATE}
AWAITING_LABEL = "đã báo cáo hoàn thành, chờ xác nhận"

ORIGINAL = "original"
EXTENDED = "extended"

# Workflow states (tracker.constants holds their labels; repeated here so the rules stay pure).
_DONE = "done"
_NOT_STARTED = "not_started"
_AWAITING = "awaiting_confirmation"
_WITHDRAWN = "withdrawn"


class WorkingDays(Protocol):
    """What the rules need of a working-day calendar (``WorkCalendar`` is one)."""

    def working_days_between(self, start: dt.date, end: dt.date) -> int: ...


_NATIONAL = WorkCalendar()


def _calendar(calendar: WorkingDays | None) -> WorkingDays:
    return calendar if calendar is not None else _NATIONAL


@dataclass(frozen=True)
class Facts:
    """What the status rule needs from an assignment (plain data, no ORM).

    ``extension_requested`` is the deadline a pending extension request asks for: shown, never
    counted (a pending extension moves nothing).
    """

    state: str
    deadline: dt.date | None
    extended_deadline: dt.date | None = None
    extension_approved_on: dt.date | None = None
    completed_on: dt.date | None = None
    on_time: bool | None = None
    on_time_original: bool | None = None
    withdrawn: bool = False
    extension_requested: dt.date | None = None


@dataclass(frozen=True)
class Status:
    """A bucket with what its wording needs: the deadline in force, working days late or
    overdue, and the two things that wait for a leader (a completion, an extension)."""

    bucket: Bucket
    deadline: dt.date | None = None
    days_overdue: int = 0
    awaiting: bool = False
    extension_requested: dt.date | None = None
    completed_on: dt.date | None = None

    @property
    def label(self) -> str:
        text = BUCKET_LABELS[self.bucket]
        if self.bucket in (Bucket.OVERDUE, Bucket.DONE_LATE) and self.days_overdue:
            text = f"{text} ({self.days_overdue} ngày làm việc)"
        if self.awaiting and not self.is_done:
            text = f"{text}; {AWAITING_LABEL}"
        return text

    @property
    def colour(self) -> str:
        return BUCKET_COLOURS[self.bucket]

    @property
    def is_done(self) -> bool:
        return self.bucket in DONE_BUCKETS

    @property
    def is_due(self) -> bool:
        """Counted among the tasks due by the day (đến hạn): done, or overdue."""
        return self.is_done or self.bucket is Bucket.OVERDUE


def facts_of(assignment: object, withdrawn: bool = False) -> Facts:
    """Facts from anything with the Assignment attributes (ORM row or a namedtuple), as stored
    now; for a past day use ``tracker.directives.asof``."""
    return Facts(
        state=assignment.state,  # type: ignore[attr-defined]
        deadline=assignment.deadline,  # type: ignore[attr-defined]
        extended_deadline=assignment.extended_deadline,  # type: ignore[attr-defined]
        extension_approved_on=assignment.extension_approved_on,  # type: ignore[attr-defined]
        completed_on=assignment.completed_on,  # type: ignore[attr-defined]
        on_time=assignment.on_time,  # type: ignore[attr-defined]
        on_time_original=assignment.on_time_original,  # type: ignore[attr-defined]
        withdrawn=withdrawn or assignment.state == _WITHDRAWN,  # type: ignore[attr-defined]
    )


def deadline_in_force(facts: Facts, as_of: dt.date, against: str = EXTENDED) -> dt.date | None:
    """The extended deadline counts only if approved by as_of, and only when asked for."""
    if (
        against == EXTENDED
        and facts.extended_deadline is not None
        and (facts.extension_approved_on is None or facts.extension_approved_on <= as_of)
    ):
        return facts.extended_deadline
    return facts.deadline


def compute_status(
    facts: Facts,
    as_of: dt.date,
    against: str = EXTENDED,
    calendar: WorkingDays | None = None,
) -> Status:
    """The bucket of one assignment on ``as_of``; days late/overdue in working days."""
    if facts.withdrawn:
        return Status(Bucket.WITHDRAWN)
    days = _calendar(calendar).working_days_between
    deadline = deadline_in_force(facts, as_of, against)
    done = facts.state == _DONE and facts.completed_on is not None
    if done and facts.completed_on <= as_of:  # type: ignore[operator]
        completed = facts.completed_on
        frozen = facts.on_time if against == EXTENDED else facts.on_time_original
        if frozen is None:
            frozen = deadline is None or completed <= deadline  # type: ignore[operator]
        late_days = 0
        if not frozen and deadline is not None:
            late_days = days(deadline, completed)  # type: ignore[arg-type]
        bucket = Bucket.DONE_ON_TIME if frozen else Bucket.DONE_LATE
        return Status(bucket, deadline, late_days, completed_on=completed)
    awaiting = facts.state == _AWAITING
    pending = facts.extension_requested
    if deadline is None:
        return Status(Bucket.NO_DEADLINE, awaiting=awaiting)
    if as_of > deadline:
        overdue = days(deadline, as_of)
        return Status(Bucket.OVERDUE, deadline, overdue, awaiting, pending)
    if facts.state == _NOT_STARTED:
        return Status(Bucket.NOT_STARTED, deadline, extension_requested=pending)
    return Status(Bucket.IN_PROGRESS, deadline, awaiting=awaiting, extension_requested=pending)


def roll_up(statuses: Iterable[Status]) -> Status | None:
    """Many statuses as one: a directive from its lead assignments and its sub-directives.

    Done only when every item is done (late if any is late); otherwise the worst wins: overdue
    if any item is, then in progress; "chưa triển khai" only when nothing has started.
    """
    all_items = list(statuses)
    items = [s for s in all_items if s.bucket is not Bucket.WITHDRAWN]
    if not items:
        return Status(Bucket.WITHDRAWN) if all_items else None
    deadlines = [s.deadline for s in items if s.deadline is not None]
    latest = max(deadlines) if deadlines else None
    open_items = [s for s in items if not s.is_done]
    if not open_items:
        completed = max((s.completed_on for s in items if s.completed_on), default=None)
        if any(s.bucket is Bucket.DONE_LATE for s in items):
            late = max(s.days_overdue for s in items)
            return Status(Bucket.DONE_LATE, latest, late, completed_on=completed)
        return Status(Bucket.DONE_ON_TIME, latest, completed_on=completed)
    awaiting = all(s.awaiting for s in open_items)
    overdue = [s for s in open_items if s.bucket is Bucket.OVERDUE]
    if overdue:
        worst = max(overdue, key=lambda s: s.days_overdue)
        return Status(Bucket.OVERDUE, worst.deadline, worst.days_overdue, awaiting,
                      worst.extension_requested)
    if all(s.bucket is Bucket.NO_DEADLINE for s in open_items):
        return Status(Bucket.NO_DEADLINE, awaiting=awaiting)
    dated = [s for s in open_items if s.deadline]
    first = min(dated, key=lambda s: s.deadline) if dated else None  # type: ignore[arg-type,return-value]
    open_deadline = first.deadline if first else None
    pending = first.extension_requested if first else None
    if all(s.bucket is Bucket.NOT_STARTED for s in items):
        return Status(Bucket.NOT_STARTED, open_deadline, extension_requested=pending)
    return Status(Bucket.IN_PROGRESS, open_deadline, awaiting=awaiting,
                  extension_requested=pending)


def directive_roll_up(
    own: Iterable[Status],
    children: Iterable[Status],
    deadline: dt.date | None,
    as_of: dt.date,
    calendar: WorkingDays | None = None,
) -> Status:
    """A directive from its own lead work (``own``: the lead assignments' statuses, or every
    assignment's when none is lead) and its sub-directives: done only when all of them are,
    overdue when any of them is. With neither, its own deadline decides."""
    rolled = roll_up([*own, *children])
    if rolled is not None:
        return rolled
    if deadline is None:
        return Status(Bucket.NO_DEADLINE)
    if as_of > deadline:
        days = _calendar(calendar).working_days_between(deadline, as_of)
        return Status(Bucket.OVERDUE, deadline, days)
    return Status(Bucket.NOT_STARTED, deadline)


@dataclass
class Summary:
    """Counts per bucket and the rates Vietnamese reports quote."""

    counts: dict[Bucket, int] = field(default_factory=lambda: {b: 0 for b in Bucket})

    def add(self, status: Status | None) -> None:
        if status is not None:
            self.counts[status.bucket] += 1

    @property
    def total(self) -> int:
        """Assigned tasks, withdrawn ones left out."""
        return sum(self.counts.values()) - self.counts[Bucket.WITHDRAWN]

    @property
    def done(self) -> int:
        return self.counts[Bucket.DONE_ON_TIME] + self.counts[Bucket.DONE_LATE]

    @property
    def open(self) -> int:
        """Not done and counted in the grid: in time, not started, overdue."""
        return self.counts[Bucket.IN_PROGRESS] + self.counts[Bucket.NOT_STARTED] + self.overdue

    @property
    def overdue(self) -> int:
        return self.counts[Bucket.OVERDUE]

    @property
    def in_time(self) -> int:
        """Not done, deadline not passed, work started."""
        return self.counts[Bucket.IN_PROGRESS]

    @property
    def not_started(self) -> int:
        return self.counts[Bucket.NOT_STARTED]

    @property
    def due(self) -> int:
        """Tasks whose deadline has come by the report date (đến hạn)."""
        return self.done + self.overdue

    @property
    def done_rate(self) -> float | None:
        """Share of due tasks that are completed (headline rate)."""
        due = self.due
        return self.done / due * 100 if due else None

    @property
    def on_time_rate(self) -> float | None:
        due = self.due
        return self.counts[Bucket.DONE_ON_TIME] / due * 100 if due else None


def summarize(statuses: Iterable[Status | None]) -> Summary:
    summary = Summary()
    for status in statuses:
        summary.add(status)
    return summary


def fmt_rate(rate: float | None) -> str:
    """Vietnamese decimal comma: 66,67%."""
    if rate is None:
        return "—"
    return f"{rate:.2f}".replace(".", ",").removesuffix(",00") + "%"
