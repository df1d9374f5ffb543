"""The dashboard: counts per bucket, rates, scoreboards and chart equal the pure status rules."""

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
from tracker.directives.presenters import assignment_status, directive_status
from tracker.directives.status import BUCKET_ORDER, Bucket, fmt_rate, summarize

URL = "/dashboard?period=2023-03&as_of=05/04/2023"


@pytest.fixture
def spread(demo):
    spread_over_buckets()
    return demo


def _cell(html: str, attr: str, key: str) -> list[str]:
    row = re.search(rf'<tr {attr}="{key}">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]


@pytest.mark.parametrize("against", ["extended", "original"])
def test_bucket_counts_equal_the_pure_functions(client, spread, auth, against):
    auth.login("chutich")
    html = client.get(f"{URL}&against={against}").get_data(as_text=True)
    top = [d for d in demo_directives() if d.parent_id is None]
    expected = summarize(directive_status(d, AS_OF, against) for d in top)
    for bucket in BUCKET_ORDER:
        cells = _cell(html, "data-bucket", bucket.value)
        assert cells[1] == str(expected.counts[bucket]), bucket
    assert f'id="total">{expected.total}<' in html
    assert f'id="done-rate">{fmt_rate(expected.done_rate)}<' in html
    assert f'id="on-time-rate">{fmt_rate(expected.on_time_rate)}<' in html
    # Every bucket that the data spreads over is shown, not only overdue.
    assert expected.counts[Bucket.DONE_ON_TIME] and expected.counts[Bucket.DONE_LATE]
    assert expected.counts[Bucket.NO_DEADLINE] and expected.counts[Bucket.WITHDRAWN]


def test_counts_on_the_demo_data_as_seeded(client, demo, auth):
    auth.login("chutich")
    html = client.get(URL).get_data(as_text=True)
    top = [d for d in demo_directives() if d.parent_id is None]
    expected = summarize(directive_status(d, AS_OF) for d in top)
    assert expected.total == 15
    for bucket in BUCKET_ORDER:
        assert _cell(html, "data-bucket", bucket.value)[1] == str(expected.counts[bucket]), bucket
    assert f'id="done-rate">{fmt_rate(expected.done_rate)}<' in html


def test_headline_uses_decimal_comma(client, spread, auth):
    auth.login("chutich")
    html = client.get(URL).get_data(as_text=True)
    rate = re.search(r'id="done-rate">([^<]+)<', html).group(1)
    assert "," in rate or rate.endswith("%") and "." not in rate
    assert "nhiệm vụ đến hạn" in html
    assert "Tính đến ngày 05/04/2023" in html


def test_unit_scoreboard_rows_equal_the_pure_functions(client, spread, auth):
    auth.login("xem")
    html = client.get(URL).get_data(as_text=True)
    assignments = [a for d in demo_directives() for a in d.assignments]
    units = {a.unit_id for a in assignments}
    assert len(units) > 5
    for unit_id in units:
        s = summarize(assignment_status(a, AS_OF) for a in assignments if a.unit_id == unit_id)
        cells = _cell(html, "data-unit", str(unit_id))
        assert cells[1:8] == [
            str(s.total), str(s.counts[Bucket.DONE_ON_TIME]), str(s.counts[Bucket.DONE_LATE]),
            str(s.overdue), str(s.counts[Bucket.IN_PROGRESS] + s.counts[Bucket.NOT_STARTED]),
            str(s.counts[Bucket.NO_DEADLINE]), fmt_rate(s.on_time_rate),
        ], unit_id


def test_field_scoreboard_follows_report_order(client, spread, auth):
    from tracker.directives.fields import FIELDS

    auth.login("xem")
    html = client.get(URL).get_data(as_text=True)
    shown = re.findall(r'<tr data-field="([^"]+)">', html)
    order = [code for code, _ in FIELDS]
    assert shown == sorted(shown, key=order.index)
    top = [d for d in demo_directives() if d.parent_id is None]
    for code in shown:
        s = summarize(directive_status(d, AS_OF) for d in top if d.field == code)
        assert _cell(html, "data-field", code)[1] == str(s.total)


def test_unit_scoreboard_sorts_by_column(client, spread, auth):
    auth.login("xem")
    html = client.get(URL + "&sort=overdue&order=desc").get_data(as_text=True)
    overdue = [int(_cell(html, "data-unit", u)[4]) for u in re.findall(r'data-unit="(\d+)"', html)]
    assert overdue == sorted(overdue, reverse=True) and overdue[0] > overdue[-1]
    html = client.get(URL + "&sort=assigned&order=asc").get_data(as_text=True)
    assigned = [int(_cell(html, "data-unit", u)[1]) for u in re.findall(r'data-unit="(\d+)"', html)]
    assert assigned == sorted(assigned)


def test_chart_is_inline_svg_without_style(client, spread, auth):
    auth.login("xem")
    html = client.get(URL).get_data(as_text=True)
    svg = re.search(r"<svg class=\"chart\".*?</svg>", html, re.S).group(0)
    assert svg.count("<rect") >= 6
    assert 'fill="#dc3545"' in svg  # overdue in red
    assert "style=" not in html and "<script>" not in html


def test_period_picker_and_defaults(client, spread, auth, app):
    app.config["TRACKER_TODAY"] = "2023-04-05"
    copy_period(2023, 4)
    auth.login("xem")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "nhiệm vụ tháng 04/2023" in html  # the current month is the default
    assert 'value="05/04/2023"' in html  # as of today
    assert '<option value="2023-03">' in html
    html = client.get("/dashboard?period=2023-03").get_data(as_text=True)
    assert "nhiệm vụ tháng 03/2023" in html


@pytest.mark.parametrize(
    "query", ["period=2023-13", "period=abc", "as_of=31/02/2023", "against=both", "period=1999-01"]
)
def test_bad_parameters_get_a_vietnamese_400(client, spread, auth, query):
    auth.login("xem")
    response = client.get(f"/dashboard?{query}")
    assert response.status_code == 400
    assert "không hợp lệ" in response.get_data(as_text=True) or "Không có nhiệm vụ" in \
        response.get_data(as_text=True)


def test_query_count_does_not_grow_with_data(client, spread, auth, no_page_cache):
    auth.login("xem")
    client.get(URL)
    with count_queries() as small:
        assert client.get(URL).status_code == 200
    copy_period(2023, 4, times=3)
    copy_period(2023, 5, times=3)
    unit = unit_by_code("GDDT")
    assert unit is not None
    client.get(URL)  # facts kept per data version (the units' successions) are read again
    with count_queries() as big:
        assert client.get(URL).status_code == 200
        assert client.get("/dashboard?period=2023-05&as_of=05/04/2023").status_code == 200
    assert len(big) == 2 * len(small)
    assert len(small) <= 10
