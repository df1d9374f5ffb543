"""The dashboard's numbers for one period: buckets, the headline rates, scoreboards, a chart.

Loads a period's directives and assignments as plain rows (two queries, no ORM objects) and runs
the pure status rules on them through presenters.py, so the numbers are exactly what every other
page, the API and the report say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from tracker.directives.fields import FIELD_LABELS, FIELDS
from tracker.directives.models import Assignment, Directive
from tracker.directives.presenters import assignment_status, directive_status
from tracker.directives.status import (
    BUCKET_LABELS,
    BUCKET_ORDER,
    EXTENDED,
    Bucket,
    Status,
    Summary,
    summarize,
)
from tracker.extensions import db
from tracker.units.models import Unit

# Hex colours for the SVG chart, matching the Bootstrap badges (orange for done late).
BUCKET_FILLS: dict[Bucket, str] = {
    Bucket.DONE_ON_TIME: "#198754",
    Bucket.DONE_LATE: "#fd7e14",
    Bucket.IN_PROGRESS: "#0d6efd",
    Bucket.NOT_STARTED: "#6c757d",
    Bucket.OVERDUE: "#dc3545",
    Bucket.NO_DEADLINE: "#0dcaf0",
    Bucket.WITHDRAWN: "#343a40",
}


@dataclass
class _Directive:
    """Just what presenters.directive_status reads, filled from plain rows."""

    id: int
    parent_id: int | None
    field: str
    deadline: dt.date | None
    withdrawn_at: dt.datetime | None
    children: list[_Directive] = field(default_factory=list)
    assignments: list[_Assignment] = field(default_factory=list)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


@dataclass
class _Assignment:
    """Just what presenters.assignment_status reads."""

    id: int
    unit_id: int
    role: str
    state: str
    deadline: dt.date | None
    extended_deadline: dt.date | None
    extension_approved_on: dt.date | None
    completed_on: dt.date | None
    on_time: bool | None
    on_time_original: bool | None
    directive: _Directive


@dataclass
class Snapshot:
    """A period's directives (top-level, sub-directives attached) and all its assignments."""

    directives: list[_Directive]
    assignments: list[_Assignment]


def load_snapshot(period_id: int) -> Snapshot:
    by_id: dict[int, _Directive] = {}
    rows = db.session.execute(
        sa.select(
            Directive.id, Directive.parent_id, Directive.field, Directive.deadline,
            Directive.withdrawn_at,
        )
        .where(Directive.period_id == period_id)
        .order_by(Directive.parent_id.is_not(None), Directive.position, Directive.id)
    ).all()
    for row in rows:
        by_id[row.id] = _Directive(row.id, row.parent_id, row.field, row.deadline, row.withdrawn_at)
    top: list[_Directive] = []
    for d in by_id.values():
        parent = by_id.get(d.parent_id) if d.parent_id else None
        if parent is not None:
            parent.children.append(d)
        elif d.parent_id is None:
            top.append(d)
    a = Assignment
    assignments: list[_Assignment] = []
    for row in db.session.execute(
        sa.select(
            a.id, a.directive_id, a.unit_id, a.role, a.state, a.deadline, a.extended_deadline,
            a.extension_approved_on, a.completed_on, a.on_time, a.on_time_original,
        )
        .join(Directive, Directive.id == a.directive_id)
        .where(Directive.period_id == period_id)
        .order_by(a.id)
    ):
        directive = by_id[row.directive_id]
        item = _Assignment(
            row.id, row.unit_id, row.role, row.state, row.deadline, row.extended_deadline,
            row.extension_approved_on, row.completed_on, row.on_time, row.on_time_original,
            directive,
        )
        directive.assignments.append(item)
        assignments.append(item)
    return Snapshot(top, assignments)


@dataclass
class Row:
    """One scoreboard line: a unit or a field, with its counts per bucket."""

    key: str | int
    label: str
    summary: Summary

    @property
    def in_time(self) -> int:
        """Not done, deadline not passed (in progress or not started yet)."""
        c = self.summary.counts
        return c[Bucket.IN_PROGRESS] + c[Bucket.NOT_STARTED]


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
    statuses: dict[int, Status]
    units: list[Row]
    fields: list[Row]


def build_board(
    snapshot: Snapshot, units: list[Unit], as_of: dt.date, against: str = EXTENDED
) -> Board:
    """Directive buckets (top-level, with roll-ups), per unit over its assignments, per field."""
    statuses = {d.id: directive_status(d, as_of, against) for d in snapshot.directives}  # type: ignore[arg-type]
    per_unit: dict[int, list[Status]] = {}
    for a in snapshot.assignments:
        status = assignment_status(a, as_of, against)  # type: ignore[arg-type]
        per_unit.setdefault(a.unit_id, []).append(status)
    unit_rows = [
        Row(u.id, u.name, summarize(per_unit.get(u.id, []))) for u in units if u.id in per_unit
    ]
    per_field: dict[str, list[Status]] = {}
    for d in snapshot.directives:
        per_field.setdefault(d.field, []).append(statuses[d.id])
    field_rows = [
        Row(code, label, summarize(per_field[code])) for code, label in FIELDS if code in per_field
    ]
    field_rows += [
        Row(code, FIELD_LABELS.get(code, code), summarize(items))
        for code, items in per_field.items()
        if code not in FIELD_LABELS
    ]
    return Board(
        as_of=as_of,
        against=against,
        summary=summarize(statuses.values()),
        statuses=statuses,
        units=unit_rows,
        fields=field_rows,
    )




# --- The chart: server-rendered SVG geometry -----------------------------------------------


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    fill: str
    count: int
    label: str


@dataclass(frozen=True)
class Bar:
    y: float
    label: str
    total: int
    segments: list[Segment]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[Bar]
    legend: list[tuple[str, str, int]]


def stacked_chart(rows: list[Row], width: int = 900) -> Chart:
    """One horizontal bar per row, split into its buckets in BUCKET_ORDER, shared scale."""
    label_width, bar_height, gap, top = 330, 22, 10, 8
    plot = width - label_width - 60
    biggest = max((sum(r.summary.counts.values()) for r in rows), default=0) or 1
    bars: list[Bar] = []
    for i, row in enumerate(rows):
        x = float(label_width)
        segments = []
        for bucket in BUCKET_ORDER:
            count = row.summary.counts[bucket]
            if not count:
                continue
            w = plot * count / biggest
            segments.append(Segment(round(x, 1), round(w, 1), BUCKET_FILLS[bucket], count,
                                    BUCKET_LABELS[bucket]))
            x += w
        bars.append(Bar(top + i * (bar_height + gap), row.label, sum(s.count for s in segments),
                        segments))
    totals = summarize([])
    for row in rows:
        for bucket, n in row.summary.counts.items():
            totals.counts[bucket] += n
    legend = [(BUCKET_LABELS[b], BUCKET_FILLS[b], totals.counts[b]) for b in BUCKET_ORDER
              if totals.counts[b]]
    height = top + len(rows) * (bar_height + gap) + 4
    return Chart(width, max(height, 40), label_width, bar_height, bars, legend)
