"""The dashboard's numbers for one period: buckets, the headline rates, scoreboards (its chart:
chart.py).

Counted in the database with the SQL mirror of the bucket rules (status_sql.py, proven equal to
the pure functions by tests/directives/test_status_sql.py), grouped per field and per unit, and
folded into status.Summary objects, so the rates are the ones every other page and the report
quote. A province-size month (400 directives, 1,700 assignments, 150 units) costs two grouped
queries, not thousands of Python objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import Markup, escape

from tracker.directives.fields import FIELD_LABELS, FIELDS
from tracker.directives.models import Directive
from tracker.directives.scoreboard import score_cells_html
from tracker.directives.sql_shapes import built_per_day
from tracker.directives.status import (
    EXTENDED,
    Bucket,
    Summary,
    summarize,
)
from tracker.directives.status_sql import directive_buckets, period_board
from tracker.extensions import db
from tracker.units import lineage
from tracker.units.kinds import GROUP_OF_TYPE, UNIT_GROUPS
from tracker.units.queries import UnitRow


def field_summaries(period_id: int, as_of: dt.date, against: str = EXTENDED) -> dict[str, Summary]:
    """The period's top-level directives (rolled up) counted per bucket, per field."""
    buckets = directive_buckets(as_of, against, period_id=period_id)
    rows = db.session.execute(
        sa.select(Directive.field, buckets.c.bucket, sa.func.count())
        .join(buckets, buckets.c.directive_id == Directive.id)
        .where(Directive.parent_id.is_(None))
        .group_by(Directive.field, buckets.c.bucket)
    ).all()
    result: dict[str, Summary] = {}
    for field_code, value, count in rows:
        summary = result.get(field_code)
        if summary is None:
            summary = result[field_code] = Summary()
        summary.counts[Bucket(value)] += count
    return result


_ZERO = Summary().counts  # every bucket at 0, copied for each line (quicker than Summary())
_BUCKET_OF = {b.value: b for b in Bucket}


@built_per_day(maxsize=64)
def _board_statement(period_id: int, as_of: dt.date, against: str) -> sa.Select:
    """Built once per period and day (sql_shapes.built_per_day)."""
    return sa.select(period_board(as_of, against, period_id=period_id))


def board_counts(
    period_id: int, as_of: dt.date, against: str = EXTENDED
) -> tuple[dict[str, Summary], dict[int, Summary]]:
    """field_summaries and unit_records.units_summary together: one statement, in which each
    assignment's bucket is computed once for both (status_sql.period_board)."""
    statement = _board_statement(period_id, as_of, against)
    per_field: dict[str, Summary] = {}
    per_unit: dict[int, Summary] = {}
    rows = db.session.connection().execute(statement).all()
    for field_code, unit_id, value, count in rows:
        if unit_id is None:
            summary = per_field.get(field_code)
            if summary is None:
                summary = per_field[field_code] = Summary(dict(_ZERO))
        else:
            summary = per_unit.get(unit_id)
            if summary is None:
                summary = per_unit[unit_id] = Summary(dict(_ZERO))
        summary.counts[_BUCKET_OF[value]] += count
    return per_field, per_unit


def combine(summaries: list[Summary]) -> Summary:
    total = summarize([])
    for summary in summaries:
        for bucket, n in summary.counts.items():
            total.counts[bucket] += n
    return total


@dataclass
class Row:
    """One scoreboard line: a unit or a field, with its counts per bucket. A unit's line also
    counts the units merged into it (``merged``: their names) once they no longer exist."""

    key: str | int
    label: str
    summary: Summary
    merged: list[str] = field(default_factory=list)

    @property
    def in_time(self) -> int:
        """Not done, deadline not passed (in progress or not started yet)."""
        c = self.summary.counts
        return c[Bucket.IN_PROGRESS] + c[Bucket.NOT_STARTED]

    @property
    def cells(self) -> Markup:
        """The line's numbers as printed: seven ``<td>`` (scoreboard.score_cells_html)."""
        return score_cells_html(self.summary)


SCOREBOARD_COLUMNS: dict[str, str] = {
    "name": "Đơn vị",
    "assigned": "Được giao",
    "on_time": "Hoàn thành đúng hạn",
    "late": "Hoàn thành quá hạn",
    "overdue": "Quá hạn",
    "in_time": "Đang thực hiện trong hạn",
    "no_deadline": "Không có thời hạn",
    "rate": "Tỷ lệ đúng hạn",
}

_SORT_KEYS: dict[str, Callable[[Row], object]] = {
    "name": lambda r: r.label,
    "assigned": lambda r: r.summary.total,
    "on_time": lambda r: r.summary.counts[Bucket.DONE_ON_TIME],
    "late": lambda r: r.summary.counts[Bucket.DONE_LATE],
    "overdue": lambda r: r.summary.overdue,
    "in_time": lambda r: r.in_time,
    "no_deadline": lambda r: r.summary.counts[Bucket.NO_DEADLINE],
    "rate": lambda r: -1.0 if r.summary.on_time_rate is None else r.summary.on_time_rate,
}


