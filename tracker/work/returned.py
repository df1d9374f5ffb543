"""A returned completion stays marked "Đã trả lại", with the reason, until the unit reports
completion again.

The marker is computed from the progress records, never stored: the latest of the unit's
completion reports and the leader's returns is a return, and the assignment is still in
progress. One rule, three readings: over loaded records (the directive page), in one query for
many assignments ("Việc của đơn vị", the unit page), and as a SQL condition (the inbox).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from tracker.constants import COMPLETION, IN_PROGRESS, RETURNED
from tracker.directives.models import Assignment, ProgressUpdate
from tracker.extensions import db

DECISIONS = (COMPLETION, RETURNED)
LABEL = "Đã trả lại"


@dataclass(frozen=True)
class Returned:
    """Why and when a completion was sent back."""

    reason: str
    at: dt.datetime


def latest_return(state: str, updates: Iterable[ProgressUpdate]) -> Returned | None:
    """From an assignment's loaded progress records."""
    if state != IN_PROGRESS:
        return None
    last = max((u for u in updates if u.kind in DECISIONS), key=lambda u: u.id, default=None)
    if last is None or last.kind != RETURNED:
        return None
    return Returned(last.result, last.created_at)


def still_returned(record: type[ProgressUpdate], assignment: type[Assignment]) -> ColumnElement:
    """SQL: ``record`` is a return with no completion report or return after it."""
    later = aliased(ProgressUpdate)
    return sa.and_(
        record.assignment_id == assignment.id,
        record.kind == RETURNED,
        assignment.state == IN_PROGRESS,
        ~sa.exists().where(
            later.assignment_id == record.assignment_id,
            later.kind.in_(DECISIONS),
            later.id > record.id,
        ),
    )


def returned_of(assignment_ids: Iterable[int]) -> dict[int, Returned]:
    """The returns still standing among these assignments, in one query."""
    ids = list(set(assignment_ids))
    if not ids:
        return {}
    record = aliased(ProgressUpdate)
    rows = db.session.execute(
        sa.select(record.assignment_id, record.result, record.created_at)
        .join(Assignment, Assignment.id == record.assignment_id)
        .where(Assignment.id.in_(ids), still_returned(record, Assignment))
    )
    return {row.assignment_id: Returned(row.result, row.created_at) for row in rows}
