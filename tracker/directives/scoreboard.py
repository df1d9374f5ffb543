"""A scoreboard line's numbers as the pages print them (dashboard, unit list, unit record).

Formatted here once per line rather than by a Jinja macro per cell: a province's scoreboard has
some 160 lines, and a macro call costs more than the numbers it prints.
"""

from __future__ import annotations

from tracker.directives.status import Bucket, Summary, fmt_rate

# One cell: (data-label for the phone card, text, extra CSS classes).
Cell = tuple[str, str, str]


def fmt_count(value: int) -> str:
    """Vietnamese thousands separator, as the ``fmt_int`` of the templates: 16.051."""
    return f"{value:,}".replace(",", ".")


def score_cells(summary: Summary) -> tuple[Cell, ...]:
    """Assigned, done on time, done late, overdue, in time (in progress or not started),
    without deadline, on-time rate."""
    c = summary.counts
    overdue = c[Bucket.OVERDUE]
    return (
        ("Được giao", fmt_count(summary.total), ""),
        ("Đúng hạn", fmt_count(c[Bucket.DONE_ON_TIME]), ""),
        ("Xong quá hạn", fmt_count(c[Bucket.DONE_LATE]), ""),
        ("Quá hạn", fmt_count(overdue), " text-danger fw-semibold" if overdue else ""),
        ("Trong hạn", fmt_count(c[Bucket.IN_PROGRESS] + c[Bucket.NOT_STARTED]), ""),
        ("Không thời hạn", fmt_count(c[Bucket.NO_DEADLINE]), ""),
        ("Tỷ lệ đúng hạn", fmt_rate(summary.on_time_rate), ""),
    )
