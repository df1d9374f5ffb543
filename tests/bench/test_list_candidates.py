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
        {"period": "all", "q": "ngân sách", "sort": "updated", "order": "desc"},
        {"period": "all", "field": "kinh_te", "sort": "deadline"},
        {"period": "all", "kind": "xa_phuong", "page": "2"},
        {"period": "all", "field": "kinh_te", "q": "ngân sách", "bucket": "overdue",
         "as_of": "01/12/2025"},
    ],
)
def test_candidate_shortcut_changes_no_row(app: Flask, args: dict, monkeypatch) -> None:
    generate(db.engine, 0.004, log=lambda _msg: None)
    app.config["TRACKER_TODAY"] = dt.date(2025, 12, 15)
    with app.test_request_context():
        periods = [p for p, _ in queries.periods_with_counts()]
        f = listing.parse_filters(MultiDict({"per_page": "20", **args}), periods)
        narrowed = listing.page_ids(f)
        full = list(db.session.scalars(listing.filtered_select(f)))
        monkeypatch.setattr(listing, "MAX_CANDIDATES", -1)  # never narrow
        unnarrowed = listing.page_ids(f)
    start = (f.page - 1) * f.per_page
    assert narrowed.items == unnarrowed.items == full[start : start + f.per_page]
    assert narrowed.total == unnarrowed.total == len(full)
    assert full or args.get("sort") == "bucket"


def test_one_statement_per_shape_serves_every_set_of_candidates(app: Flask) -> None:
    """The statement over candidates is built once per shape (listing._ordered_for_candidates)
    and given each request's candidates when it runs: lists of the same shape one after the
    other (other fields, texts, units) each get their own rows, never the previous list's."""
    generate(db.engine, 0.004, log=lambda _msg: None)
    app.config["TRACKER_TODAY"] = dt.date(2025, 12, 15)
    lists = [
        {"field": "kinh_te"}, {"field": "noi_chinh"}, {"q": "ngân sách"}, {"unit": "30"},
        {"field": "kinh_te", "q": "ngân sách"}, {"field": "kinh_te"},
    ]
    seen = []
    with app.test_request_context():
        periods = [p for p, _ in queries.periods_with_counts()]
        for bucket in ("overdue", "in_progress", "done_on_time"):
            for extra in lists:
                args = {"period": "all", "bucket": bucket, "per_page": "100", **extra}
                f = listing.parse_filters(MultiDict(args), periods)
                page = listing.page_ids(f)
                full = list(db.session.scalars(listing.filtered_select(f)))
                assert page.items == full[:100] and page.total == len(full), args
                seen.append(tuple(full))
    assert len(set(seen)) > 6  # the lists differ: each was its own
