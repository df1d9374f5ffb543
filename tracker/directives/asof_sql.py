"""One assignment as of a past day in SQL: asof.py's rebuilding of its facts from the history.

status_sql.py judges an assignment's bucket over its facts; for today they are the stored row,
for a past day they are rebuilt here with correlated subqueries (progress records, extension
requests, the audit trail's ``before`` values), so counting a past day stays one statement
whatever the amount of data. Each expression mirrors a rule of asof.assignment_as_of /
directive_as_of; tests/directives/test_asof.py checks them against the pure rules.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from tracker.core.models import AuditEvent
from tracker.directives.asof import REPLAYED_STATES
from tracker.directives.models import Assignment, Directive, ExtensionRequest, ProgressUpdate
from tracker.directives.sql_shapes import json_date, json_has, json_text


class AsOf:
    """Correlated expressions for assignment ``a`` (directive ``d``) at the end of ``as_of``
    (``eod``: clock.end_of_day of it); values or slots (sql_shapes.Slot)."""

    def __init__(self, as_of: Any, eod: Any, a: type[Assignment], d: type[Directive]) -> None:
        self.as_of, self.eod, self.a, self.d = as_of, eod, a, d

    def undo(self, entity: str, entity_id: ColumnElement, key: str, current: ColumnElement,
             *, date: bool = False) -> ColumnElement:
        """asof.rolled_back: the ``before`` of the first audited change after the day."""
        ae = aliased(AuditEvent)
        where = (ae.entity == entity, ae.entity_id == entity_id, ae.at >= self.eod,
                 json_has(ae.before, sa.literal(key, literal_execute=True)))
        value_fn = json_date if date else json_text
        value = (
            sa.select(value_fn(ae.before, sa.literal(key, literal_execute=True)))
            .where(*where).order_by(ae.at, ae.id).limit(1).scalar_subquery()
        )
        return sa.case((sa.exists().where(*where), value), else_=current)

    def state_parts(self) -> dict[str, ColumnElement]:
        """What asof._state reads: the last record's kind by the end of the day, the state
        before the first audited change after it, whether the unit ever reported, the row."""
        a = self.a
        pu = aliased(ProgressUpdate)
        last_kind = (
            sa.select(pu.kind).where(pu.assignment_id == a.id, pu.created_at < self.eod)
            .order_by(pu.created_at.desc(), pu.id.desc()).limit(1).scalar_subquery()
        )
        ae = aliased(AuditEvent)
        key = sa.literal("state", literal_execute=True)
        undo_state = (
            sa.select(json_text(ae.before, key))
            .where(ae.entity == "assignment", ae.entity_id == a.id, ae.at >= self.eod,
                   json_has(ae.before, key))
            .order_by(ae.at, ae.id).limit(1).scalar_subquery()
        )
        any_record = sa.exists().where(aliased(ProgressUpdate).assignment_id == a.id)
        return {"last_kind": last_kind, "undo_state": undo_state, "any_record": any_record,
                "row_state": a.state}

    @staticmethod
    def state_of(parts: dict[str, ColumnElement]) -> ColumnElement[str]:
        """asof._state over the parts (each read several times: compute them once first)."""
        last_kind, undo_state = parts["last_kind"], parts["undo_state"]
        return sa.case(
            (last_kind.in_(["progress", "returned"]), "in_progress"),
            (last_kind == "completion", "awaiting_confirmation"),
            (last_kind == "confirmed", "done"),
            (last_kind.is_not(None), "in_progress"),
            (undo_state.in_(list(REPLAYED_STATES)), undo_state),
            (parts["any_record"], "not_started"),
            (parts["row_state"] == "withdrawn", "not_started"),
            else_=parts["row_state"],
        )

    def state(self) -> ColumnElement[str]:
        return self.state_of(self.state_parts())

    def deadline(self) -> ColumnElement:
        return self.undo("assignment", self.a.id, "deadline", self.a.deadline, date=True)

    def role(self) -> ColumnElement:
        return self.undo("assignment", self.a.id, "role", self.a.role)

    def extended(self) -> ColumnElement:
        """The extension in force by the end of the day (asof._extensions), or NULL."""
        a = self.a
        er = aliased(ExtensionRequest)
        latest = (
            sa.select(er.proposed_deadline)
            .where(er.assignment_id == a.id, er.status == "approved",
                   er.decided_at.is_not(None), er.decided_at < self.eod)
            .order_by(er.decided_at.desc(), er.id.desc()).limit(1).scalar_subquery()
        )
        any_request = sa.exists().where(aliased(ExtensionRequest).assignment_id == a.id)
        stored = sa.case(
            (sa.and_(a.extended_deadline.is_not(None),
                     sa.or_(a.extension_approved_on.is_(None),
                            a.extension_approved_on <= self.as_of)), a.extended_deadline),
            else_=sa.null(),
        )
        return sa.case((any_request, latest), else_=stored)

    def exists(self) -> ColumnElement[bool]:
        return sa.or_(self.a.assigned_on.is_(None), self.a.assigned_on <= self.as_of)

    def withdrawn(self) -> ColumnElement[bool]:
        return sa.and_(self.d.withdrawn_at.is_not(None), self.d.withdrawn_at < self.eod)

    def directive_deadline(self) -> ColumnElement:
        """The directive's own deadline as of the day (asof.directive_as_of)."""
        return self.undo("directive", self.d.id, "deadline", self.d.deadline, date=True)

    def directive_exists(self) -> ColumnElement[bool]:
        """Entered by the end of the day, or given to a unit by then (asof.directive_as_of)."""
        d = self.d
        given = aliased(Assignment)
        return sa.or_(
            d.created_at.is_(None),
            d.created_at < self.eod,
            sa.exists().where(given.directive_id == d.id,
                              sa.or_(given.assigned_on.is_(None),
                                     given.assigned_on <= self.as_of)),
        )
