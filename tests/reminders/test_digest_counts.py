"""The weekly digest's bucket counts (SQL) equal the pure status rules over the same data."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.calendar.services import load_calendar
from tracker.directives.models import Directive
from tracker.directives.presenters import directive_status
from tracker.directives.status import summarize
from tracker.extensions import db
from tracker.reminders.digest import digest_data
from tracker.reminders.policy import load_policy


@pytest.mark.parametrize("day", [dt.date(2023, 3, 20), dt.date(2023, 4, 3), dt.date(2023, 4, 5)])
def test_digest_counts_match_the_pure_rules(demo, day):
    directives = db.session.scalars(
        sa.select(Directive)
        .where(Directive.parent_id.is_(None))
        .options(
            selectinload(Directive.assignments),
            selectinload(Directive.children).selectinload(Directive.assignments),
        )
    ).all()
    expected = summarize(directive_status(d, day) for d in directives)
    data = digest_data(day, load_policy(), load_calendar())
    assert {value: n for value, _label, n in data.counts} == {
        bucket.value: n for bucket, n in expected.counts.items() if bucket.value != "withdrawn"
    }
    assert data.total == expected.total
