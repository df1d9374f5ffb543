"""The list's bucket filter narrowed to the candidate directives (a performance shortcut found
by the benchmark) gives exactly the rows the full computation gives."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from bench.generate import generate
from tracker.directives import listing, queries
from tracker.extensions import db


@pytest.mark.parametrize(
    "args",
    [
        {"period": "all", "field": "kinh_te", "bucket": "overdue"},
        {"period": "all", "q": "ngân sách", "bucket": "done_late"},
        {"period": "all", "unit": "30", "bucket": "in_progress", "sort": "bucket"},
        {"period": "2025-12", "field": "noi_chinh", "sort": "bucket"},
    ],
)
def test_candidate_shortcut_changes_no_row(app: Flask, args: dict, monkeypatch) -> None:
    generate(db.engine, 0.004, log=lambda _msg: None)
    app.config["TRACKER_TODAY"] = dt.date(2025, 12, 15)
    with app.test_request_context():
        periods = [p for p, _ in queries.periods_with_counts()]
        f = listing.parse_filters(MultiDict({**args, "per_page": "100"}), periods)
        narrowed = [d.id for d in db.session.scalars(listing.filtered_select(f))]
        monkeypatch.setattr(listing, "MAX_CANDIDATES", -1)  # never narrow
        full = [d.id for d in db.session.scalars(listing.filtered_select(f))]
    assert narrowed == full
    assert full or args.get("sort") == "bucket"
