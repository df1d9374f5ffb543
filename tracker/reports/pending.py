"""What still waits before a report is issued ("Ban hành"): completions to confirm, extensions to
decide, units that never reported, and "[...]" left for people to fill in.

Read from today's rows (what waits now), in three grouped queries whatever the period's size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa

from tracker.constants import AWAITING_CONFIRMATION, PENDING, WITHDRAWN
from tracker.core import clock
from tracker.directives.models import Assignment, Directive, ExtensionRequest, ProgressUpdate
from tracker.extensions import db
from tracker.reports.models import Report
from tracker.reports.services import placeholders
from tracker.units.models import Unit


@dataclass(frozen=True)
class Waiting:
    directive_id: int
    number: str
    unit: str
    since: dt.date | None = None
    detail: str = ""


@dataclass
class PendingList:
    completions: list[Waiting] = field(default_factory=list)
    extensions: list[Waiting] = field(default_factory=list)
    silent_units: list[tuple[str, list[str]]] = field(default_factory=list)  # unit, numbers
    placeholders: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.completions or self.extensions or self.silent_units
                    or self.placeholders)

    @property
    def count(self) -> int:
        return (len(self.completions) + len(self.extensions) + len(self.silent_units)
                + len(self.placeholders))


def _open(period_id: int) -> sa.Select:
    return (
        sa.select(Directive.id, Directive.number, Unit.name, Assignment.id)
        .join(Assignment, Assignment.directive_id == Directive.id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(Directive.period_id == period_id, Directive.withdrawn_at.is_(None),
               Assignment.state != WITHDRAWN)
    )


def pending_list(report: Report) -> PendingList:
    period_id = report.period_id
    out = PendingList(placeholders=placeholders(report))
    for d_id, number, unit, _, reported in db.session.execute(
        _open(period_id).add_columns(Assignment.reported_done_at)
        .where(Assignment.state == AWAITING_CONFIRMATION)
        .order_by(Directive.position, Directive.id)
    ).all():
        since = clock.local_date(reported) if reported else None
        out.completions.append(Waiting(d_id, number, unit, since))
    for d_id, number, unit, _, proposed, requested in db.session.execute(
        _open(period_id).add_columns(ExtensionRequest.proposed_deadline,
                                     ExtensionRequest.requested_at)
        .join(ExtensionRequest, ExtensionRequest.assignment_id == Assignment.id)
        .where(ExtensionRequest.status == PENDING)
        .order_by(Directive.position, Directive.id)
    ).all():
        out.extensions.append(Waiting(d_id, number, unit, clock.local_date(requested),
                                      f"đến {proposed:%d/%m/%Y}"))
    silent: dict[str, list[str]] = {}
    for _, number, unit, _ in db.session.execute(
        _open(period_id)
        .where(~sa.exists().where(ProgressUpdate.assignment_id == Assignment.id))
        .order_by(Unit.position, Unit.name, Directive.position, Directive.id)
    ).all():
        silent.setdefault(unit, []).append(number)
    out.silent_units = list(silent.items())
    return out
