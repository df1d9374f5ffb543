"""The reminder run's plain rows: the same facts and statuses as the ORM objects judged by the
presenters, and read again once a change is committed or flushed."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import Flask

from tracker.calendar.services import load_calendar
from tracker.core import clock
from tracker.directives.models import Assignment
from tracker.directives.presenters import assignment_status
from tracker.directives.status import facts_of
from tracker.extensions import db
from tracker.reminders import open_work


@pytest.mark.parametrize("day", [dt.date(2023, 3, 20), dt.date(2023, 4, 5), None])
def test_rows_and_statuses_match_the_orm_and_the_presenters(demo: Flask, day):
    day = day or clock.today()
    rows = open_work.open_assignments(day)
    assert rows
    statuses = open_work.statuses(rows, day, load_calendar())
    for row in rows:
        orm = db.session.get(Assignment, row.id)
        assert row.facts == facts_of(orm, withdrawn=orm.directive.is_withdrawn)
        assert (row.unit.id, row.unit.name, row.role_label) == (
            orm.unit_id, orm.unit.name, orm.role_label)
        assert (row.number, row.title, row.year, row.month, row.leader_id) == (
            orm.directive.number, orm.directive.title, orm.directive.period.year,
            orm.directive.period.month, orm.directive.leader_id)
        assert statuses[row.id] == assignment_status(orm, day)


def test_open_work_is_read_again_after_a_change(demo: Flask):
    day = dt.date(2023, 3, 20)
    first = open_work.open_assignments(day)
    assert open_work.open_assignments(day) == first
    target = db.session.get(Assignment, first[0].id)
    moved = (target.deadline or day) + dt.timedelta(days=30)

    target.deadline = moved
    db.session.flush()  # not committed: this transaction reads its own change
    assert open_work.open_assignments(day)[0].facts.deadline == moved

    db.session.commit()  # committed: a new data version
    assert open_work.open_assignments(day)[0].facts.deadline == moved

    db.session.execute(
        sa.update(Assignment).where(Assignment.id == target.id).values(deadline=None)
    )
    db.session.commit()
    assert open_work.open_assignments(day)[0].facts.deadline is None
