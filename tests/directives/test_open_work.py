"""The list of every period in an open bucket computes only the directives with open work
(tracker/directives/open_work.py) and lists exactly what the pure rules put in that bucket."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tests.directives.test_status_sql import AS_OF_DAYS, _build
from tracker.directives import listing
from tracker.directives.models import Assignment, Directive
from tracker.directives.open_work import OPEN_BUCKETS
from tracker.directives.presenters import status_book
from tracker.directives.search import search_text
from tracker.directives.status import Bucket
from tracker.extensions import db

AGAINST = ["extended", "original"]


def _every_page(f: listing.ListFilters) -> list[int]:
    ids: list[int] = []
    for page in itertools.count(1):
        result = listing.page_ids(listing.ListFilters(**{**f.__dict__, "page": page}))
        ids += result.items
        if not result.has_next:
            assert len(ids) == result.total
            return ids


def _top_level_with_buckets(as_of, against) -> dict[int, str]:
    directives = db.session.scalars(
        sa.select(Directive).options(
            selectinload(Directive.assignments).selectinload(Assignment.directive),
            selectinload(Directive.children).selectinload(Directive.assignments),
        )
    ).all()
    book = status_book(directives, as_of, against)
    return {d.id: book.directive(d).bucket.value for d in directives if d.parent_id is None}


@pytest.fixture
def built(app):
    # Every day of AS_OF_DAYS is today or later: judged from the rows as stored, the cut made.
    app.config["TRACKER_TODAY"] = AS_OF_DAYS[0].isoformat()
    _build(db.session)
    return app


def test_every_bucket_lists_what_the_pure_rules_put_in_it(built):
    cut_made = 0
    for as_of, against in itertools.product(AS_OF_DAYS, AGAINST):
        pure = _top_level_with_buckets(as_of, against)
        for bucket in Bucket:
            if bucket is Bucket.WITHDRAWN:
                continue
            f = listing.ListFilters(period=None, bucket=bucket, as_of=as_of, against=against,
                                    per_page=listing.MAX_PER_PAGE)
            got = _every_page(f)
            assert set(got) == {i for i, b in pure.items() if b == bucket.value}, (
                as_of, against, bucket)
            # ... in the order computing every directive gives
            assert got == list(db.session.connection().scalars(listing.filtered_select(f)))
            if bucket in OPEN_BUCKETS:
                assert listing._candidates(f) is not None  # the directives with open work
                cut_made += 1
    assert cut_made == len(AS_OF_DAYS) * len(AGAINST) * len(OPEN_BUCKETS)


def _units_of(d: Directive) -> set[int]:
    return {a.unit_id for x in (d, *d.children) for a in x.assignments}


def test_a_narrowed_list_computes_its_open_directives_only(built):
    """A unit's work, or a text, over every period in an open bucket: the candidates are the
    matching directives whose open key allows the bucket (open_key.py), and the list is what
    the pure rules give."""
    directives = {d.id: d for d in db.session.scalars(
        sa.select(Directive).where(Directive.parent_id.is_(None)).options(
            selectinload(Directive.assignments),
            selectinload(Directive.children).selectinload(Directive.assignments)))}
    for d in db.session.scalars(sa.select(Directive)):
        d.search_text = search_text(d.number, d.title)  # as the directive services write it
    db.session.commit()
    unit_id = db.session.scalar(sa.select(sa.func.min(Assignment.unit_id)))
    mine = {i for i, d in directives.items() if unit_id in _units_of(d)}
    shown = 0
    for as_of, against in itertools.product(AS_OF_DAYS[:3], AGAINST):
        pure = _top_level_with_buckets(as_of, against)
        for bucket in OPEN_BUCKETS:
            in_bucket = {i for i, b in pure.items() if b == bucket.value}
            f = listing.ListFilters(period=None, unit_id=unit_id, bucket=bucket, as_of=as_of,
                                    against=against, per_page=listing.MAX_PER_PAGE)
            candidates = set(listing._candidates(f))
            assert in_bucket & mine <= candidates < mine, (as_of, bucket)
            assert set(_every_page(f)) == in_bucket & mine
            text = listing.ListFilters(period=None, q="Nhiệm vụ 1", bucket=bucket, as_of=as_of,
                                       against=against, per_page=listing.MAX_PER_PAGE)
            titled = {i for i, d in directives.items() if "Nhiệm vụ 1" in d.title}
            assert set(_every_page(text)) == in_bucket & titled
            shown += len(in_bucket & titled)
    assert shown  # the text matched directives in open buckets, and left others out


def test_the_cut_also_follows_other_filters_that_keep_too_many(built, monkeypatch):
    """A field keeping more directives than a list of ids is worth (MAX_CANDIDATES): the cut
    then runs with the field's filter."""
    monkeypatch.setattr(listing, "MAX_CANDIDATES", 5)
    monkeypatch.setattr(listing, "_CANDIDATES", {})  # the kept statements hold the limit
    as_of = AS_OF_DAYS[2]
    pure = _top_level_with_buckets(as_of, "extended")
    for bucket in OPEN_BUCKETS:
        f = listing.ListFilters(period=None, field="chi_dao", bucket=bucket, as_of=as_of,
                                per_page=listing.MAX_PER_PAGE)
        expected = {i for i, b in pure.items() if b == bucket.value}
        if len(expected) <= 5:
            continue
        assert listing._candidates(f) is None  # too many, even after the cut
        assert set(_every_page(f)) == expected
    f = listing.ListFilters(period=None, field="chi_dao", bucket=Bucket.NO_DEADLINE,
                            as_of=as_of, per_page=listing.MAX_PER_PAGE)
    expected = {i for i, b in pure.items() if b == Bucket.NO_DEADLINE.value}
    monkeypatch.setattr(listing, "MAX_CANDIDATES", len(pure) - 1)  # the field keeps them all
    monkeypatch.setattr(listing, "_CANDIDATES", {})
    assert listing._candidates(f) is not None
    assert set(_every_page(f)) == expected


