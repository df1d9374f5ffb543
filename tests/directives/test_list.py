"""The directive list: each filter, accent-insensitive search, sorting, paging, query count."""

from __future__ import annotations

import re

import pytest

from tests.directives.pagedata import (
    AS_OF,
    copy_period,
    count_queries,
    demo_directives,
    spread_over_buckets,
    unit_by_code,
)
from tracker.directives.presenters import directive_status
from tracker.directives.status import Bucket

BASE = "/directives?as_of=05/04/2023"


@pytest.fixture
def spread(demo):
    spread_over_buckets()
    return demo


def shown(html: str) -> list[int]:
    """Ids of the top-level directives on the page, in order."""
    return [int(i) for i in re.findall(r'data-directive="(\d+)"', html)]


def get(client, query: str = "") -> str:
    response = client.get(f"{BASE}&{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def top_level():
    return [d for d in demo_directives() if d.parent_id is None]


def test_default_lists_the_latest_period(client, spread, auth):
    auth.login("xem")
    html = get(client)
    assert shown(html) == [d.id for d in sorted(top_level(), key=lambda d: d.position)]
    assert "Tìm thấy 15 nhiệm vụ trong tháng 03/2023" in html
    assert "Tiếp tục điều chỉnh các đồ án quy hoạch" in html  # sub-directive under item 6


@pytest.mark.parametrize("query", ["phuong 9", "Phường 9", "PHUONG 9"])
def test_search_without_diacritics_finds_phuong_9(client, spread, auth, query):
    auth.login("xem")
    html = get(client, f"q={query}")
    expected = [d.id for d in top_level() if "Phường 9" in d.title + d.text
                or any("Phường 9" in c.title + c.text for c in d.children)]
    assert expected
    assert shown(html) == expected


def test_search_giao_duc_with_and_without_diacritics(client, spread, auth):
    auth.login("xem")
    with_marks = shown(get(client, "q=giáo dục"))
    without = shown(get(client, "q=giao duc"))
    assert with_marks and with_marks == without
    for d in top_level():
        text = (d.title + " " + d.text).lower()
        assert (d.id in with_marks) == ("giáo dục" in text or any(
            "giáo dục" in (c.title + " " + c.text).lower() for c in d.children))


def test_search_treats_wildcards_literally(client, spread, auth):
    auth.login("xem")
    assert shown(get(client, "q=%25")) == []
    assert shown(get(client, "q=_")) == []


def test_field_filter(client, spread, auth):
    auth.login("xem")
    html = get(client, "field=van_hoa_xa_hoi")
    expected = [d.id for d in sorted(top_level(), key=lambda d: d.position)
                if d.field == "van_hoa_xa_hoi"]
    assert expected and shown(html) == expected


def test_unit_filter_includes_sub_directives(client, spread, auth):
    auth.login("xem")
    unit = unit_by_code("GDDT")
    html = get(client, f"unit={unit.id}")
    expected = [d.id for d in sorted(top_level(), key=lambda d: d.position)
                if any(a.unit_id == unit.id for a in d.assignments)
                or any(a.unit_id == unit.id for c in d.children for a in c.assignments)]
    assert expected and shown(html) == expected


def touches(d, unit_id: int) -> bool:
    return any(a.unit_id == unit_id for x in (d, *d.children) for a in x.assignments)


@pytest.mark.parametrize("period", ["", "period=all&"])
def test_one_built_statement_serves_every_value_of_a_shape(client, spread, auth, period):
    """The narrowing filters' statement is built once per shape and run with each request's
    values: one unit, field or word after another must each get its own directives."""
    auth.login("xem")
    units = sorted({a.unit_id for d in top_level() for x in (d, *d.children)
                    for a in x.assignments})
    fields = sorted({d.field for d in top_level()})
    assert len(units) > 3 and len(fields) > 2
    for unit_id in units:
        for field in fields:
            expected = [d.id for d in sorted(top_level(), key=lambda d: d.position)
                        if touches(d, unit_id) and d.field == field]
            assert shown(get(client, f"{period}unit={unit_id}&field={field}")) == expected
    for word, other in (("phuong 9", "giao duc"), ("quy hoach", "ngan sach")):
        for q in (word, other):
            expected = [d.id for d in sorted(top_level(), key=lambda d: d.position)
                        if q in " ".join([d.search_text, *(c.search_text for c in d.children)])]
            assert expected and shown(get(client, f"{period}q={q}")) == expected, q


@pytest.mark.parametrize("bucket", list(Bucket))
def test_bucket_filter_matches_pure_status(client, spread, auth, bucket):
    auth.login("xem")
    for against in ("extended", "original"):
        html = get(client, f"bucket={bucket.value}&against={against}")
        expected = [d.id for d in sorted(top_level(), key=lambda d: d.position)
                    if directive_status(d, AS_OF, against).bucket is bucket]
        assert shown(html) == expected, (bucket, against)


def test_sort_by_deadline_bucket_and_last_update(client, spread, auth):
    auth.login("xem")
    by_id = {d.id: d for d in top_level()}
    ids = shown(get(client, "sort=deadline&order=asc"))
    deadlines = [by_id[i].deadline for i in ids]
    dated = [d for d in deadlines if d is not None]
    assert dated == sorted(dated) and deadlines[-1] is None  # no deadline last
    ids = shown(get(client, "sort=bucket"))
    from tracker.directives.status import BUCKET_ORDER

    ranks = [BUCKET_ORDER.index(directive_status(by_id[i], AS_OF).bucket) for i in ids]
    assert ranks == sorted(ranks) and ranks[0] < ranks[-1]
    ids = shown(get(client, "sort=updated&order=desc"))
    first = by_id[ids[0]]
    assert first.number == "7"  # updated 04/04/2023, the latest
    ids_number_desc = shown(get(client, "sort=number&order=desc"))
    assert [by_id[i].position for i in ids_number_desc] == sorted(
        (d.position for d in top_level()), reverse=True)


def test_pagination_keeps_filters_in_links(client, spread, auth):
    auth.login("xem")
    html = get(client, "per_page=4&q=thanh&sort=deadline")
    total = int(re.search(r"Tìm thấy (\d+) nhiệm vụ", html).group(1))
    assert total > 4
    assert len(shown(html)) == 4
    nxt = re.search(r'href="(/directives\?[^"]*page=2[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "q=thanh" in nxt and "sort=deadline" in nxt and "per_page=4" in nxt
    page2 = client.get(nxt).get_data(as_text=True)
    assert set(shown(page2)).isdisjoint(shown(html))
    seen = []
    for page in range(1, 10):
        ids = shown(get(client, f"per_page=4&q=thanh&sort=deadline&page={page}"))
        if not ids:
            break
        seen += ids
    assert len(seen) == total == len(set(seen))


def test_all_periods(client, spread, auth):
    copy_period(2023, 4)
    auth.login("xem")
    html = get(client, "period=all")
    assert "Tìm thấy 30 nhiệm vụ trong tất cả các kỳ" in html
    april = get(client, "period=2023-04")
    assert "Tìm thấy 15 nhiệm vụ trong tháng 04/2023" in april
    for sort in ("deadline", "updated"):  # counted from the filters, paged from the sorted list
        html = get(client, f"period=all&sort={sort}&per_page=7&page=5")
        assert "Tìm thấy 30 nhiệm vụ trong tất cả các kỳ" in html and len(shown(html)) == 2
    for bucket in ("overdue", "not_started", "withdrawn"):
        ids = shown(get(client, f"period=all&bucket={bucket}&per_page=100"))
        expected = {d.id for d in top_level() if directive_status(d, AS_OF).bucket.value == bucket}
        assert set(ids) == expected, bucket
        assert len(ids) == len(expected)


@pytest.mark.parametrize(
    "query",
    ["bucket=late", "field=xyz", "unit=abc", "sort=title", "order=up", "page=0", "per_page=1000",
     "as_of=2023-02-30", "period=2023-1", "q=" + "a" * 300],
)
def test_bad_filters_get_a_vietnamese_400(client, spread, auth, query):
    auth.login("xem")
    response = client.get(f"/directives?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "không hợp lệ" in html or "Tối đa" in html or "dài quá" in html


def test_query_count_is_constant(client, spread, auth, no_page_cache):
    auth.login("xem")
    queries_for = {}
    pages = ["", "period=all", "period=all&bucket=overdue&sort=bucket", "q=phuong&sort=updated"]
    for query in pages:
        get(client, query)
        with count_queries() as statements:
            get(client, query)
        queries_for[query] = len(statements)
    copy_period(2023, 4, times=2)
    copy_period(2023, 5, times=2)
    for query in pages:
        with count_queries() as first:
            get(client, query)  # facts kept per data version are read again after a change
        with count_queries() as statements:
            get(client, query)
        assert len(statements) == queries_for[query], query
        # (the periods, the calendar, the units' successions: each one query it saved before)
        assert len(first) <= queries_for[query] + 3, query
        # as of a past day the history costs five queries more, whatever its size
        assert len(statements) <= 15, query


@pytest.mark.parametrize("bucket", ["overdue", "done_on_time", "no_deadline", "in_progress"])
def test_bucket_with_other_filters_over_all_periods(client, spread, auth, bucket):
    """The bench's question: ten years, one field, one bucket, a word (buckets computed for the
    candidates only must still be the pure rule's)."""
    copy_period(2023, 4)
    auth.login("xem")
    unit = unit_by_code("TCKH")
    for query, keep in (
        ("field=kinh_te&q=ngan sach", lambda d: d.field == "kinh_te" and "ngan sach" in
         " ".join([d.search_text, *(c.search_text for c in d.children)])),
        (f"unit={unit.id}", lambda d: any(a.unit_id == unit.id for a in d.assignments) or any(
            a.unit_id == unit.id for c in d.children for a in c.assignments)),
    ):
        ids = shown(get(client, f"period=all&bucket={bucket}&per_page=100&{query}"))
        expected = {d.id for d in top_level() if keep(d)
                    and directive_status(d, AS_OF).bucket.value == bucket}
        assert set(ids) == expected and len(ids) == len(expected), (bucket, query)


def test_first_page_pages_a_big_month_and_summarises_all_of_it(client, spread, auth, app):
    from tracker.directives import views

    copy_period(2023, 4, times=5)  # 75 directives in April
    app.config["TRACKER_TODAY"] = "2023-04-05"
    auth.login("xem")
    first = client.get("/").get_data(as_text=True)
    assert "Nhiệm vụ trọng tâm tháng 04/2023" in first
    assert len(shown_index(first)) == views.INDEX_PER_PAGE
    assert "75 nhiệm vụ" in first  # the summary strip counts the whole month
    second = client.get("/?period=2023-04&page=2").get_data(as_text=True)
    assert len(shown_index(second)) == 75 - views.INDEX_PER_PAGE
    assert client.get("/?page=0").status_code == 400
    with count_queries() as statements:
        client.get("/?period=2023-04&page=2")
    assert len(statements) <= 10


def shown_index(html: str) -> list[str]:
    return re.findall(r'<tr>\s*<td class="directive-number">', html)
