"""A unit's record: its assignments counted per bucket, per period, computed in SQL.

The bucket comes from status_sql (the SQL mirror of the pure rules), so a unit with ten years of
assignments costs one grouped query, and the numbers equal the dashboard's row for that unit.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from urllib.parse import quote

import sqlalchemy as sa
from markupsafe import Markup, escape

from tracker.core.periods import PeriodKey
from tracker.directives.models import Period
from tracker.directives.queries import PeriodRow
from tracker.directives.scoreboard import score_cells_html
from tracker.directives.sql_shapes import built_per_day
from tracker.directives.status import EXTENDED, Bucket, Summary
from tracker.directives.status_sql import assignment_facts
from tracker.extensions import db


@dataclass
class PeriodRecord:
    period: PeriodRow
    summary: Summary
    by_unit: dict[int, Summary] = field(default_factory=dict)  # merged units' part of it

    @property
    def in_time(self) -> int:
        c = self.summary.counts
        return c[Bucket.IN_PROGRESS] + c[Bucket.NOT_STARTED]

    @property
    def cells(self) -> Markup:
        """The period's numbers as printed: seven ``<td>`` (scoreboard.score_cells_html)."""
        return score_cells_html(self.summary)

    def row_html(self, safe_href: str, unit_names: dict[int, str]) -> str:
        """The period's ``<tr>`` on the unit's page (``safe_href`` already escaped), written
        here rather than in the template: ten years are 120 rows, and a template loop cost the
        page more than its query."""
        merged = ""
        if self.by_unit:
            parts = ", ".join(f"{escape(unit_names.get(uid, ''))} ({part.total})"
                              for uid, part in self.by_unit.items())
            merged = f'<div class="small text-muted merged-units">Gồm: {parts}</div>'
        # Every text from outside is escaped (names here; key, caption and link in
        # _period_texts and by the caller); the cells are Markup already. (Markup.format would
        # do the same, at ten times the cost.)
        key, quoted, caption = _period_texts(self.period.year, self.period.month,
                                             self.period.kind)
        return (f'<tr data-period="{key}"><td class="card-head">'
                f'<a href="{safe_href}{quoted}">{caption}</a>{merged}</td>{self.cells}</tr>')


@functools.lru_cache(maxsize=2048)
def _period_texts(year: int, month: int, kind: str) -> tuple[str, str, str]:
    """A period's key, its key for a URL and its caption, escaped: the same on every page."""
    ref = PeriodKey(year, month, kind)
    return str(escape(ref.key)), str(escape(quote(ref.key))), str(escape(ref.caption))


def rows_html(records: list[PeriodRecord], href: str, unit_names: dict[int, str]) -> Markup:
    """Every period's ``<tr>`` (PeriodRecord.row_html) in one piece for the template."""
    safe_href = str(escape(href))
    return Markup("\n".join(r.row_html(safe_href, unit_names) for r in records))  # noqa: S704


_ZERO = Summary().counts  # every bucket at 0, copied per period (quicker than Summary())
_BUCKET_OF = {b.value: b for b in Bucket}


@built_per_day(maxsize=512)
def _record_statement(unit_ids: tuple[int, ...], as_of: dt.date, against: str) -> sa.Select:
    """Built once per unit and day (sql_shapes.built_per_day): building it cost the unit page
    a third of running it."""
    facts = assignment_facts(as_of, against, unit_ids=unit_ids)
    return (
        sa.select(Period.id, Period.year, Period.month, Period.kind, facts.c.unit_id,
                  facts.c.bucket, sa.func.count(facts.c.id))
        .select_from(facts)
        .join(Period, Period.id == facts.c.period_id)
        .group_by(Period.id, Period.year, Period.month, Period.kind, facts.c.unit_id,
                  facts.c.bucket)
        .order_by(*Period.newest_first())
    )


def unit_record(
    unit_id: int, as_of: dt.date, against: str = EXTENDED, *, also: tuple[int, ...] = ()
) -> list[PeriodRecord]:
    """Per period (newest first), the unit's assignments counted per bucket as of a day (those
    given by then, as they stood then); ``also``: the units it replaced (merged into it), whose
    assignments count with its own and are told apart in ``PeriodRecord.by_unit``."""
    statement = _record_statement((unit_id, *also), as_of, against)
    rows = db.session.connection().execute(statement).tuples().all()
    records: dict[int, PeriodRecord] = {}
    for period_id, year, month, kind, owner, value, count in rows:
        record = records.get(period_id)
        if record is None:
            period = PeriodRow(period_id, year, month, kind)
            record = records[period_id] = PeriodRecord(period, Summary(dict(_ZERO)))
        bucket = _BUCKET_OF[value]
        record.summary.counts[bucket] += count
        if owner != unit_id:
            part = record.by_unit.get(owner)
            if part is None:
                part = record.by_unit[owner] = Summary(dict(_ZERO))
            part.counts[bucket] += count
    return list(records.values())


def units_summary(period_id: int, as_of: dt.date, against: str = EXTENDED) -> dict[int, Summary]:
    """Every unit's assignments in one period counted per bucket: {unit_id: Summary}."""
    facts = assignment_facts(as_of, against, period_id=period_id)
    rows = db.session.execute(
        sa.select(facts.c.unit_id, facts.c.bucket, sa.func.count(facts.c.id))
        .group_by(facts.c.unit_id, facts.c.bucket)
    ).all()
    result: dict[int, Summary] = {}
    for unit_id, value, count in rows:
        summary = result.get(unit_id)
        if summary is None:
            summary = result[unit_id] = Summary()
        summary.counts[Bucket(value)] += count
    return result


def total(records: list[PeriodRecord]) -> Summary:
    """All periods together."""
    summary = Summary()
    for record in records:
        for b, n in record.summary.counts.items():
            summary.counts[b] += n
    return summary
