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
    directive_roll_up,
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


def test_day_after_deadline_is_overdue_with_age_in_working_days():
    # 31/03/2023 is a Friday: Saturday is overdue by no working day yet, Monday by one.
    saturday = status(as_of=D(2023, 4, 1))
    assert saturday.bucket is Bucket.OVERDUE and saturday.days_overdue == 0
    assert saturday.label == "Đang thực hiện quá hạn"
    monday = status(as_of=D(2023, 4, 3))
    assert monday.days_overdue == 1
    assert monday.label == "Đang thực hiện quá hạn (1 ngày làm việc)"
    assert status(as_of=D(2023, 4, 5)).days_overdue == 3


def test_days_overdue_skip_public_holidays_and_local_exceptions():
    from tracker.calendar.workdays import HOLIDAY, WorkCalendar

    # Giỗ Tổ and 30/4-1/5 of 2023 ran from Saturday 29/04 to Wednesday 03/05.
    facts = Facts(state="in_progress", deadline=D(2023, 4, 28))
    assert compute_status(facts, D(2023, 5, 4)).days_overdue == 1
    local = WorkCalendar({D(2023, 5, 4): HOLIDAY})
    assert compute_status(facts, D(2023, 5, 5), calendar=local).days_overdue == 1
    late = Facts(state="done", deadline=D(2023, 4, 28), completed_on=D(2023, 5, 5))
    result = compute_status(late, D(2023, 5, 10))
    assert result.bucket is Bucket.DONE_LATE and result.days_overdue == 2
    assert result.label == "Hoàn thành quá hạn (2 ngày làm việc)"


def test_awaiting_confirmation_is_not_done_and_says_so():
    result = status(state="awaiting_confirmation", as_of=D(2023, 3, 30))
    assert result.bucket is Bucket.IN_PROGRESS and result.awaiting
    assert result.label == "Đang thực hiện trong hạn; đã báo cáo hoàn thành, chờ xác nhận"
    late = status(state="awaiting_confirmation", as_of=D(2023, 4, 3))
    assert late.bucket is Bucket.OVERDUE and late.awaiting


def test_pending_extension_moves_nothing():
    result = status(as_of=D(2023, 4, 5), extension_requested=D(2023, 6, 30))
    assert result.bucket is Bucket.OVERDUE and result.deadline == DEADLINE
    assert result.extension_requested == D(2023, 6, 30)


def test_not_started_within_deadline():
    assert status(state="not_started", as_of=D(2023, 3, 10)).bucket is Bucket.NOT_STARTED


def test_not_started_after_deadline_is_overdue():
    assert status(state="not_started").bucket is Bucket.OVERDUE


def test_completed_on_deadline_day_is_on_time():
    assert status(state="done", completed_on=DEADLINE).bucket is Bucket.DONE_ON_TIME


def test_completed_a_working_day_after_is_late():
    result = status(state="done", completed_on=D(2023, 4, 3))
    assert result.bucket is Bucket.DONE_LATE and result.days_overdue == 1
    assert status(state="done", completed_on=D(2023, 4, 1)).bucket is Bucket.DONE_LATE


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


def test_parent_counts_its_own_lead_work_and_every_sub_task():
    """Task 6 of the demo: the lead's own work is overdue while its sub-tasks are in time."""
    as_of = D(2023, 4, 5)
    own = [Status(Bucket.OVERDUE, DEADLINE, 3, extension_requested=D(2023, 6, 30))]
    children = [Status(Bucket.IN_PROGRESS, D(2023, 4, 30), awaiting=True),
                Status(Bucket.NO_DEADLINE)]
    result = directive_roll_up(own, children, DEADLINE, as_of)
    assert result.bucket is Bucket.OVERDUE and result.days_overdue == 3
    assert result.extension_requested == D(2023, 6, 30)
    done_children = [Status(Bucket.DONE_ON_TIME, DEADLINE)] * 2
    assert directive_roll_up(own, done_children, DEADLINE, as_of).bucket is Bucket.OVERDUE
    finished = [Status(Bucket.DONE_ON_TIME, DEADLINE)]
    assert directive_roll_up(finished, done_children, DEADLINE, as_of).is_done
    assert directive_roll_up(finished, [Status(Bucket.IN_PROGRESS, D(2023, 4, 30))],
                             DEADLINE, as_of).bucket is Bucket.IN_PROGRESS
    # neither assignments nor sub-directives: the directive's own deadline decides
    assert directive_roll_up([], [], DEADLINE, D(2023, 4, 3)).days_overdue == 1
    assert directive_roll_up([], [], None, as_of).bucket is Bucket.NO_DEADLINE


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
