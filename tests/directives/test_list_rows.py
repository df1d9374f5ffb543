"""The list pages' plain rows and their SQL shortcuts show exactly what the ORM objects and the
pure rules give: statuses (labels included), units, sub-directives, last updates, paging across
periods and the first page's summary."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from tests.directives.pagedata import AS_OF, copy_period, demo_directives, spread_over_buckets
from tracker.directives import dashboard, list_rows, listing, queries
from tracker.directives.models import Assignment, Directive, ExtensionRequest
from tracker.directives.presenters import directive_status
from tracker.directives.status import EXTENDED, ORIGINAL
from tracker.extensions import db

PAST = dt.date(2023, 3, 20)


@pytest.fixture
def varied(demo):
    """The demo spread over every bucket, plus the shapes a row can take: no assignment at
    all, support units only, a withdrawn sub-directive, a completion awaiting confirmation, a
    pending extension request."""
    spread_over_buckets()
    top = sorted((d for d in demo_directives() if d.parent_id is None), key=lambda d: d.position)
    by_number = {d.number: d for d in top}
    for a in list(by_number["8"].assignments):
        db.session.delete(a)
    for a in by_number["9"].assignments:
        a.role = "support"
    parent = next(d for d in top if d.children)
    parent.children[0].withdrawn_at = dt.datetime(2023, 3, 10, 2)
    awaiting = by_number["10"].assignments[0]
    awaiting.state, awaiting.reported_done_at = "awaiting_confirmation", dt.datetime(2023, 4, 1, 2)
    db.session.add(ExtensionRequest(
        assignment=by_number["11"].assignments[0], proposed_deadline=dt.date(2023, 5, 30),
        reason="Chờ kinh phí", status="pending", requested_at=dt.datetime(2023, 3, 28, 2),
    ))
    db.session.commit()
    return demo


def _top_ids() -> list[int]:
    return [d.id for d in sorted(
        (d for d in demo_directives() if d.parent_id is None), key=lambda d: d.position)]


@pytest.mark.parametrize("against", [EXTENDED, ORIGINAL])
@pytest.mark.parametrize("as_of", [AS_OF, PAST])
def test_row_statuses_are_the_objects_statuses(varied, against, as_of):
    varied.config["TRACKER_TODAY"] = AS_OF.isoformat()  # AS_OF: the rows; PAST: the history
    rows = list_rows.load_rows(_top_ids())
    statuses = list_rows.row_statuses(rows, as_of, against)
    checked = 0
    for d in demo_directives():
        expected = directive_status(d, as_of, against)
        assert statuses[d.id] == expected, (d.number, d.parent_id)
        assert statuses[d.id].label == expected.label
        checked += 1
    assert checked == len(statuses)
    assert len({s.bucket for s in statuses.values()}) >= (5 if as_of == AS_OF else 4)
    if as_of == AS_OF:  # labels that carry working days and the wait for a leader
        assert any(s.days_overdue for s in statuses.values())
        assert any(s.awaiting for s in statuses.values())


def test_rows_hold_what_the_objects_hold(varied):
    rows = list_rows.load_rows(list(reversed(_top_ids())))
    objects = {d.id: d for d in demo_directives()}
    assert [r.id for r in rows] == list(reversed(_top_ids()))
    for row in rows:
        d = objects[row.id]
        assert [c.id for c in row.children] == [c.id for c in d.children]
        for item in (row, *row.children):
            o = objects[item.id]
            assert (item.number, item.title, item.field, item.deadline, item.parent_id) == (
                o.number, o.title, o.field, o.deadline, o.parent_id)
            assert item.period.key == o.period.key
            assert [(a.unit_id, a.unit_name, a.role, a.role_label) for a in item.assignments] == [
                (a.unit_id, a.unit.name, a.role, a.role_label) for a in o.assignments]
        stamps = [a.last_update_at for a in d.assignments if a.last_update_at] + [
            a.last_update_at for c in d.children for a in c.assignments if a.last_update_at]
        assert row.last_update == (max(stamps) if stamps else None)


def _filters(args: dict) -> listing.ListFilters:
    periods = queries.periods_with_directives()
    return listing.parse_filters(MultiDict(args), periods)


@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("as_of", ["05/04/2023", None])
def test_all_periods_paged_per_period_is_the_full_sort_sliced(demo, order, as_of):
    spread_over_buckets()
    copy_period(2023, 4)
    copy_period(2023, 5, times=2)  # March and April twice: 60 in May
    demo.config["TRACKER_TODAY"] = "2023-06-01"
    base = {"period": "all", "per_page": "7", "order": order}
    if as_of:
        base["as_of"] = as_of
    full = list(db.session.scalars(listing.filtered_select(_filters(base))))
    assert len(full) == 90
    for page in range(1, 15):  # the last one empty
        found = listing.page_ids(_filters({**base, "page": str(page)}))
        assert found.total == len(full)
        assert found.items == full[(page - 1) * 7 : page * 7], page


def test_all_periods_as_of_a_past_day_leaves_out_later_directives(demo):
    spread_over_buckets()
    april = copy_period(2023, 4)
    later = sa.select(Directive.id).where(Directive.period_id == april.id)
    db.session.execute(sa.update(Assignment).where(Assignment.directive_id.in_(later))
                       .values(assigned_on=dt.date(2023, 4, 20)))
    db.session.execute(sa.update(Directive).where(Directive.period_id == april.id)
                       .values(created_at=dt.datetime(2023, 4, 20, 2)))
    db.session.commit()
    demo.config["TRACKER_TODAY"] = "2023-06-01"
    args = {"period": "all", "as_of": "05/04/2023"}
    found = listing.page_ids(_filters(args))
    full = list(db.session.scalars(listing.filtered_select(_filters(args))))
    assert found.total == len(full) == 15
    assert found.items == full[:listing.PER_PAGE]
    assert listing.page_ids(_filters({"period": "all"})).total == 30


@pytest.mark.parametrize("as_of", [AS_OF, PAST])
def test_first_page_summary_counts_like_the_dashboard(varied, as_of):
    varied.config["TRACKER_TODAY"] = AS_OF.isoformat()
    period = queries.periods_with_directives()[0]
    expected = dashboard.combine(list(dashboard.field_summaries(period.id, as_of).values()))
    assert queries.period_summary(period.id, as_of).counts == expected.counts
    assert sum(expected.counts.values()) == (15 if as_of == AS_OF else 14)  # one entered later


def test_a_period_in_one_bucket_is_one_statement_per_shape(varied):
    """The summary strip's links (a period's directives in one bucket) reuse one statement;
    the narrowed lists build theirs around the candidates, with the same results."""
    varied.config["TRACKER_TODAY"] = AS_OF.isoformat()
    listing._ordered_by_shape.cache_clear()
    listing._ordered_for_candidates.cache_clear()
    for query, page in (("", "1"), ("phuong 9", "1"), ("giao duc", "1"), ("", "2")):
        f = _filters({"q": query, "bucket": "overdue", "per_page": "2", "page": page})
        expected = [d.id for d in sorted(
            (d for d in demo_directives() if d.parent_id is None), key=lambda d: d.position)
            if directive_status(d, AS_OF).bucket.value == "overdue"
            and (not query or query in " ".join(
                [d.search_text, *(c.search_text for c in d.children)]))]
        assert listing.page_ids(f).items == expected[(f.page - 1) * 2 : f.page * 2], query
    info = listing._ordered_by_shape.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    info = listing._ordered_for_candidates.cache_info()  # the two texts' candidates
    assert (info.misses, info.hits) == (1, 1)


def test_unit_filter_over_all_periods_keeps_what_the_probe_keeps(demo):
    """Over every period the unit filter starts from the unit's assignments (_given_to); it
    must keep exactly the directives the per-directive probe (_touches) keeps."""
    copy_period(2023, 4)
    d = Directive
    for unit_id in {a.unit_id for x in demo_directives() for a in x.assignments}:
        one = sa.bindparam("unit", unit_id)
        given = set(db.session.scalars(sa.select(d.id).where(listing._given_to(one, d))))
        probed = set(db.session.scalars(sa.select(d.id).where(
            listing.top_level(d),
            listing._touches(sa.bindparam("units", [unit_id], expanding=True), d))))
        assert given == probed and given, unit_id


def test_rows_of_any_page_size_share_one_statement_text(varied):
    """On PostgreSQL the ids go as one array value: pages of 3 and of 7 directives send the same
    two texts (the server prepares each once); elsewhere an expanded IN, as before. The rows are
    the same either way."""
    ids = _top_ids()
    texts: list[list[str]] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        texts[-1].append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        rows = {}
        for size in (3, 7):
            texts.append([])
            rows[size] = list_rows.load_rows(ids[:size])
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert [r.id for r in rows[3]] == ids[:3] and [r.id for r in rows[7]] == ids[:7]
    assert [(r.number, [a.unit_id for a in r.assignments], [c.id for c in r.children])
            for r in rows[7][:3]] == [
        (r.number, [a.unit_id for a in r.assignments], [c.id for c in r.children])
        for r in rows[3]]
    assert len(texts[0]) == len(texts[1]) == 2
    if db.engine.dialect.name == "postgresql":
        assert texts[0] == texts[1]
        assert all("ANY" in text for text in texts[0])
