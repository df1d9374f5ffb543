"""Unit pages (blueprint ``units``): the units with their record, and one unit's assignments
and record. They live here because what they show is directive status."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from sqlalchemy.orm import contains_eager

from tracker.auth.permissions import Action, requires
from tracker.core.errors import NotFound
from tracker.core.pagecache import render_page
from tracker.core.periods import PeriodKey
from tracker.directives import listing, queries
from tracker.directives import unit_records as records
from tracker.directives.models import Assignment, Directive, Period
from tracker.directives.presenters import assignment_status
from tracker.directives.status import (
    BUCKET_ORDER,
    Summary,
)
from tracker.extensions import db
from tracker.units.catalogue import UNIT_KINDS
from tracker.units.models import Unit

bp = Blueprint("units", __name__, url_prefix="/units")


@bp.route("/")
@requires(Action.READ)
def index():
    """Every unit with its scoreboard line for a period (the dashboard's numbers)."""
    periods = queries.periods_with_directives()
    period = listing.parse_period(request.args, periods)
    if period is None:
        period = queries.pick_default(periods)
    as_of, against = listing.parse_as_of(request.args)
    summaries = records.units_summary(period.id, as_of, against) if period else {}
    units = list(db.session.scalars(sa.select(Unit).order_by(Unit.position, Unit.name)))
    groups = [
        (label, [u for u in units if u.kind == kind]) for kind, label in UNIT_KINDS.items()
    ]
    others = [u for u in units if u.kind not in UNIT_KINDS]
    if others:
        groups.append(("Khác", others))
    return render_template(
        "units/index.html",
        groups=groups,
        summaries=summaries,
        empty=Summary(),
        period=period,
        periods=periods,
        as_of=as_of,
        against=against,
    )


@bp.route("/<int:unit_id>")
@requires(Action.READ)
def detail(unit_id: int):
    """A unit's assignments in a period, and its record period by period."""
    return render_page("units/detail.html", lambda: _detail_context(unit_id))


def _unit_period(
    args: Mapping[str, str], periods: list[Period]
) -> tuple[Period | None, PeriodKey | None]:
    """The period to show and, when the one asked for is a real month in which this unit has
    no task (the leadership, the Văn phòng), that month: an empty state, not an error."""
    key = (args.get("period") or "").strip()
    if key and key != listing.ALL_PERIODS:
        ref = PeriodKey.parse(key)
        period = queries.find_period(periods, ref)
        return period, (None if period is not None else ref)
    period = listing.parse_period(args, periods)
    return (period or queries.pick_default(periods)), None


def _detail_context(unit_id: int) -> dict:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.")
    as_of, against = listing.parse_as_of(request.args)
    history = records.unit_record(unit.id, as_of, against)
    periods = [r.period for r in history]
    period, asked = _unit_period(request.args, periods)
    assignments: list[Assignment] = []
    if period is not None:
        assignments = list(
            db.session.scalars(
                sa.select(Assignment)
                .join(Assignment.directive)
                .where(Assignment.unit_id == unit.id, Directive.period_id == period.id)
                .options(contains_eager(Assignment.directive).selectinload(Directive.parent))
                .order_by(Directive.position, Directive.id)
            ).unique()
        )
    statuses = {a.id: assignment_status(a, as_of, against) for a in assignments}
    rank = {b: i for i, b in enumerate(BUCKET_ORDER)}
    assignments.sort(key=lambda a: (rank[statuses[a.id].bucket], -statuses[a.id].days_overdue))
    return {
        "unit": unit,
        "period": period,
        "asked_period": asked,
        "history": history,
        "total": records.total(history),
        "assignments": assignments,
        "statuses": statuses,
        "as_of": as_of,
        "against": against,
        "against_labels": listing.AGAINST_LABELS,
    }

