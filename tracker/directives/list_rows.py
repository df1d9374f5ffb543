"""The rows the directive list and the first page show, read as plain data in two queries.

Those pages only display directives, so loading ORM graphs (directive, sub-directives,
assignments, units: five queries and thousands of objects per page) cost more than the rest of
the request. Here the same facts come as tuples into small objects with the attributes
``presenters.StatusBook`` reads, so every status is still computed by the one rule
(status.compute_status / directive_roll_up; as of a past day, asof's Book) exactly as before.

Depth: one level of sub-directives, as the importer and the editor create them (status_sql
assumes the same).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from tracker.constants import ASSIGNMENT_ROLES
from tracker.core.periods import PeriodKey
from tracker.directives.models import Assignment, Directive, Period
from tracker.directives.presenters import status_book
from tracker.directives.status import EXTENDED, Status
from tracker.extensions import db
from tracker.units.models import Unit


@dataclass(eq=False, slots=True)
class UnitWork:
    """One assignment as a row shows it (unit, role) and as the status rule reads it."""

    id: int
    unit_id: int
    unit_name: str
    role: str
    state: str
    deadline: dt.date | None
    extended_deadline: dt.date | None
    extension_approved_on: dt.date | None
    completed_on: dt.date | None
    on_time: bool | None
    on_time_original: bool | None
    last_update_at: dt.datetime | None
    directive: DirectiveRow

    @property
    def role_label(self) -> str:
        return ASSIGNMENT_ROLES.get(self.role, self.role)


@dataclass(eq=False, slots=True)
class DirectiveRow:
    """A directive or sub-directive of a list page, with its assignments in id order."""

    id: int
    parent_id: int | None
    number: str
    title: str
    field: str
    deadline: dt.date | None
    withdrawn_at: dt.datetime | None
    period: PeriodKey
    assignments: list[UnitWork] = field(default_factory=list)
    children: list[DirectiveRow] = field(default_factory=list)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def last_update(self) -> dt.datetime | None:
        """The latest progress on the directive or its sub-directives."""
        stamps = [a.last_update_at for a in self.assignments if a.last_update_at]
        for child in self.children:
            stamps += [a.last_update_at for a in child.assignments if a.last_update_at]
        return max(stamps) if stamps else None


def _among(column: sa.ColumnElement, name: str, array: bool) -> sa.ColumnElement[bool]:
    """``column`` is one of the ids bound as ``name``: as one array value on PostgreSQL, so
    the statement's text is the same for any number of ids (the server prepares it once, and
    nothing is rendered per id at each call); as an expanded ``IN (...)`` elsewhere."""
    if array:
        return column == sa.any_(sa.bindparam(name, type_=ARRAY(sa.Integer())))
    return column.in_(sa.bindparam(name, expanding=True))


def _statements(array: bool) -> tuple[sa.Select, sa.Select]:
    """The directives with their sub-directives, and their assignments with unit names."""
    directives = (
        sa.select(Directive.id, Directive.parent_id, Directive.number, Directive.title,
                  Directive.field, Directive.deadline, Directive.withdrawn_at,
                  Period.year, Period.month, Period.kind)
        .join(Period, Period.id == Directive.period_id)
        .where(sa.or_(_among(Directive.id, "ids", array),
                      _among(Directive.parent_id, "ids", array)))
        .order_by(Directive.position, Directive.id)
    )
    assignments = (
        sa.select(Assignment.id, Assignment.unit_id, Unit.name, Assignment.role,
                  Assignment.state, Assignment.deadline, Assignment.extended_deadline,
                  Assignment.extension_approved_on, Assignment.completed_on,
                  Assignment.on_time, Assignment.on_time_original, Assignment.last_update_at,
                  Assignment.directive_id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(_among(Assignment.directive_id, "directive_ids", array))
        .order_by(Assignment.id)
    )
    return directives, assignments


# Built once (the ids bound at execution): SQLAlchemy then keeps their cache keys too.
_STATEMENTS = {False: _statements(False), True: _statements(True)}


def load_rows(ids: Sequence[int]) -> list[DirectiveRow]:
    """These top-level directives in the order given, each with its sub-directives (report
    order) and everyone's assignments and unit names: two queries whatever the page size."""
    if not ids:
        return []
    connection = db.session.connection()
    directives, assignments = _STATEMENTS[connection.dialect.name == "postgresql"]
    by_id: dict[int, DirectiveRow] = {}
    periods: dict[tuple, PeriodKey] = {}  # a page's rows share a period or a few
    for row in connection.execute(directives, {"ids": list(ids)}).tuples().all():
        period = periods.get(row[7:])
        if period is None:
            period = periods[row[7:]] = PeriodKey(row[7], row[8], row[9])
        by_id[row[0]] = DirectiveRow(*row[:7], period=period)
    for item in by_id.values():
        if item.parent_id is not None and item.parent_id in by_id:
            by_id[item.parent_id].children.append(item)
    for row in connection.execute(assignments,
                                  {"directive_ids": list(by_id)}).tuples().all():
        owner = by_id[row[-1]]
        owner.assignments.append(UnitWork(*row[:-1], directive=owner))
    return [by_id[i] for i in ids if i in by_id]


def row_statuses(
    rows: Sequence[DirectiveRow], as_of: dt.date, against: str = EXTENDED
) -> dict[int, Status]:
    """Each row's and sub-directive's status as of the day (presenters.StatusBook: the rows as
    stored for today, the history loaded in one go for a past day)."""
    book = status_book(rows, as_of, against)  # type: ignore[arg-type]
    statuses: dict[int, Status] = {}
    for row in rows:
        statuses[row.id] = book.directive(row)  # type: ignore[arg-type]
        for child in row.children:
            statuses[child.id] = book.directive(child)  # type: ignore[arg-type]
    return statuses
