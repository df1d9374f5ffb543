"""A scoreboard line's numbers as the pages print them (dashboard, unit list, unit record).

Written here once per line rather than by a Jinja macro or loop per cell: a province's
scoreboard has some 160 lines of seven cells, and the template's work per cell (a call, three
escapes, a dozen output pieces) cost more than the numbers it prints.
"""

from __future__ import annotations

from markupsafe import Markup

from tracker.directives.status import Bucket, Summary, fmt_rate

B = Bucket
_DONE_ON_TIME, _DONE_LATE, _OVERDUE = B.DONE_ON_TIME, B.DONE_LATE, B.OVERDUE
_IN_PROGRESS, _NOT_STARTED, _NO_DEADLINE = B.IN_PROGRESS, B.NOT_STARTED, B.NO_DEADLINE

# The phone card's label of each cell (data-label), in the columns' order.
CELL_LABELS = ("Được giao", "Đúng hạn", "Xong quá hạn", "Quá hạn", "Trong hạn", "Không thời hạn",
               "Tỷ lệ đúng hạn")
# One line: right-aligned cells naming themselves; each "{}" pair is (extra classes, text).
_LINE = "".join(f'<td class="text-end{{}}" data-label="{label}">{{}}</td>' for label in CELL_LABELS)
_OVERDUE_CLASSES = " text-danger fw-semibold"


def fmt_count(value: int) -> str:
    """Vietnamese thousands separator, as the ``fmt_int`` of the templates: 16.051."""
    return f"{value:,}".replace(",", ".")


# The texts of the counts a line mostly holds, written once: a province's scoreboard prints
# over a thousand numbers per page.
_SMALL = tuple(str(n) for n in range(1000))


def _count_text(value: int) -> str:
    return _SMALL[value] if 0 <= value < 1000 else fmt_count(value)


def score_cells_html(summary: Summary) -> Markup:
    """The seven ``<td>`` of a line: assigned, done on time, done late, overdue (in red when
    any), in time (in progress or not started), without deadline, on-time rate."""
    c = summary.counts
    overdue = c[_OVERDUE]
    line = _LINE.format(
        "", _count_text(summary.total),
        "", _count_text(c[_DONE_ON_TIME]),
        "", _count_text(c[_DONE_LATE]),
        _OVERDUE_CLASSES if overdue else "", _count_text(overdue),
        "", _count_text(c[_IN_PROGRESS] + c[_NOT_STARTED]),
        "", _count_text(c[_NO_DEADLINE]),
        "", fmt_rate(summary.on_time_rate),
    )
    # The labels and classes are the constants above and the texts numbers written by
    # fmt_count and fmt_rate (digits, ".", ",", "%", "—"): nothing to escape.
    return Markup(line)  # noqa: S704
