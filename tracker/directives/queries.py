"""Read-side queries shared by pages, API, reminders and reports; relationships load explicitly."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.orm import joinedload, selectinload

from tracker.core import clock, versioning
from tracker.core.periods import PeriodKey
from tracker.directives.models import Assignment, Directive, Period, PeriodWords
from tracker.directives.sql_shapes import built_per_day
from tracker.directives.status import Bucket, Summary
from tracker.directives.status_sql import top_level_counts
from tracker.extensions import db


def get_period(ref: PeriodKey) -> Period | None:
    return db.session.scalar(
        sa.select(Period).where(
            Period.year == ref.year, Period.month == ref.month, Period.kind == ref.kind
        )
    )


def get_or_create_period(ref: PeriodKey) -> Period:
    period = get_period(ref)
    if period is None:
        period = Period(year=ref.year, month=ref.month, kind=ref.kind)
        db.session.add(period)
        db.session.flush()
    return period


def default_period() -> Period | None:
    """The current month when it has directives, else the latest period that has some."""
    today = clock.today()
    current = get_period(PeriodKey.of_month(today))
    has_current = current is not None and db.session.scalar(
        sa.select(sa.exists().where(Directive.period_id == current.id))
    )
    if has_current:
        return current
    return db.session.scalar(
        sa.select(Period)
        .where(sa.exists().where(Directive.period_id == Period.id))
        .order_by(*Period.newest_first())
        .limit(1)
    )


def directives_of_period(period: Period) -> list[Directive]:
    """Top-level directives with their sub-directives and assignments (units), in order."""
    assignment_load = selectinload(Directive.assignments).joinedload(Assignment.unit)
    return list(
        db.session.scalars(
            sa.select(Directive)
            .where(Directive.period_id == period.id, Directive.parent_id.is_(None))
            .options(
                assignment_load,
                selectinload(Directive.children)
                .selectinload(Directive.assignments)
                .joinedload(Assignment.unit),
                # directive_status asks every sub-directive for its own sub-directives.
                selectinload(Directive.children).selectinload(Directive.children),
            )
            .order_by(Directive.position, Directive.id)
        )
    )


# Built once, run on the connection: built per call and run through the ORM session, this
# statement of a fraction of a millisecond cost the first page twice as much again.
_TOP_LEVEL_IDS = (
    sa.select(Directive.id)
    .where(Directive.period_id == sa.bindparam("period_id"), Directive.parent_id.is_(None))
    .order_by(Directive.position, Directive.id)
    .offset(sa.bindparam("offset"))
    .limit(sa.bindparam("limit"))
)


def top_level_ids(period_id: int, offset: int, limit: int) -> list[int]:
    """One page of a period's top-level directives, in report order."""
    return list(db.session.connection().execute(
        _TOP_LEVEL_IDS, {"period_id": period_id, "offset": offset, "limit": limit}
    ).scalars())


def directives_by_ids(ids: list[int]) -> list[Directive]:
    """These directives, in the order given, with what a list row shows loaded."""
    if not ids:
        return []
    rows = db.session.scalars(
        sa.select(Directive)
        .where(Directive.id.in_(ids))
        .options(
            joinedload(Directive.period),
            selectinload(Directive.assignments).joinedload(Assignment.unit),
            selectinload(Directive.children)
            .selectinload(Directive.assignments)
            .joinedload(Assignment.unit),
            selectinload(Directive.children).selectinload(Directive.children),
        )
    )
    by_id = {d.id: d for d in rows}
    return [by_id[i] for i in ids if i in by_id]


@built_per_day(maxsize=8)
def _summary_statement(period_id: int, as_of: dt.date) -> sa.Select:
    """Built once per period and day (sql_shapes.built_per_day). Counted by top_level_counts,
    which knows the top-level directives: joined back to the directive table for ``parent_id
    IS NULL``, SQLite may build a filter over every directive first (it did: 7 ms of 10 at
    province scale), and PostgreSQL materializes the buckets to join them."""
    counts = top_level_counts(as_of, period_id=period_id)
    return sa.select(counts.c.bucket, counts.c.n)


