"""Buckets at the boundaries (DESIGN.md §3)."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.directives.status import (
    ORIGINAL,
    Bucket,
    Facts,
    Status,
    compute_status,
    fmt_rate,
    roll_up,
    summarize,
)

D = dt.date
DEADLINE = D(2023, 3, 31)


AS_OF = D(2023, 4, 5)


def status(as_of=AS_OF, against="extended", **kw) -> Status:
    base = {"state": "in_progress", "deadline": DEADLINE}
    base.update(kw)
    return compute_status(Facts(**base), as_of, against)


def test_due_today_is_in_progress_not_overdue():
    assert status(as_of=DEADLINE).bucket is Bucket.IN_PROGRESS


def test_day_after_deadline_is_overdue_with_age():
    result = status(as_of=D(2023, 4, 1))
    assert result.bucket is Bucket.OVERDUE and result.days_overdue == 1
    assert result.label == "Đang thực hiện quá hạn (1 ngày)"


def test_not_started_within_deadline():
    assert status(state="not_started", as_of=D(2023, 3, 10)).bucket is Bucket.NOT_STARTED


def test_not_started_after_deadline_is_overdue():
    assert status(state="not_started").bucket is Bucket.OVERDUE


def test_completed_on_deadline_day_is_on_time():
    assert status(state="done", completed_on=DEADLINE).bucket is Bucket.DONE_ON_TIME


def test_completed_a_day_after_is_late():
    result = status(state="done", completed_on=D(2023, 4, 1))
    assert result.bucket is Bucket.DONE_LATE and result.days_overdue == 1


def test_completion_after_as_of_is_not_yet_done():
    assert status(state="done", completed_on=D(2023, 4, 10)).bucket is Bucket.OVERDUE


def test_frozen_timeliness_wins_over_recomputation():
    # Confirmed on time; a later edit of the deadline must not turn it late.
    result = status(state="done", completed_on=D(2023, 4, 3), on_time=True, on_time_original=True)
    assert result.bucket is Bucket.DONE_ON_TIME


def test_extension_approved_before_original_deadline():
    facts = dict(
        state="done", completed_on=D(2023, 4, 10), extended_deadline=D(2023, 4, 15),
        extension_approved_on=D(2023, 3, 25),
    )
    assert status(as_of=D(2023, 4, 20), **facts).bucket is Bucket.DONE_ON_TIME
    assert status(as_of=D(2023, 4, 20), against=ORIGINAL, **facts).bucket is Bucket.DONE_LATE


def test_extension_approved_after_original_deadline():
    facts = dict(extended_deadline=D(2023, 4, 15), extension_approved_on=D(2023, 4, 3))
    # Before the approval the task was overdue; after it, in progress again.
    assert status(as_of=D(2023, 4, 2), **facts).bucket is Bucket.OVERDUE
    assert status(as_of=D(2023, 4, 5), **facts).bucket is Bucket.IN_PROGRESS
    assert status(as_of=D(2023, 4, 5), against=ORIGINAL, **facts).bucket is Bucket.OVERDUE


def test_no_deadline():
    assert status(deadline=None).bucket is Bucket.NO_DEADLINE


def test_withdrawn():
    assert status(withdrawn=True).bucket is Bucket.WITHDRAWN


@pytest.mark.parametrize(
    ("buckets", "expected"),
    [
        ([Bucket.DONE_ON_TIME, Bucket.DONE_ON_TIME], Bucket.DONE_ON_TIME),
        ([Bucket.DONE_ON_TIME, Bucket.DONE_LATE], Bucket.DONE_LATE),
        ([Bucket.DONE_ON_TIME, Bucket.OVERDUE], Bucket.OVERDUE),
        ([Bucket.DONE_ON_TIME, Bucket.NOT_STARTED], Bucket.IN_PROGRESS),
        ([Bucket.NOT_STARTED, Bucket.NOT_STARTED], Bucket.NOT_STARTED),
        ([Bucket.NO_DEADLINE, Bucket.DONE_ON_TIME], Bucket.NO_DEADLINE),
        ([Bucket.WITHDRAWN, Bucket.DONE_LATE], Bucket.DONE_LATE),
        ([Bucket.WITHDRAWN], Bucket.WITHDRAWN),
    ],
)
def test_roll_up(buckets, expected):
    assert roll_up(Status(b, DEADLINE) for b in buckets).bucket is expected


def test_roll_up_of_nothing_is_none():
    assert roll_up([]) is None


def test_summary_rates():
    statuses = [Status(Bucket.DONE_ON_TIME)] * 6 + [Status(Bucket.DONE_LATE)] * 2
    statuses += [Status(Bucket.OVERDUE)] * 4 + [Status(Bucket.IN_PROGRESS)] * 3
    statuses += [Status(Bucket.NO_DEADLINE), Status(Bucket.WITHDRAWN)]
    summary = summarize(statuses)
    assert summary.total == 16
    assert summary.due == 12 and summary.done == 8 and summary.open == 7
    assert fmt_rate(summary.done_rate) == "66,67%"
    assert fmt_rate(summary.on_time_rate) == "50%"
    assert fmt_rate(None) == "—"
