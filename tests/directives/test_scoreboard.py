"""A scoreboard line's numbers: the counts written once for small values read as fmt_count's."""

from __future__ import annotations

import re

from tracker.directives.scoreboard import fmt_count, score_cells_html
from tracker.directives.status import Bucket, Summary


def _cells(summary: Summary) -> list[str]:
    return re.findall(r'data-label="[^"]+">([^<]*)</td>', str(score_cells_html(summary)))


def test_counts_below_and_above_a_thousand_are_written_alike():
    for value in (0, 7, 999, 1000, 16051, 1234567):
        summary = Summary()
        summary.counts[Bucket.DONE_ON_TIME] = value
        summary.counts[Bucket.NO_DEADLINE] = value
        cells = _cells(summary)
        assert cells[1] == fmt_count(value)  # done on time
        assert cells[5] == fmt_count(value)  # without deadline
        assert cells[0] == fmt_count(2 * value)  # assigned
    assert fmt_count(16051) == "16.051"


def test_a_line_prints_its_seven_cells_and_the_rate():
    summary = Summary()
    summary.counts.update({Bucket.DONE_ON_TIME: 2, Bucket.DONE_LATE: 1, Bucket.OVERDUE: 1,
                           Bucket.IN_PROGRESS: 3, Bucket.NOT_STARTED: 1, Bucket.WITHDRAWN: 4})
    assert _cells(summary) == ["8", "2", "1", "1", "4", "0", "50%"]
    assert "text-danger" in str(score_cells_html(summary))  # overdue shown in red
