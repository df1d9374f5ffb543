"""Status buckets as of a date (DESIGN.md §3): one pure function for pages, API, e-mails, reports.

The workflow state is stored; timeliness is computed as of a day, except after completion where
it is frozen (the on_time flags set when the leader confirmed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


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

ORIGINAL = "original"
EXTENDED = "extended"


@dataclass(frozen=True)
class Facts:
    """What the status rule needs from an assignment (plain data, no ORM)."""

    state: str
    deadline: dt.date | None
    extended_deadline: dt.date | None = None
    extension_approved_on: dt.date | None = None
    completed_on: dt.date | None = None
    on_time: bool | None = None
    on_time_original: bool | None = None
    withdrawn: bool = False


@dataclass(frozen=True)
class Status:
    bucket: Bucket
    deadline: dt.date | None = None
    days_overdue: int = 0

    @property
    def label(self) -> str:
        text = BUCKET_LABELS[self.bucket]
        if self.bucket is Bucket.OVERDUE and self.days_overdue:
            return f"{text} ({self.days_overdue} ngày)"
        return text

    @property
    def colour(self) -> str:
        return BUCKET_COLOURS[self.bucket]

    @property
    def is_done(self) -> bool:
        return self.bucket in DONE_BUCKETS


def facts_of(assignment: object, withdrawn: bool = False) -> Facts:
    """Facts from anything with the Assignment attributes (ORM row or a namedtuple)."""
    return Facts(
        state=assignment.state,  # type: ignore[attr-defined]
        deadline=assignment.deadline,  # type: ignore[attr-defined]
        extended_deadline=assignment.extended_deadline,  # type: ignore[attr-defined]
        extension_approved_on=assignment.extension_approved_on,  # type: ignore[attr-defined]
        completed_on=assignment.completed_on,  # type: ignore[attr-defined]
        on_time=assignment.on_time,  # type: ignore[attr-defined]
        on_time_original=assignment.on_time_original,  # type: ignore[attr-defined]
        withdrawn=withdrawn or assignment.state == "withdrawn",  # type: ignore[attr-defined]
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


def compute_status(facts: Facts, as_of: dt.date, against: str = EXTENDED) -> Status:
    if facts.withdrawn:
        return Status(Bucket.WITHDRAWN)
    deadline = deadline_in_force(facts, as_of, against)
    done = facts.state == "done" and facts.completed_on is not None
    if done and facts.completed_on <= as_of:  # type: ignore[operator]
        frozen = facts.on_time if against == EXTENDED else facts.on_time_original
        if frozen is None:
            frozen = deadline is None or facts.completed_on <= deadline  # type: ignore[operator]
        late_days = 0
        if not frozen and deadline is not None:
            late_days = (facts.completed_on - deadline).days  # type: ignore[operator]
        bucket = Bucket.DONE_ON_TIME if frozen else Bucket.DONE_LATE
        return Status(bucket, deadline, late_days)
    if deadline is None:
        return Status(Bucket.NO_DEADLINE)
    if as_of > deadline:
        return Status(Bucket.OVERDUE, deadline, (as_of - deadline).days)
    if facts.state == "not_started":
        return Status(Bucket.NOT_STARTED, deadline)
    return Status(Bucket.IN_PROGRESS, deadline)


def roll_up(statuses: Iterable[Status]) -> Status | None:
    """A directive from its lead assignments, a parent from its sub-directives."""
    all_items = list(statuses)
    items = [s for s in all_items if s.bucket is not Bucket.WITHDRAWN]
    if not items:
        return Status(Bucket.WITHDRAWN) if all_items else None
    deadlines = [s.deadline for s in items if s.deadline is not None]
    latest = max(deadlines) if deadlines else None
    open_items = [s for s in items if not s.is_done]
    if not open_items:
        if any(s.bucket is Bucket.DONE_LATE for s in items):
            return Status(Bucket.DONE_LATE, latest, max(s.days_overdue for s in items))
        return Status(Bucket.DONE_ON_TIME, latest)
    overdue = [s for s in open_items if s.bucket is Bucket.OVERDUE]
    if overdue:
        worst = max(overdue, key=lambda s: s.days_overdue)
        return Status(Bucket.OVERDUE, worst.deadline, worst.days_overdue)
    if all(s.bucket is Bucket.NO_DEADLINE for s in open_items):
        return Status(Bucket.NO_DEADLINE)
    open_deadline = min((s.deadline for s in open_items if s.deadline), default=None)
    if all(s.bucket is Bucket.NOT_STARTED for s in items):
        return Status(Bucket.NOT_STARTED, open_deadline)
    return Status(Bucket.IN_PROGRESS, open_deadline)


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
        return sum(n for b, n in self.counts.items() if b is not Bucket.WITHDRAWN)

    @property
    def done(self) -> int:
        return self.counts[Bucket.DONE_ON_TIME] + self.counts[Bucket.DONE_LATE]

    @property
    def open(self) -> int:
        return self.counts[Bucket.IN_PROGRESS] + self.counts[Bucket.NOT_STARTED] + self.overdue

    @property
    def overdue(self) -> int:
        return self.counts[Bucket.OVERDUE]

    @property
    def due(self) -> int:
        """Tasks whose deadline has come by the report date (đến hạn)."""
        return self.done + self.overdue

    @property
    def done_rate(self) -> float | None:
        """Share of due tasks that are completed (headline rate)."""
        return self.done / self.due * 100 if self.due else None

    @property
    def on_time_rate(self) -> float | None:
        return self.counts[Bucket.DONE_ON_TIME] / self.due * 100 if self.due else None


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
