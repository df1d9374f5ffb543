"""Read-side queries shared by pages, API, reminders and reports; relationships load explicitly."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.core import clock
from tracker.directives.models import Assignment, Directive, Period
from tracker.extensions import db


def get_period(year: int, month: int) -> Period | None:
    return db.session.scalar(sa.select(Period).where(Period.year == year, Period.month == month))


def get_or_create_period(year: int, month: int) -> Period:
    period = get_period(year, month)
    if period is None:
        period = Period(year=year, month=month)
        db.session.add(period)
        db.session.flush()
    return period


def default_period() -> Period | None:
    """The current month when it has directives, else the latest period that has some."""
    today = clock.today()
    current = get_period(today.year, today.month)
    has_current = current is not None and db.session.scalar(
        sa.select(sa.exists().where(Directive.period_id == current.id))
    )
    if has_current:
        return current
    return db.session.scalar(
        sa.select(Period)
        .where(sa.exists().where(Directive.period_id == Period.id))
        .order_by(Period.year.desc(), Period.month.desc())
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
            )
            .order_by(Directive.position, Directive.id)
        )
    )