def period_summary(period_id: int, as_of: dt.date) -> Summary:
    """The period's top-level directives counted per bucket as of the day, in SQL (the first
    page's strip; dashboard.field_summaries counts the same per field)."""
    summary = Summary()
    statement = _summary_statement(period_id, as_of)
    for bucket, count in db.session.connection().execute(statement).tuples():
        summary.counts[Bucket(bucket)] += count
    return summary


# --- Periods ---------------------------------------------------------------------------------


def periods_with_counts() -> list[tuple[Period, int]]:
    """Every period that has directives, newest first, with its count of top-level directives."""
    count = sa.func.count(Directive.id)
    rows = db.session.execute(
        sa.select(Period, count)
        .join(Directive, Directive.period_id == Period.id)
        .where(Directive.parent_id.is_(None))
        .group_by(Period.id)
        .order_by(*Period.newest_first())
    ).all()
    return [(period, n) for period, n in rows]


_PERIODS_WITH_DIRECTIVES = (
    sa.select(Period)
    .where(sa.exists().where(Directive.period_id == Period.id))
    .order_by(*Period.newest_first())
)
_PERIOD_ROW_QUERY = _PERIODS_WITH_DIRECTIVES.with_only_columns(
    Period.id, Period.year, Period.month, Period.kind
)


def periods_with_directives() -> list[Period]:
    """Every period that has directives, newest first: one probe of the period index per period,
    not a scan of every directive (pages call this on every request, so the statement is built
    once; read once per request, unless the request has written since)."""
    remembered = g.get(_PERIODS) if has_request_context() else None
    if remembered is not None and not versioning.has_uncommitted_changes(db.session()):
        return list(remembered)
    periods = list(db.session.scalars(_PERIODS_WITH_DIRECTIVES))
    if has_request_context():
        setattr(g, _PERIODS, periods)
    return list(periods)


_PERIODS = "periods_with_directives"


@dataclass(frozen=True)
class PeriodRow(PeriodWords):
    """A period as a plain value, saying what a Period says: the pages that only show
    periods and pick one (first page, dashboard, list, unit pages) need no ORM objects."""

    id: int
    year: int
    month: int
    kind: str


def period_rows() -> list[PeriodRow]:
    """periods_with_directives as plain rows, read once per change per process: a cached page
    finds its period without loading a hundred periods per request."""
    session = db.session()
    return list(versioning.per_version(session, "period_rows", lambda: tuple(
        PeriodRow(*row) for row in session.execute(_PERIOD_ROW_QUERY).tuples()
    )))


@functools.lru_cache(maxsize=1024)
def _key_and_caption(year: int, month: int, kind: str) -> tuple[str, str]:
    ref = PeriodKey(year, month, kind)
    return ref.key, ref.caption


class _HasPeriodKey(Protocol):
    year: int
    month: int
    kind: str


def period_options(periods: Sequence[_HasPeriodKey]) -> list[tuple[str, str]]:
    """(key, caption) of each period, for a picker (formatting.select_options): the texts
    are remembered per process (a picker of ten years asks for hundreds of them per page)."""
    return [_key_and_caption(p.year, p.month, p.kind) for p in periods]


class _HasRef(Protocol):
    @property
    def ref(self) -> PeriodKey: ...


P = TypeVar("P", bound=_HasRef)


def pick_default(periods: list[P]) -> P | None:
    """default_period() over an already loaded list (newest first): no extra query."""
    month = PeriodKey.of_month(clock.today())
    for period in periods:
        if period.ref == month:
            return period
    return periods[0] if periods else None


def find_period(periods: list[P], ref: PeriodKey) -> P | None:
    return next((p for p in periods if p.ref == ref), None)


NO_PERIOD_ID = 0  # no row has it: filtering by it finds nothing


def empty_period(ref: PeriodKey) -> Period:
    """A period nobody has given tasks for (yet): pages and the API show it empty, not a 400.
    Never added to the session."""
    return Period(id=NO_PERIOD_ID, year=ref.year, month=ref.month, kind=ref.kind)


def next_position(period_id: int, parent_id: int | None) -> int:
    """The position after the last directive of the period at that level (report order)."""
    parent_clause = (
        Directive.parent_id.is_(None) if parent_id is None else Directive.parent_id == parent_id
    )
    current = db.session.scalar(
        sa.select(sa.func.max(Directive.position)).where(
            Directive.period_id == period_id, parent_clause
        )
    )
    return (current or 0) + 1