def sort_rows(rows: list[Row], column: str, descending: bool) -> list[Row]:
    """Sort a scoreboard by a column; "name" is the catalogue order; ties keep that order."""
    if column not in _SORT_KEYS or column == "name":
        return list(reversed(rows)) if descending else list(rows)
    key = _SORT_KEYS[column]
    return sorted(rows, key=key, reverse=descending)  # type: ignore[arg-type,return-value]


@dataclass
class Board:
    as_of: dt.date
    against: str
    summary: Summary
    units: list[Row]
    fields: list[Row]
    groups: list[Row] = field(default_factory=list)  # per kind of unit ("Các xã, phường")


def unit_rows(
    units: Sequence[UnitRow], per_unit: dict[int, Summary], day: dt.date, group: str | None = None
) -> list[Row]:
    """One row per unit as it is on ``day`` (catalogue order): a unit merged or renamed before
    that day is counted in its successor's row; ``group`` keeps one kind of unit."""
    links = lineage.all_links()
    targets = lineage.fold_targets(units, links, day) if links else {}
    by_id = {u.id: u for u in units}
    rows: dict[int, Row] = {}
    for unit in units:
        summary = per_unit.get(unit.id)
        if summary is None:
            continue
        target = by_id[targets.get(unit.id, unit.id)] if targets else unit
        if group is not None and GROUP_OF_TYPE.get(target.type) != group:
            continue
        row = rows.get(target.id)
        if row is None:  # a copy: the units merged into it add to it, per_unit stays as read
            row = rows[target.id] = Row(target.id, target.name, Summary(dict(summary.counts)))
        else:
            counts = row.summary.counts
            for bucket, n in summary.counts.items():
                counts[bucket] += n
        if target.id != unit.id:
            row.merged.append(unit.name)
    return [rows[u.id] for u in units if u.id in rows]


def group_rows(units: Sequence[UnitRow], per_unit: dict[int, Summary]) -> list[Row]:
    """The assignments of each kind of unit together (sở/ngành, xã/phường, ...)."""
    totals: dict[str, Summary] = {}
    for unit in units:
        summary = per_unit.get(unit.id)
        if summary is None:
            continue
        group = GROUP_OF_TYPE.get(unit.type)
        if group is None:
            continue
        total = totals.get(group)
        if total is None:
            totals[group] = Summary(dict(summary.counts))
            continue
        for bucket, n in summary.counts.items():
            total.counts[bucket] += n
    return [Row(g, label, totals[g]) for g, (label, _) in UNIT_GROUPS.items() if g in totals]


def unit_lines_html(rows: list[Row], unit_base: str, period_query: str) -> Markup:
    """The units' scoreboard lines (a province has 150): each ``<tr>`` written here, as
    PeriodRecord.row_html writes a unit's record, rather than by a template loop."""
    base, query = escape(unit_base), escape(period_query)
    lines = []
    for row in rows:
        merged = ""
        if row.merged:
            names = escape(", ".join(row.merged))
            merged = f'<div class="small text-muted merged-units">Gồm cả: {names}</div>'
        lines.append(
            f'<tr data-unit="{row.key}"><td class="card-head"><a href="{base}{row.key}{query}">'
            f"{escape(row.label)}</a>{merged}</td>{row.cells}</tr>"
        )
    return Markup("\n".join(lines))  # noqa: S704 - names, labels and links escaped


def board_day(last_day: dt.date, as_of: dt.date) -> dt.date:
    """The day whose units a period's scoreboard shows: its last day, or as_of if earlier."""
    return min(last_day, as_of)


def build_board(
    period_id: int, units: Sequence[UnitRow], as_of: dt.date, against: str = EXTENDED,
    *, day: dt.date | None = None, group: str | None = None,
) -> Board:
    """Directive buckets (top-level, with roll-ups) per field and in all; per unit over its
    assignments (lead and support), merged units in their successor; per kind of unit."""
    per_field, per_unit = board_counts(period_id, as_of, against)
    rows = unit_rows(units, per_unit, day or as_of, group)
    field_rows = [
        Row(code, label, per_field[code]) for code, label in FIELDS if code in per_field
    ]
    field_rows += [
        Row(code, code, summary) for code, summary in per_field.items() if code not in FIELD_LABELS
    ]
    return Board(
        as_of=as_of,
        against=against,
        summary=combine([r.summary for r in field_rows]),
        units=rows,
        fields=field_rows,
        groups=group_rows(units, per_unit),
    )
