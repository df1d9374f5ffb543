"""An assignment's facts as of a day D, computed from what was recorded up to the end of D.

Every figure of a page, e-mail or report dated D comes from here (DESIGN.md §3), never from
today's row, so a March report reads the same whenever it is rebuilt. Pure functions over plain
records; ``asof_queries.py`` loads them (a fixed number of queries for any amount of data) and
``status_sql.py`` writes the same rules in SQL for the pages that count. Tests check both.

The rules, for the end of day D (``clock.end_of_day(D)``; a record counts when made before it):

- exists: an assignment given (``assigned_on``) by D and not removed by then; a directive
  entered by then, or given to a unit by D (the importer records the day the tasks were given);
- withdrawn: the directive's ``withdrawn_at`` is before the end of D;
- state: the last progress record by D decides (progress or returned: in progress; completion:
  awaiting confirmation; confirmed: done). With none, the state before the first recorded change
  after D (an audit event's ``before``); with none either, "not started" when the unit reported
  only later, else the state the row was created with (an assignment nobody reported on, e.g.
  carried over "in progress" from last month). A row withdrawn after D counts as not started;
- completion: once confirmed by D, the completion day and the on-time flags frozen on the row;
- deadline and role: the row's, unless an audited change after D says what they were before;
- extension in force: the last extension request approved by D (its day of approval); a request
  made but not decided by D is pending and moves nothing. Rows with no request at all keep their
  stored extension (data entered before requests existed);
- percent: 100 when done; else the last progress record's by D; 0 before any record (or the
  row's, for a row nobody reported on);
- results, difficulties and proposals: the latest non-empty ones recorded by D.

Structure (which period a directive is in, its parent) is today's: moving a directive between
periods after D is rare and keeps its history with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tracker.constants import (
    APPROVED,
    AWAITING_CONFIRMATION,
    COMPLETION,
    CONFIRMED,
    DONE,
    IN_PROGRESS,
    LEAD,
    NOT_STARTED,
    PENDING,
    PROGRESS,
    RETURNED,
    WITHDRAWN,
)
from tracker.core import clock
from tracker.directives.status import (
    EXTENDED,
    Bucket,
    Facts,
    Status,
    WorkingDays,
    compute_status,
    directive_roll_up,
)

RECORD_STATES: dict[str, str] = {
    PROGRESS: IN_PROGRESS,
    RETURNED: IN_PROGRESS,
    COMPLETION: AWAITING_CONFIRMATION,
    CONFIRMED: DONE,
}
RESULT_KINDS = (PROGRESS, COMPLETION)
REPLAYED_STATES = (NOT_STARTED, IN_PROGRESS, AWAITING_CONFIRMATION, DONE)
_MISSING = object()


@dataclass(frozen=True)
class Record:
    """A progress record (ProgressUpdate): a unit's report or a leader's confirm/return."""

    id: int
    at: dt.datetime
    kind: str
    percent: int = 0
    result: str = ""
    difficulties: str = ""
    proposals: str = ""

    @property
    def day(self) -> dt.date:
        return clock.local_date(self.at)


@dataclass(frozen=True)
class ExtensionRecord:
    id: int
    requested_at: dt.datetime
    proposed_deadline: dt.date
    status: str = PENDING
    decided_at: dt.datetime | None = None
    reason: str = ""


@dataclass(frozen=True)
class Change:
    """An audited change: when, and the values before it (only the keys it touched)."""

    at: dt.datetime
    before: Mapping[str, Any]
    id: int = 0


@dataclass(frozen=True)
class AssignmentHistory:
    """An assignment as stored now, with everything recorded about it."""

    id: int
    directive_id: int
    unit_id: int
    role: str
    deadline: dt.date | None
    state: str
    percent: int = 0
    assigned_on: dt.date | None = None
    completed_on: dt.date | None = None
    on_time: bool | None = None
    on_time_original: bool | None = None
    extended_deadline: dt.date | None = None
    extension_approved_on: dt.date | None = None
    records: tuple[Record, ...] = ()
    extensions: tuple[ExtensionRecord, ...] = ()
    changes: tuple[Change, ...] = ()
    # An assignment removed since (rebuilt from the audit's "delete" event): when it went.
    removed_at: dt.datetime | None = None


@dataclass(frozen=True)
class DirectiveHistory:
    id: int
    parent_id: int | None
    number: str
    title: str
    field: str
    deadline: dt.date | None
    text: str = ""
    position: int = 0
    created_at: dt.datetime | None = None
    withdrawn_at: dt.datetime | None = None
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class AssignmentAsOf:
    """An assignment as it stood at the end of a day."""

    id: int
    directive_id: int
    unit_id: int
    role: str
    exists: bool
    facts: Facts
    percent: int
    records: tuple[Record, ...] = ()  # those made by the end of the day, oldest first
    extension: ExtensionRecord | None = None  # approved and in force
    pending_extension: ExtensionRecord | None = None
    decided_extensions: tuple[ExtensionRecord, ...] = ()  # approved or rejected by then

    @property
    def state(self) -> str:
        return self.facts.state

    @property
    def is_lead(self) -> bool:
        return self.role == LEAD

    @property
    def reported(self) -> bool:
        """The unit has sent at least one report by the day."""
        return any(r.kind in RESULT_KINDS for r in self.records)

    @property
    def last_report(self) -> Record | None:
        reports = [r for r in self.records if r.kind in RESULT_KINDS]
        return reports[-1] if reports else None

    def latest(self, attr: str) -> Record | None:
        """The latest unit report with a non-empty ``attr`` (result, difficulties, proposals)."""
        for record in reversed(self.records):
            if record.kind in RESULT_KINDS and (getattr(record, attr) or "").strip():
                return record
        return None

    def status(
        self, as_of: dt.date, against: str = EXTENDED, calendar: WorkingDays | None = None
    ) -> Status:
        return compute_status(self.facts, as_of, against, calendar)


@dataclass(frozen=True)
class DirectiveAsOf:
    id: int
    parent_id: int | None
    number: str
    title: str
    text: str
    field: str
    deadline: dt.date | None
    position: int
    exists: bool
    withdrawn: bool


def _before(changes: Iterable[Change], key: str, eod: dt.datetime) -> object:
    """The value ``key`` had at ``eod``: the ``before`` of the first change after it, or
    _MISSING when nothing changed it since."""
    for change in sorted(changes, key=lambda c: (c.at, c.id)):
        if change.at >= eod and key in (change.before or {}):
            return change.before[key]
    return _MISSING


def _date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value  # type: ignore[return-value]
    return dt.date.fromisoformat(str(value)[:10])


def rolled_back(changes: Iterable[Change], key: str, current: object, eod: dt.datetime) -> object:
    value = _before(changes, key, eod)
    return current if value is _MISSING else value


def _state(h: AssignmentHistory, records: tuple[Record, ...], eod: dt.datetime) -> str:
    if records:
        return RECORD_STATES.get(records[-1].kind, IN_PROGRESS)
    before = _before(h.changes, "state", eod)
    if before in REPLAYED_STATES:
        return str(before)
    if h.records:  # the unit reported, but only after the day
        return NOT_STARTED
    return NOT_STARTED if h.state == WITHDRAWN else h.state


def _percent(
    h: AssignmentHistory, state: str, records: tuple[Record, ...], eod: dt.datetime
) -> int:
    if state == DONE:
        return 100
    if records:
        return records[-1].percent
    if state == NOT_STARTED:
        return 0
    before = _before(h.changes, "percent", eod)
    if before is not _MISSING and isinstance(before, int):
        return before
    return 0 if h.records else h.percent


def _extensions(
    h: AssignmentHistory, eod: dt.datetime
) -> tuple[ExtensionRecord | None, ExtensionRecord | None]:
    """(the approved request in force, the pending one) at ``eod``."""
    decided = [
        r for r in h.extensions
        if r.status == APPROVED and r.decided_at is not None and r.decided_at < eod
    ]
    in_force = max(decided, key=lambda r: (r.decided_at, r.id)) if decided else None
    pending = [
        r for r in h.extensions
        if r.requested_at < eod and (r.decided_at is None or r.decided_at >= eod)
    ]
    return in_force, (max(pending, key=lambda r: (r.requested_at, r.id)) if pending else None)


def assignment_as_of(
    h: AssignmentHistory, day: dt.date, *, withdrawn: bool = False
) -> AssignmentAsOf:
    """The assignment at the end of ``day`` (rules in the module docstring).

    ``withdrawn``: its directive was withdrawn by then (``directive_as_of(...).withdrawn``).
    """
    eod = clock.end_of_day(day)
    exists = (h.removed_at is None or h.removed_at >= eod) and (
        h.assigned_on is None or h.assigned_on <= day
    )
    records = tuple(r for r in sorted(h.records, key=lambda r: (r.at, r.id)) if r.at < eod)
    state = _state(h, records, eod)
    in_force, pending = _extensions(h, eod)
    if h.extensions:
        extended = in_force.proposed_deadline if in_force else None
        approved_on = clock.local_date(in_force.decided_at) if in_force else None  # type: ignore[arg-type]
    else:
        extended, approved_on = h.extended_deadline, h.extension_approved_on
    done = state == DONE
    facts = Facts(
        state=state,
        deadline=_date(rolled_back(h.changes, "deadline", h.deadline, eod)),
        extended_deadline=extended,
        extension_approved_on=approved_on,
        completed_on=h.completed_on if done else None,
        on_time=h.on_time if done else None,
        on_time_original=h.on_time_original if done else None,
        withdrawn=withdrawn,
        extension_requested=pending.proposed_deadline if pending else None,
    )
    return AssignmentAsOf(
        id=h.id,
        directive_id=h.directive_id,
        unit_id=h.unit_id,
        role=str(rolled_back(h.changes, "role", h.role, eod)),
        exists=exists,
        facts=facts,
        percent=_percent(h, state, records, eod),
        records=records,
        extension=in_force,
        pending_extension=pending,
        decided_extensions=tuple(r for r in h.extensions
                                 if r.decided_at is not None and r.decided_at < eod),
    )


def directive_as_of(
    h: DirectiveHistory, day: dt.date, assigned: Iterable[dt.date | None] = ()
) -> DirectiveAsOf:
    """The directive at the end of ``day``; ``assigned`` are its assignments' ``assigned_on``
    (as of the day) for the existence rule."""
    eod = clock.end_of_day(day)

    def value(key: str, current: object) -> Any:
        return rolled_back(h.changes, key, current, eod)

    exists = (
        h.created_at is None
        or h.created_at < eod
        or any(d is None or d <= day for d in assigned)
    )
    return DirectiveAsOf(
        id=h.id,
        parent_id=h.parent_id,
        number=str(value("number", h.number)),
        title=str(value("title", h.title)),
        text=str(value("text", h.text) or ""),
        field=str(value("field", h.field)),
        deadline=_date(value("deadline", h.deadline)),
        position=h.position,
        exists=exists,
        withdrawn=h.withdrawn_at is not None and h.withdrawn_at < eod,
    )


@dataclass
class Book:
    """A set of directives (with their sub-directives and assignments) as of one day: the facts
    of each, and their statuses by the one rule (``status.directive_roll_up``)."""

    day: dt.date
    against: str = EXTENDED
    calendar: WorkingDays | None = None
    directives: dict[int, DirectiveAsOf] = field(default_factory=dict)
    assignments: dict[int, AssignmentAsOf] = field(default_factory=dict)
    by_directive: dict[int, list[AssignmentAsOf]] = field(default_factory=dict)
    children_of: dict[int, list[int]] = field(default_factory=dict)
    _statuses: dict[int, Status] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        directives: Iterable[DirectiveHistory],
        assignments: Iterable[AssignmentHistory],
        day: dt.date,
        against: str = EXTENDED,
        calendar: WorkingDays | None = None,
    ) -> Book:
        book = cls(day=day, against=against, calendar=calendar)
        histories = list(directives)
        eod = clock.end_of_day(day)
        withdrawn = {h.id: h.withdrawn_at is not None and h.withdrawn_at < eod for h in histories}
        assigned: dict[int, list[dt.date | None]] = {}
        for a in assignments:
            view = assignment_as_of(a, day, withdrawn=withdrawn.get(a.directive_id, False))
            book.assignments[a.id] = view
            if view.exists:
                book.by_directive.setdefault(a.directive_id, []).append(view)
            if a.removed_at is None:
                assigned.setdefault(a.directive_id, []).append(a.assigned_on)
        for h in sorted(histories, key=lambda h: (h.position, h.id)):
            view = directive_as_of(h, day, assigned.get(h.id, ()))
            book.directives[h.id] = view
            if view.exists and h.parent_id is not None:
                book.children_of.setdefault(h.parent_id, []).append(h.id)
        return book

    def top_level(self) -> list[DirectiveAsOf]:
        """Directives without a parent that existed on the day, in report order."""
        return [d for d in self.directives.values() if d.exists and d.parent_id is None]

    def children(self, directive_id: int) -> list[DirectiveAsOf]:
        return [self.directives[i] for i in self.children_of.get(directive_id, [])]

    def units(self, directive_id: int) -> list[AssignmentAsOf]:
        return list(self.by_directive.get(directive_id, []))

    def leads(self, directive_id: int) -> list[AssignmentAsOf]:
        """The lead assignments, or every assignment when none is lead."""
        units = self.units(directive_id)
        return [a for a in units if a.is_lead] or units

    def assignment_status(self, assignment_id: int) -> Status:
        return self.assignments[assignment_id].status(self.day, self.against, self.calendar)

    def status(self, directive_id: int) -> Status:
        """``status.directive_roll_up`` over the directive's own lead work and sub-directives."""
        cached = self._statuses.get(directive_id)
        if cached is not None:
            return cached
        d = self.directives[directive_id]
        if d.withdrawn:
            result = Status(Bucket.WITHDRAWN)
        else:
            own = [a.status(self.day, self.against, self.calendar)
                   for a in self.leads(directive_id)]
            kids = [self.status(c.id) for c in self.children(directive_id)]
            result = directive_roll_up(own, kids, d.deadline, self.day, self.calendar)
        self._statuses[directive_id] = result
        return result
