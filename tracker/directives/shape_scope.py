"""The day and the filters a compiled bucket statement is built for (status_sql.py).

A shape is compiled once per process (sql_shapes.py) with slots for the day judged, the end of
that day, and the period, directive ids and unit ids it is narrowed to; a call binds values to
those slots under names that start with the shape's prefix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tracker.core import clock
from tracker.directives.sql_shapes import Slot


def uses_history(as_of: dt.date) -> bool:
    """presenters.uses_history: a past day is rebuilt from the history."""
    return as_of < clock.today()


@dataclass(frozen=True)
class Day:
    """The day judged: ``as_of`` and the end of it (``clock.end_of_day``), as values for an
    expression built for one call, or as slots for a shape compiled once; ``history``: a past
    day, rebuilt from the history (decides the shape)."""

    as_of: Any
    eod: Any
    history: bool


def day_of(as_of: dt.date) -> Day:
    return Day(as_of, clock.end_of_day(as_of), uses_history(as_of))


@dataclass(frozen=True)
class Scope:
    """The filters of a shape, as slots (None: not filtered)."""

    period_id: Slot | None = None
    directive_ids: Slot | None = None
    unit_ids: Slot | None = None


def shape_slots(prefix: str, history: bool, period: bool, directives: bool,
                units: bool) -> tuple[Day, Scope, list[Slot]]:
    """The day and the filters of a shape as slots named ``<prefix>_as_of`` and so on."""
    day = Day(Slot(f"{prefix}_as_of", sa.Date()), Slot(f"{prefix}_eod", sa.DateTime()),
              history)
    scope = Scope(
        Slot(f"{prefix}_period_id", sa.Integer()) if period else None,
        Slot(f"{prefix}_directive_ids", sa.Integer(), rows=True) if directives else None,
        Slot(f"{prefix}_unit_ids", sa.Integer(), many=True) if units else None,
    )
    slots = [day.as_of, day.eod, *(s for s in (scope.period_id, scope.directive_ids,
                                               scope.unit_ids) if s is not None)]
    return day, scope, slots


def shape_values(prefix: str, as_of: dt.date, period_id: int | None,
                 directive_ids: Collection[int] | None,
                 unit_ids: Collection[int] | None) -> dict[str, object]:
    """The values a call binds to those slots."""
    return {
        f"{prefix}_as_of": as_of,
        f"{prefix}_eod": clock.end_of_day(as_of),
        f"{prefix}_period_id": period_id,
        f"{prefix}_directive_ids": None if directive_ids is None else list(directive_ids),
        f"{prefix}_unit_ids": None if unit_ids is None else list(unit_ids),
    }