def test_a_past_day_computes_every_directive(app):
    """A past day's states come from the history: no cut, and the same list."""
    _build(db.session)
    as_of = AS_OF_DAYS[2]  # the real today is later: rebuilt from the history
    f = listing.ListFilters(period=None, bucket=Bucket.OVERDUE, as_of=as_of,
                            per_page=listing.MAX_PER_PAGE)
    assert listing._candidates(f) is None
    pure = _top_level_with_buckets(as_of, "extended")
    assert set(_every_page(f)) == {i for i, b in pure.items() if b == Bucket.OVERDUE.value}


def test_directives_without_assignments_are_found_again_after_a_change(built):
    """A directive without any assignment is judged by its own deadline (its open key): one
    whose only work is taken away is listed as overdue by it at once."""
    as_of = AS_OF_DAYS[2]
    f = listing.ListFilters(period=None, bucket=Bucket.OVERDUE, as_of=as_of,
                            per_page=listing.MAX_PER_PAGE)
    empty = db.session.scalars(
        sa.select(Directive).where(Directive.parent_id.is_(None), ~Directive.assignments.any(),
                                   ~Directive.children.any(), Directive.withdrawn_at.is_(None),
                                   Directive.deadline < as_of)
    ).first()
    unit_id = db.session.scalar(sa.select(Assignment.unit_id).limit(1))
    work = Assignment(directive=empty, unit_id=unit_id, role="lead", state="done",
                      deadline=empty.deadline, completed_on=empty.deadline, on_time=True,
                      on_time_original=True)
    db.session.add(work)
    db.session.commit()
    assert empty.id not in _every_page(f)  # done on time: and not without assignments
    db.session.delete(work)
    assert empty.id in _every_page(f)  # in the transaction that took it away, before commit
    db.session.commit()
    assert _top_level_with_buckets(as_of, "extended")[empty.id] == Bucket.OVERDUE.value
    assert empty.id in _every_page(f)
