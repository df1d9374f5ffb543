""""Việc của đơn vị": a unit's assignments, open work first, counted over every period.

A ward of a province holds over a thousand assignments in ten years, nearly all done: listing
them all made the page officers open every day (often on a phone) a megabyte that took 200-300
ms to build. Here every assignment is judged in SQL (status_sql.assignment_facts: one query
over the unit's covering index) for the counts, and the page shows all the open work and only
the latest closed items (done or withdrawn); the rest is one link away (``everything``) and the
unit's record per period is on its own page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker.constants import AWAITING_CONFIRMATION, PENDING
from tracker.directives.models import Assignment, Directive
from tracker.directives.presenters import assignment_deadline, assignment_status
from tracker.directives.status import Bucket
from tracker.directives.status_sql import assignment_facts
from tracker.extensions import db
from tracker.work.returned import returned_of

CLOSED_SHOWN = 20  # done or withdrawn items shown besides the open work, latest first
_DONE = {Bucket.DONE_ON_TIME.value, Bucket.DONE_LATE.value}
_CLOSED = {*_DONE, Bucket.WITHDRAWN.value}

_GROUP_OVERDUE, _GROUP_OPEN, _GROUP_NO_DEADLINE, _GROUP_DONE, _GROUP_WITHDRAWN = range(5)


def sort_key(assignment: Assignment, status: Any) -> tuple:
    """Open work first: overdue (most days overdue first), then by nearest deadline, then work
    without a deadline, then done (latest first), withdrawn last."""
    if status.bucket is Bucket.WITHDRAWN or status.is_done:
        return _closed_key(status.bucket is Bucket.WITHDRAWN, assignment.completed_on,
                           assignment.id)
    if status.bucket is Bucket.OVERDUE:
        return (_GROUP_OVERDUE, -status.days_overdue, assignment.id)
    if status.bucket is Bucket.NO_DEADLINE:
        return (_GROUP_NO_DEADLINE, 0, assignment.id)
    return (_GROUP_OPEN, status.deadline.toordinal() if status.deadline else 0, assignment.id)


def _closed_key(withdrawn: bool, completed_on: dt.date | None, assignment_id: int) -> tuple:
    """sort_key of a done or withdrawn item, from its facts alone: which closed items are the
    latest is decided before any is loaded (unit_work)."""
    if withdrawn:
        return (_GROUP_WITHDRAWN, 0, assignment_id)
    return (_GROUP_DONE, -(completed_on or dt.date.min).toordinal(), assignment_id)


@dataclass
class UnitWork:
    items: list[dict[str, Any]]
    counts: dict[str, int]
    closed_total: int  # done or withdrawn, every period
    closed_hidden: int  # of those, not shown
    closed_limit: int  # how many are shown unless everything is asked for


def unit_work(unit_id: int, as_of: dt.date, *, everything: bool = False) -> UnitWork:
    """The unit's open work and its latest closed items (all of them with ``everything``),
    sorted by ``sort_key``, and the counts over every assignment."""
    facts = assignment_facts(as_of, unit_ids=(unit_id,))
    rows = db.session.execute(
        sa.select(facts.c.id, facts.c.bucket, Assignment.state, Assignment.completed_on)
        .join(Assignment, Assignment.id == facts.c.id)
    ).tuples().all()
    closed = sorted((row for row in rows if row[1] in _CLOSED),
                    key=lambda row: _closed_key(row[1] not in _DONE, row[3], row[0]))
    shown_closed = closed if everything else closed[:CLOSED_SHOWN]
    shown = [row[0] for row in rows if row[1] not in _CLOSED] + [row[0] for row in shown_closed]
    counts = {
        "open": len(rows) - len(closed),
        "overdue": sum(1 for row in rows if row[1] == Bucket.OVERDUE.value),
        "awaiting": sum(1 for row in rows if row[2] == AWAITING_CONFIRMATION),
        "done": sum(1 for row in rows if row[1] in _DONE),
    }
    return UnitWork(_items(shown, as_of), counts, len(closed), len(closed) - len(shown_closed),
                    CLOSED_SHOWN)


def _items(ids: list[int], as_of: dt.date) -> list[dict[str, Any]]:
    """The assignments as the page shows them, each judged by the one rule (presenters)."""
    if not ids:
        return []
    assignments = db.session.scalars(
        sa.select(Assignment)
        .where(Assignment.id.in_(ids))
        .options(
            joinedload(Assignment.directive).options(
                joinedload(Directive.period), joinedload(Directive.parent)
            ),
            selectinload(Assignment.extension_requests),
        )
    ).all()
    returned = returned_of(a.id for a in assignments)
    items = []
    for a in assignments:
        status = assignment_status(a, as_of)
        pending = any(r.status == PENDING for r in a.extension_requests)
        items.append({"a": a, "status": status, "pending_extension": pending,
                      "returned": returned.get(a.id), "deadline": assignment_deadline(a, as_of)})
    items.sort(key=lambda item: sort_key(item["a"], item["status"]))
    return items
