"""A scoreboard line's numbers as the pages print them (dashboard, unit list, unit record).

Written here once per line rather than by a Jinja macro or loop per cell: a province's
scoreboard has some 160 lines of seven cells, and the template's work per cell (a call, three
escapes, a dozen output pieces) cost more than the numbers it prints.
"""

from __future__ import annotations

from markupsafe import Markup

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


_CELL = '<td class="text-end{}" data-label="{}">{}</td>'


def score_cells_html(summary: Summary) -> Markup:
    """The seven ``<td>`` of a line (right-aligned, each naming itself for the phone card)."""
    # Labels and classes are the constants above, the texts are numbers written by fmt_count
    # and fmt_rate (digits, ".", ",", "%", "—"): nothing to escape, safe to mark.
    cells = "".join([_CELL.format(css, label, text) for label, text, css in score_cells(summary)])
    return Markup(cells)  # noqa: S704
