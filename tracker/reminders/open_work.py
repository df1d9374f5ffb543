"""The open work a reminder run reads, as plain rows: one query for the assignments (with their
directive and period), one for the units, one for the leaders in charge.

A province run reads ~13,000 open assignments; loading them as ORM objects (and their
directives) was most of the run, and the rows are only read. Statuses come from the one rule
(status.compute_status; for a past day the history, presenters' way) once per assignment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from tracker.auth.models import User
from tracker.constants import ASSIGNMENT_ROLES, LEAD, WITHDRAWN
from tracker.core import versioning
from tracker.directives.models import Assignment, Directive, Period
from tracker.directives.presenters import uses_history
from tracker.directives.status import EXTENDED, Facts, Status, compute_status
from tracker.extensions import db
from tracker.reminders import selection
from tracker.units.models import Unit


@dataclass(frozen=True, slots=True)
class Person:
    """What mail needs of a user (~2,000 officers at province scale, read as rows)."""

    id: int
    email: str | None
    full_name: str
    unit_id: int | None
    notify_mode: str
    active: bool


PERSON_COLUMNS = (User.id, User.email, User.full_name, User.unit_id, User.notify_mode,
                  User.active)


def active_people(*roles: str) -> list[Person]:
    """Active users of these roles who have an e-mail address, in id order."""
    rows = db.session.execute(
        sa.select(*PERSON_COLUMNS)
        .where(User.active.is_(True), User.role.in_(roles), User.email.is_not(None))
        .order_by(User.id)
    )
    return [Person(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class UnitRow:
    """What mail needs of a unit: its mailbox, its name, its place in lists."""

    id: int
    name: str
    email: str | None
    active: bool
    position: int


@dataclass(slots=True)  # not frozen: ~13,000 are built a run, and frozen init is slower
class OpenAssignment:
    """An assignment that may still need a reminder, with what its e-mail line shows."""

    id: int
    unit: UnitRow
    officer_id: int | None
    role: str
    directive_id: int
    parent_id: int | None
    number: str
    title: str
    year: int
    month: int
    leader_id: int | None
    last_update_at: dt.datetime | None
    facts: Facts

    @property
    def unit_id(self) -> int:
        return self.unit.id

    @property
    def is_lead(self) -> bool:
        return self.role == LEAD

    @property
    def role_label(self) -> str:
        """Assignment.role_label."""
        return ASSIGNMENT_ROLES.get(self.role, self.role)

    def info(self) -> selection.AssignmentInfo:
        return selection.AssignmentInfo(self.id, self.unit.id, self.is_lead, self.facts)


def load_units(ids: Collection[int] | None = None) -> dict[int, UnitRow]:
    stmt = sa.select(Unit.id, Unit.name, Unit.email, Unit.active, Unit.position)
    if ids is not None:
        stmt = stmt.where(Unit.id.in_(list(ids)))
    return {row.id: UnitRow(*row) for row in db.session.execute(stmt)}


# The last read, under the data version it was read at: a daily run reads the same rows for
# the reminders and for the leaders' digest, in two transactions; any committed change to
# shown data (an assignment, a directive) gives a new version and a fresh read.
_last: tuple[tuple[str, dt.date], list[OpenAssignment]] | None = None


def open_assignments(as_of: dt.date) -> list[OpenAssignment]:
    """Assignments that may still need a reminder as of the day (not withdrawn, not done by
    then), in id order."""
    global _last
    session = db.session()
    token = "" if versioning.has_uncommitted_changes(session) else versioning.current(session)
    if token and _last is not None and _last[0] == (token, as_of):
        return list(_last[1])
    found = _read_open(as_of)
    _last = ((token, as_of), found) if token else None
    return list(found)


def _read_open(as_of: dt.date) -> list[OpenAssignment]:
    a, d = Assignment, Directive
    rows = db.session.execute(
        sa.select(
            a.id, a.unit_id, a.officer_id, a.role, a.last_update_at,
            a.state, a.deadline, a.extended_deadline, a.extension_approved_on, a.completed_on,
            a.on_time, a.on_time_original,
            d.id.label("directive_id"), d.parent_id, d.number, d.title, d.leader_id,
            d.withdrawn_at, Period.year, Period.month,
        )
        .join(d, d.id == a.directive_id)
        .join(Period, Period.id == d.period_id)
        .where(
            d.withdrawn_at.is_(None),
            a.state != "withdrawn",
            sa.or_(a.state != "done", a.completed_on.is_(None), a.completed_on > as_of),
        )
        .order_by(a.id)
    ).all()
    units = load_units({row.unit_id for row in rows}) if rows else {}
    # unpacked as tuples: ~13,000 rows a run, and reading a Row by name costs more than this
    return [
        OpenAssignment(
            assignment_id, units[unit_id], officer_id, role, directive_id, parent_id, number,
            title, year, month, leader_id, last_update_at,
            Facts(  # status.facts_of over the row
                state=state, deadline=deadline, extended_deadline=extended,
                extension_approved_on=approved_on, completed_on=completed_on, on_time=on_time,
                on_time_original=on_time_original,
                withdrawn=withdrawn_at is not None or state == WITHDRAWN,
            ),
        )
        for (assignment_id, unit_id, officer_id, role, last_update_at, state, deadline, extended,
             approved_on, completed_on, on_time, on_time_original, directive_id, parent_id,
             number, title, leader_id, withdrawn_at, year, month) in rows
    ]


def leaders_of(items: Iterable[OpenAssignment]) -> dict[int, Person]:
    """The leaders in charge of these assignments' directives, by id."""
    ids = {item.leader_id for item in items if item.leader_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(*PERSON_COLUMNS).where(User.id.in_(ids)))
    return {row.id: Person(*row) for row in rows}


def statuses(
    items: Iterable[OpenAssignment], as_of: dt.date, calendar: selection.Calendar
) -> dict[int, Status]:
    """Each assignment's status on the day (EXTENDED deadline), as presenters.assignment_status
    judges it: the stored row for today and later, the history (one book for all) before."""
    items = list(items)
    book = None
    if uses_history(as_of) and items:
        from tracker.directives.asof_queries import load_book

        book = load_book(as_of, EXTENDED,
                         directive_ids={i.parent_id or i.directive_id for i in items})
    found = {}
    for item in items:
        if book is not None and item.id in book.assignments:
            found[item.id] = book.assignment_status(item.id)
        else:
            found[item.id] = compute_status(item.facts, as_of, EXTENDED, calendar)  # type: ignore[arg-type]
    return found
