"""Load what ``asof.py`` needs for a set of directives: five queries whatever their number.

The scope is a period (the report, the dashboard) or a list of top-level directive ids (a page
of the list); sub-directives come with their parents. Rows are read as tuples, never as ORM
objects, and only what the rules use: ``detail=True`` adds the texts the report quotes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from tracker.calendar.services import load_calendar
from tracker.core import clock
from tracker.core.models import AuditEvent
from tracker.directives.asof import (
    AssignmentHistory,
    Book,
    Change,
    DirectiveHistory,
    ExtensionRecord,
    Record,
)
from tracker.directives.models import Assignment, Directive, ExtensionRequest, ProgressUpdate
from tracker.directives.status import EXTENDED
from tracker.extensions import db


def _scope(period_id: int | None, directive_ids: Collection[int] | None) -> ColumnElement[bool]:
    if directive_ids is not None:
        ids = list(directive_ids) or [0]
        return sa.or_(Directive.id.in_(ids), Directive.parent_id.in_(ids))
    if period_id is None:
        raise ValueError("a period or directive ids")
    return Directive.period_id == period_id


def _changes(
    scope: ColumnElement[bool], since: dt.datetime
) -> tuple[dict[int, list[Change]], dict[int, list[Change]]]:
    """Audited changes made at or after ``since``: (by assignment id, by directive id)."""
    assignment_ids = (
        sa.select(Assignment.id).join(Directive, Directive.id == Assignment.directive_id)
        .where(scope)
    )
    directive_ids = sa.select(Directive.id).where(scope)
    rows = db.session.execute(
        sa.select(AuditEvent.id, AuditEvent.entity, AuditEvent.entity_id, AuditEvent.at,
                  AuditEvent.before)
        .where(
            AuditEvent.at >= since,
            sa.or_(
                sa.and_(AuditEvent.entity == "assignment",
                        AuditEvent.entity_id.in_(assignment_ids)),
                sa.and_(AuditEvent.entity == "directive", AuditEvent.entity_id.in_(directive_ids)),
            ),
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    by_assignment: dict[int, list[Change]] = defaultdict(list)
    by_directive: dict[int, list[Change]] = defaultdict(list)
    for event_id, entity, entity_id, at, before in rows:
        if not isinstance(before, dict):
            continue
        target = by_assignment if entity == "assignment" else by_directive
        target[entity_id].append(Change(at=at, before=before, id=event_id))
    return by_assignment, by_directive


def load_histories(
    day: dt.date,
    *,
    period_id: int | None = None,
    directive_ids: Collection[int] | None = None,
    detail: bool = False,
) -> tuple[list[DirectiveHistory], list[AssignmentHistory]]:
    """The histories of a period's directives (or of these top-level ones and their
    sub-directives), with the audited changes made after ``day``."""
    scope = _scope(period_id, directive_ids)
    by_assignment, by_directive = _changes(scope, clock.end_of_day(day))
    d = Directive
    text_cols = (d.title, d.text) if detail else (sa.literal(""), sa.literal(""))
    directives = [
        DirectiveHistory(
            id=row[0], parent_id=row[1], number=row[2], field=row[3], deadline=row[4],
            position=row[5], created_at=row[6], withdrawn_at=row[7], title=row[8] or "",
            text=row[9] or "", changes=tuple(by_directive.get(row[0], ())),
        )
        for row in db.session.execute(
            sa.select(d.id, d.parent_id, d.number, d.field, d.deadline, d.position,
                      d.created_at, d.withdrawn_at, *text_cols)
            .where(scope)
            .order_by(d.position, d.id)
        ).all()
    ]
    records: dict[int, list[Record]] = defaultdict(list)
    pu = ProgressUpdate
    texts = (pu.result, pu.difficulties, pu.proposals) if detail else (
        sa.literal(""), sa.literal(""), sa.literal(""))
    for row in db.session.execute(
        sa.select(pu.assignment_id, pu.id, pu.created_at, pu.kind, pu.percent, *texts)
        .join(Assignment, Assignment.id == pu.assignment_id)
        .join(Directive, Directive.id == Assignment.directive_id)
        .where(scope)
        .order_by(pu.created_at, pu.id)
    ).all():
        records[row[0]].append(Record(id=row[1], at=row[2], kind=row[3], percent=row[4],
                                      result=row[5] or "", difficulties=row[6] or "",
                                      proposals=row[7] or ""))
    extensions: dict[int, list[ExtensionRecord]] = defaultdict(list)
    er = ExtensionRequest
    for row in db.session.execute(
        sa.select(er.assignment_id, er.id, er.requested_at, er.proposed_deadline, er.status,
                  er.decided_at, er.reason)
        .join(Assignment, Assignment.id == er.assignment_id)
        .join(Directive, Directive.id == Assignment.directive_id)
        .where(scope)
        .order_by(er.requested_at, er.id)
    ).all():
        extensions[row[0]].append(ExtensionRecord(
            id=row[1], requested_at=row[2], proposed_deadline=row[3], status=row[4],
            decided_at=row[5], reason=row[6] or "",
        ))
    a = Assignment
    assignments = [
        AssignmentHistory(
            id=row.id, directive_id=row.directive_id, unit_id=row.unit_id, role=row.role,
            deadline=row.deadline, state=row.state, percent=row.percent,
            assigned_on=row.assigned_on, completed_on=row.completed_on, on_time=row.on_time,
            on_time_original=row.on_time_original, extended_deadline=row.extended_deadline,
            extension_approved_on=row.extension_approved_on,
            records=tuple(records.get(row.id, ())),
            extensions=tuple(extensions.get(row.id, ())),
            changes=tuple(by_assignment.get(row.id, ())),
        )
        for row in db.session.execute(
            sa.select(a.id, a.directive_id, a.unit_id, a.role, a.deadline, a.state, a.percent,
                      a.assigned_on, a.completed_on, a.on_time, a.on_time_original,
                      a.extended_deadline, a.extension_approved_on)
            .join(Directive, Directive.id == a.directive_id)
            .where(scope)
            .order_by(a.id)
        ).all()
    ]
    return directives, assignments


def load_book(
    day: dt.date,
    against: str = EXTENDED,
    *,
    period_id: int | None = None,
    directive_ids: Collection[int] | None = None,
    detail: bool = False,
) -> Book:
    """A :class:`Book` as of ``day`` over a period or over top-level directives."""
    directives, assignments = load_histories(
        day, period_id=period_id, directive_ids=directive_ids, detail=detail
    )
    return Book.build(directives, assignments, day, against, load_calendar())
