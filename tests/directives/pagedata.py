"""Test data for the read pages: the demo directives spread over every bucket, more periods,
and a counter of SQL statements."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import selectinload

from tracker.core import clock
from tracker.directives.models import (
    Assignment,
    Attachment,
    Directive,
    ExtensionRequest,
    Period,
    ProgressUpdate,
)
from tracker.directives.search import search_text
from tracker.extensions import db
from tracker.units.models import Unit

AS_OF = dt.date(2023, 4, 5)


def demo_directives() -> list[Directive]:
    return list(
        db.session.scalars(
            sa.select(Directive)
            .options(selectinload(Directive.assignments), selectinload(Directive.children))
            .order_by(Directive.id)
        )
    )


def spread_over_buckets() -> None:
    """Give the demo assignments known progress so that every bucket has members on 05/04/2023.

    Whatever the demo seed wrote is reset first, so the tests do not depend on it.
    """
    # The rows decide: the demo's recorded history (progress, extension requests) goes, so that
    # the status as of a past day, rebuilt from the history, is the rows' too.
    db.session.execute(sa.delete(Attachment))
    db.session.execute(sa.delete(ProgressUpdate))
    db.session.execute(sa.delete(ExtensionRequest))
    everything = demo_directives()
    for d in everything:
        d.withdrawn_at = None
        for a in d.assignments:
            a.state, a.percent, a.deadline = "not_started", 0, d.deadline
            a.completed_on = a.completed_at = a.reported_done_at = a.last_update_at = None
            a.on_time = a.on_time_original = None
            a.extended_deadline = a.extension_approved_on = None
    top = [d for d in everything if d.parent_id is None]
    by_number = {d.number: d for d in top}

    def leads(number: str) -> list[Assignment]:
        return [a for a in by_number[number].assignments if a.role == "lead"] or by_number[
            number
        ].assignments

    for a in leads("1"):  # done on time
        a.state, a.percent, a.completed_on, a.on_time, a.on_time_original = (
            "done", 100, dt.date(2023, 3, 28), True, True)
        a.last_update_at = dt.datetime(2023, 3, 28, 3)
    for a in leads("2"):  # done late
        a.state, a.percent, a.completed_on, a.on_time, a.on_time_original = (
            "done", 100, dt.date(2023, 4, 3), False, False)
        a.last_update_at = dt.datetime(2023, 4, 3, 3)
    for a in leads("3"):  # in progress with an extension approved before the deadline
        a.state, a.percent = "in_progress", 60
        a.extended_deadline, a.extension_approved_on = dt.date(2023, 4, 20), dt.date(2023, 3, 25)
        a.last_update_at = dt.datetime(2023, 3, 30, 3)
    for a in by_number["4"].assignments:  # no deadline (thường xuyên)
        a.deadline = None
        a.state = "in_progress"
    by_number["4"].deadline = None
    by_number["5"].withdrawn_at = dt.datetime(2023, 3, 15, 2)
    by_number["5"].withdrawn_reason = "Không còn phù hợp"
    for a in leads("7"):  # in progress, last update recent
        a.state, a.percent = "in_progress", 30
        a.last_update_at = dt.datetime(2023, 4, 4, 3)
    db.session.commit()


def copy_period(year: int, month: int, times: int = 1) -> Period:
    """Another period holding copies of the demo directives (with their assignments)."""
    period = Period(year=year, month=month)
    db.session.add(period)
    db.session.flush()
    originals = [d for d in demo_directives() if d.parent_id is None]
    for n in range(times):
        for d in originals:
            copy = copy_directive(d, period, None, d.position + n * 100)
            for child in d.children:
                copy_directive(child, period, copy, child.position)
    db.session.commit()
    return period


def copy_directive(
    d: Directive, period: Period, parent: Directive | None, position: int
) -> Directive:
    shift = dt.timedelta(days=31 * (period.month - 3) + 366 * (period.year - 2023))
    copy = Directive(
        period_id=period.id, parent=parent, number=d.number, position=position, title=d.title,
        text=d.text, search_text=search_text(d.number, d.title, d.text), field=d.field,
        deadline=d.deadline + shift if d.deadline else None, created_at=clock.now(),
    )
    db.session.add(copy)
    for a in d.assignments:
        copy.assignments.append(Assignment(
            unit_id=a.unit_id, role=a.role, deadline=a.deadline + shift if a.deadline else None,
            state=a.state, percent=a.percent,
        ))
    return copy


def unit_by_code(code: str) -> Unit:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


@contextlib.contextmanager
def count_queries() -> Iterator[list[str]]:
    """Collect every SQL statement the engine runs inside the block.

    The test client shares the test's session; it is emptied first so that nothing the test
    loaded earlier saves the page a query it would run in production.
    """
    statements: list[str] = []
    db.session.expunge_all()

    def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
