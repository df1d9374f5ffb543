"""bench.lists times the list over every period the fifteen ways it names, on a generated
province, and reads each one's number of matches off the page."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Flask

from bench.generate import generate
from bench.lists import LISTS, time_lists
from tracker.demo.accounts import DEMO_PASSWORD
from tracker.directives.models import Directive
from tracker.extensions import db


def test_every_list_is_timed_with_its_matches(app: Flask) -> None:
    generate(db.engine, 0.004, log=lambda _msg: None)
    app.config["TRACKER_TODAY"] = dt.date(2025, 12, 15)
    app.extensions.pop("page_cache", None)  # computed each time, as the bench runs it
    results = time_lists(app, DEMO_PASSWORD, repeat=2)
    assert list(results) == [name for name, _ in LISTS]
    for name, item in results.items():
        assert 0 < item["median_ms"] <= item["max_ms"], name
    top_level = db.session.scalar(
        sa.select(sa.func.count()).where(Directive.parent_id.is_(None)))
    assert results["every period, no filter"]["matches"] == top_level > 0
    overdue = results["overdue, every period"]["matches"]
    assert 0 < overdue < top_level
