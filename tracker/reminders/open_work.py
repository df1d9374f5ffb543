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
from tracker.constants import ASSIGNMENT_ROLES, LEAD
from tracker.directives.models import Assignment, Directive, Period
from tracker.directives.presenters import uses_history
from tracker.directives.status import EXTENDED, Facts, Status, compute_status, facts_of
from tracker.extensions import db
from tracker.reminders import selection
from tracker.units.models import Unit


@dataclass(frozen=True, slots=True)
class UnitRow:
    """What mail needs of a unit: its mailbox, its name, its place in lists."""

    id: int
    name: str
    email: str | None
    active: bool
    position: int


@dataclass(frozen=True, slots=True)
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


def open_assignments(as_of: dt.date) -> list[OpenAssignment]:
    """Assignments that may still need a reminder as of the day (not withdrawn, not done by
    then), in id order."""
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
    return [
        OpenAssignment(
            id=row.id,
            unit=units[row.unit_id],
            officer_id=row.officer_id,
            role=row.role,
            directive_id=row.directive_id,
            parent_id=row.parent_id,
            number=row.number,
            title=row.title,
            year=row.year,
            month=row.month,
            leader_id=row.leader_id,
            last_update_at=row.last_update_at,
            facts=facts_of(row, withdrawn=row.withdrawn_at is not None),
        )
        for row in rows
    ]


def leaders_of(items: Iterable[OpenAssignment]) -> dict[int, User]:
    """The leaders in charge of these assignments' directives, by id."""
    ids = {item.leader_id for item in items if item.leader_id is not None}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}


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
