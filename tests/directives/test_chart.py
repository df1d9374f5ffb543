"""The dashboard's chart, written as SVG in Python (chart.py): well-formed, escaped, to scale."""

import xml.etree.ElementTree as ET

from tracker.directives.chart import BUCKET_FILLS, LABEL_CHARS, stacked_chart
from tracker.directives.status import BUCKET_LABELS, Bucket, Summary

SVG = "{http://www.w3.org/2000/svg}"


def _summary(**counts: int) -> Summary:
    summary = Summary()
    for name, n in counts.items():
        summary.counts[Bucket[name.upper()]] = n
    return summary


def _figure(rows, title="Biểu đồ <thử> & kiểm tra"):
    chart = stacked_chart(rows)
    # our own output, parsed to prove it well-formed
    return chart, ET.fromstring(str(chart.svg(title)))  # noqa: S314


def test_bars_segments_and_legend_follow_the_counts():
    rows = [
        ("Lĩnh vực Kinh tế", _summary(done_on_time=30, overdue=2, in_progress=4)),
        ("Công tác nội chính", _summary(done_late=1, no_deadline=11)),
        ("Khối trống", _summary()),
    ]
    chart, figure = _figure(rows)
    svg = figure.find(f"{SVG}svg")
    bars = svg.findall(f"{SVG}g")
    assert len(bars) == 3
    rects = [bar.findall(f"{SVG}rect") for bar in bars]
    assert [len(r) for r in rects] == [3, 2, 0]  # one per bucket that has work, none for zero
    # in BUCKET_ORDER: overdue first, in red
    assert [r.get("fill") for r in rects[0]] == [
        BUCKET_FILLS[Bucket.OVERDUE], BUCKET_FILLS[Bucket.IN_PROGRESS],
        BUCKET_FILLS[Bucket.DONE_ON_TIME],
    ]
    assert rects[0][0].find(f"{SVG}title").text == f"{BUCKET_LABELS[Bucket.OVERDUE]}: 2"
    # shared scale: the biggest bar (36) fills the plot's 510 px, the other (12) a third of it
    widths = [sum(float(r.get("width")) for r in bar) for bar in rects]
    assert abs(widths[0] - 510) < 0.5 and abs(widths[1] - 170) < 0.5
    assert float(rects[1][0].get("width")) < 18 < float(rects[1][1].get("width"))
    numbers = [t.text for t in bars[1].findall(f"{SVG}text")[1:]]
    assert numbers == ["11", "12"]  # the 1 is too narrow to carry its number; then the total
    assert bars[2].findall(f"{SVG}text")[-1].text == "0"
    legend = "".join(figure.find("figcaption").itertext())
    assert f"{BUCKET_LABELS[Bucket.DONE_ON_TIME]} (30)" in legend
    assert f"{BUCKET_LABELS[Bucket.NO_DEADLINE]} (11)" in legend
    assert BUCKET_LABELS[Bucket.WITHDRAWN] not in legend  # no withdrawn task anywhere
    assert chart.height == 8 + 3 * 32 + 4


def test_labels_are_escaped_and_long_ones_cut_with_the_whole_as_tooltip():
    long = "Công tác xây dựng cơ bản, giải phóng mặt bằng và quản lý đô thị"
    rows = [("A <b>đậm</b> & \"trích\"", _summary(overdue=1)), (long, _summary(overdue=3))]
    chart, figure = _figure(rows)
    text = str(chart.svg("Biểu đồ <thử> & kiểm tra"))
    assert "<b>" not in text and "&lt;b&gt;" in text
    svg = figure.find(f"{SVG}svg")
    assert svg.get("aria-label") == "Biểu đồ <thử> & kiểm tra"
    first, second = (bar.find(f"{SVG}text") for bar in svg.findall(f"{SVG}g"))
    assert first.text == 'A <b>đậm</b> & "trích"'
    assert second.text == long[: LABEL_CHARS - 1] + "…" and len(second.text) == LABEL_CHARS
    assert second.find(f"{SVG}title").text == long


def test_no_rows_still_draws_an_empty_chart():
    chart, figure = _figure([])
    assert chart.height == 40 and figure.find(f"{SVG}svg").findall(f"{SVG}g") == []
