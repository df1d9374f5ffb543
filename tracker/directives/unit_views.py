"""Unit pages (blueprint ``units``): the units with their record, and one unit's assignments
and record. They live here because what they show is directive status.

Units are dated: a period's list shows the units as they are on its last day (or today if
earlier); a unit merged or renamed before then is counted in its successor's line, and a unit's
page shows the record of the units it replaced with its own.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from flask import Blueprint, render_template, request, url_for
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from tracker.auth.models import User
from tracker.auth.permissions import Action, requires
from tracker.core.errors import NotFound, UserError
from tracker.core.pagecache import render_page
from tracker.core.periods import PeriodKey
from tracker.directives import cache_scopes, dashboard, listing, queries
from tracker.directives import unit_records as records
from tracker.directives.models import Assignment, Directive, Period
from tracker.directives.presenters import assignment_statuses
from tracker.directives.scoreboard import score_cells_html
from tracker.directives.status import (
    BUCKET_ORDER,
    Summary,
)
from tracker.extensions import db
from tracker.units import lineage
from tracker.units.kinds import GROUP_OF_TYPE
from tracker.units.models import Unit
from tracker.units.queries import grouped_by_kind, groups_present

bp = Blueprint("units", __name__, url_prefix="/units")


@bp.route("/")
@requires(Action.READ)
def index():
    """Every unit with its scoreboard line for a period (the dashboard's numbers)."""
    periods = queries.period_rows()
    period = listing.parse_period(request.args, periods)
    if period is None:
        period = queries.pick_default(periods)
    as_of, against = listing.parse_as_of(request.args)
    group = listing.parse_group(request.args)
    units = list(db.session.scalars(sa.select(Unit).order_by(Unit.position, Unit.name)))
    day = dashboard.board_day(period.last_day, as_of) if period else as_of
    per_unit = records.units_summary(period.id, as_of, against) if period else {}
    rows = {row.key: row for row in dashboard.unit_rows(units, per_unit, day, group)}
    shown = [
        u for u in units
        if u.id in rows
        or (u.exists_on(day) and (group is None or GROUP_OF_TYPE.get(u.type) == group))
    ]
    return render_template(
        "units/index.html",
        groups=grouped_by_kind(shown),
        rows=rows,
        empty_cells=score_cells_html(Summary()),
        period=period,
        periods=periods,
        period_options=queries.period_options(periods),
        as_of=as_of,
        against=against,
        day=day,
        group=group,
        group_choices=groups_present([u.type for u in units]),
    )


@bp.route("/<int:unit_id>")
@requires(Action.READ)
def detail(unit_id: int):
    """A unit's assignments in a period, and its record period by period."""
    return render_page("units/detail.html", lambda: _detail_context(unit_id),
                       lambda: cache_scopes.unit_page(unit_id), shared=True)


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


# The record shows this many periods, newest first (a year of months), and its total all of
# them; the rest is one link away (?record=all): a page does not grow with ten years of data.
RECORD_PERIODS = 12


def _record_all(args: Mapping[str, str]) -> bool:
    """Every period of the record asked for (``record=all``)."""
    value = (args.get("record") or "").strip()
    if value and value != listing.ALL_PERIODS:
        raise UserError("Cách xem kết quả qua các kỳ không hợp lệ (record=all).")
    return bool(value)


_KEPT_ARGS = ("period", "as_of", "against")  # what the record's links carry over


def _record_href(unit_id: int, *, every_period: bool) -> str:
    """This page with the same period, day and deadline, with the whole record or without."""
    args = {key: request.args[key] for key in _KEPT_ARGS if request.args.get(key)}
    if every_period:
        args["record"] = listing.ALL_PERIODS
    return url_for("units.detail", unit_id=unit_id, **args) + "#ket-qua-cac-ky"


_PARENT = aliased(Directive, name="parent_directive")
_OFFICER = aliased(User, name="officer")
# Built once (the values bound at each call): see work/directive_graph.py for why not loader
# options. The period is the copy on the assignment (migration 0017): the unit's index then
# finds the period's few assignments, where the directive's period made PostgreSQL read all of
# the unit's ten years and all of the period's directives to join them (2.3 -> 0.1 ms).
_PERIOD_ASSIGNMENTS = (
    sa.select(Assignment, Directive, _PARENT, _OFFICER)
    .join(Directive, Directive.id == Assignment.directive_id)
    .outerjoin(_PARENT, _PARENT.id == Directive.parent_id)
    .outerjoin(_OFFICER, _OFFICER.id == Assignment.officer_id)
    .where(Assignment.unit_id.in_(sa.bindparam("unit_ids", expanding=True)),
           Assignment.__table__.c.period_id == sa.bindparam("period_id"))
    .order_by(Directive.position, Directive.id, Assignment.id)
)


def _period_assignments(unit_ids: tuple[int, ...], period_id: int) -> list[Assignment]:
    """The units' assignments in the period, each with its directive, the directive's parent
    and the officer: one statement."""
    rows = db.session.execute(
        _PERIOD_ASSIGNMENTS, {"unit_ids": list(unit_ids), "period_id": period_id}
    ).tuples().all()
    for assignment, directive, parent, officer in rows:
        set_committed_value(directive, "parent", parent)
        set_committed_value(assignment, "directive", directive)
        set_committed_value(assignment, "officer", officer)
    return [row[0] for row in rows]


def _detail_context(unit_id: int) -> dict:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.")
    as_of, against = listing.parse_as_of(request.args)
    record_all = _record_all(request.args)
    links = lineage.all_links()
    replaced = tuple(lineage.ancestors(unit.id, links)) if links else ()
    history = records.unit_record(unit.id, as_of, against, also=replaced)
    periods = [r.period for r in history]
    period, asked = _unit_period(request.args, periods)
    assignments = _period_assignments((unit.id, *replaced), period.id) if period else []
    statuses = assignment_statuses(assignments, as_of, against)
    rank = {b: i for i, b in enumerate(BUCKET_ORDER)}
    assignments.sort(key=lambda a: (rank[statuses[a.id].bucket], -statuses[a.id].days_overdue))
    related = _related_units(unit, links, replaced)
    total = records.total(history)
    shown = history if record_all else history[:RECORD_PERIODS]
    return {
        "unit": unit,
        "period": period,
        "asked_period": asked,
        "history": history,
        "shown_history": shown,
        "hidden_periods": len(history) - len(shown),
        "record_all": record_all and len(history) > RECORD_PERIODS,
        "record_periods": RECORD_PERIODS,
        "record_href": _record_href(unit.id, every_period=not record_all),
        "period_options": queries.period_options(periods),
        "record_rows": records.rows_html,
        "total": total,
        "total_cells": score_cells_html(total),
        "assignments": assignments,
        "statuses": statuses,
        "as_of": as_of,
        "against": against,
        "against_labels": listing.AGAINST_LABELS,
        **related,
    }


def _related_units(unit: Unit, links: list[lineage.Link], replaced: tuple[int, ...]) -> dict:
    """Names for the page: its parent, the units it replaced, those that replaced it."""
    wanted = {unit.parent_id, *replaced, *(lk.successor_id for lk in links
                                           if lk.predecessor_id == unit.id)}
    wanted.discard(None)
    names = {
        uid: (name, code) for uid, name, code in db.session.execute(
            sa.select(Unit.id, Unit.name, Unit.code).where(Unit.id.in_(wanted))
        ).tuples()
    } if wanted else {}
    return {
        "unit_names": {uid: name for uid, (name, _) in names.items()},
        "parent_name": names.get(unit.parent_id, (None,))[0] if unit.parent_id else None,
        "replaced_links": [lk for lk in links if lk.successor_id == unit.id],
        "replaced_ids": replaced,
        "successor_links": [lk for lk in links if lk.predecessor_id == unit.id],
    }
