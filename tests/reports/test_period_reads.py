"""A transaction reads a period's history once for the report (the check, the composition, the
export's appendix) and reads it again after writing anything that history holds."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from tests.reports.conftest import AS_OF, directive, lead
from tracker.core import audit
from tracker.core.periods import PeriodKey
from tracker.directives.models import Assignment
from tracker.directives.queries import get_period
from tracker.extensions import db
from tracker.reports import data

MARCH = PeriodKey(2023, 3)


def test_the_period_is_read_once_until_the_transaction_writes_what_it_holds(march: Flask):
    period = get_period(MARCH)
    book = data.period_book(period, AS_OF)
    assert data.period_book(period, AS_OF) is book
    assert data.period_directives(period, AS_OF) == data.period_directives(period, AS_OF)

    audit.record("report", 1, "create", None, {"period": MARCH.key})
    db.session.flush()  # the report's own rows are not in the history
    assert data.period_book(period, AS_OF) is book

    assignment = lead(directive("1"))
    assignment.percent = 37
    db.session.flush()
    fresh = data.period_book(period, AS_OF)
    assert fresh is not book

    db.session.execute(
        sa.update(Assignment).where(Assignment.id == assignment.id).values(percent=38)
    )
    assert data.period_book(period, AS_OF) is not fresh


def test_a_new_transaction_reads_the_period_again(march: Flask):
    period = get_period(MARCH)
    book = data.period_book(period, AS_OF)
    db.session.rollback()
    assert data.period_book(period, AS_OF) is not book
