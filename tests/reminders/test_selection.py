"""The pure selection rules: plain data in, reminders out (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.calendar.workdays import HOLIDAY, WORKING_DAY, WorkCalendar
from tracker.directives.status import Facts
from tracker.reminders.policy import Policy, PolicyError, validate
from tracker.reminders.selection import (
    AssignmentInfo,
    cutoff_due,
    cutoff_occurrence,
    digest_occurrence,
    previous_cutoff,
    select_due,
)

D = dt.date
CAL = WorkCalendar()
POLICY = Policy()


def item(deadline, *, id=1, lead=True, state="in_progress", **facts) -> AssignmentInfo:
    return AssignmentInfo(id, 10, lead, Facts(state=state, deadline=deadline, **facts))


def kinds(day, items, recorded=(), policy=POLICY, calendar=CAL, daily_units=()):
    return [(d.kind, d.occurrence) for d in
            select_due(day, items, policy, calendar, set(recorded), daily_units)]


def run_in_order(first, last, items, policy=POLICY, calendar=CAL):
    """Every day in order, recording what was selected: {day: [(kind, occurrence)]}."""
    recorded: set = set()
    sent = {}
    day = first
    while day <= last:
        due = select_due(day, items, policy, calendar, recorded)
        recorded |= {d.key for d in due}
        if due:
            sent[day] = [(d.kind, d.occurrence) for d in due]
        day += dt.timedelta(days=1)
    return sent


def test_default_schedule_for_a_friday_deadline():
    sent = run_in_order(D(2023, 3, 20), D(2023, 4, 21), [item(D(2023, 3, 31))])
    assert sent == {
        D(2023, 3, 28): [("upcoming", "2023-03-31")],  # 3 working days before
        D(2023, 3, 31): [("due_today", "2023-03-31")],
        D(2023, 4, 3): [("overdue", "2023-03-31:0")],  # first working day after
        D(2023, 4, 6): [("overdue", "2023-03-31:1")],  # then every 3 working days
        D(2023, 4, 7): [("escalate", "2023-03-31:0")],  # 5 working days overdue
        D(2023, 4, 11): [("overdue", "2023-03-31:2")],
        D(2023, 4, 14): [("overdue", "2023-03-31:3"), ("escalate", "2023-03-31:1")],
        D(2023, 4, 19): [("overdue", "2023-03-31:4")],
        D(2023, 4, 21): [("escalate", "2023-03-31:2")],
    }


def test_support_units_are_reminded_but_not_escalated():
    sent = run_in_order(D(2023, 4, 1), D(2023, 4, 14), [item(D(2023, 3, 31), lead=False)])
    assert all(kind != "escalate" for day in sent.values() for kind, _ in day)
    assert D(2023, 4, 3) in sent


def test_nothing_on_non_working_days_and_holidays_counted_out():
    # Deadline Friday 28/04/2023; then Giỗ Tổ 29/4, 30/4, 1/5, and the days in lieu 2/5, 3/5.
    sent = run_in_order(D(2023, 4, 20), D(2023, 5, 12), [item(D(2023, 4, 28))])
    for day in sent:
        assert CAL.is_working_day(day)
    assert sent[D(2023, 5, 4)] == [("overdue", "2023-04-28:0")]  # first working day after
    assert sent[D(2023, 5, 9)] == [("overdue", "2023-04-28:1")]
    assert sent[D(2023, 5, 10)] == [("escalate", "2023-04-28:0")]


def test_a_deadline_on_a_holiday_is_reminded_on_the_next_working_day():
    # 30/04/2023 is a holiday: on 04/05 the unit hears it is overdue (nothing on 30/4..3/5).
    assert kinds(D(2023, 4, 30), [item(D(2023, 4, 30))]) == []
    assert kinds(D(2023, 5, 4), [item(D(2023, 4, 30))]) == [("overdue", "2023-04-30:0")]


def test_repeated_run_selects_nothing_and_missed_days_catch_up_latest_only():
    items = [item(D(2023, 3, 31))]
    first = kinds(D(2023, 4, 3), items)
    assert first == [("overdue", "2023-03-31:0")]
    assert kinds(D(2023, 4, 3), items, recorded={(1, "overdue", "2023-03-31:0")}) == []
    # Down from 28/03 to 12/04: one overdue (the current one) and one escalation, not five.
    assert kinds(D(2023, 4, 13), items) == [("overdue", "2023-03-31:2"),
                                            ("escalate", "2023-03-31:0")]


def test_completed_withdrawn_and_no_deadline_get_nothing():
    day = D(2023, 4, 3)
    done = item(D(2023, 3, 31), state="done", completed_on=D(2023, 3, 30), on_time=True)
    withdrawn = item(D(2023, 3, 31), id=2, withdrawn=True)
    no_deadline = item(None, id=3)
    assert kinds(day, [done, withdrawn, no_deadline]) == []
    # Completed later than the day we run "as of": still reminded that day.
    late_done = item(D(2023, 3, 31), state="done", completed_on=D(2023, 4, 10), on_time=False)
    assert kinds(day, [late_done]) == [("overdue", "2023-03-31:0")]


def test_an_approved_extension_restarts_the_schedule_on_the_new_deadline():
    extended = item(D(2023, 3, 31), extended_deadline=D(2023, 4, 21),
                    extension_approved_on=D(2023, 3, 30))
    sent = run_in_order(D(2023, 3, 27), D(2023, 4, 24), [extended])
    assert sent[D(2023, 3, 28)] == [("upcoming", "2023-03-31")]  # before the approval
    assert D(2023, 4, 3) not in sent  # not overdue any more
    assert sent[D(2023, 4, 18)] == [("upcoming", "2023-04-21")]
    assert sent[D(2023, 4, 21)] == [("due_today", "2023-04-21")]
    assert sent[D(2023, 4, 24)] == [("overdue", "2023-04-21:0")]


def test_policy_steps_can_be_turned_off():
    policy = Policy(upcoming_days=0, on_due_day=False, escalate_after_days=0)
    sent = run_in_order(D(2023, 3, 20), D(2023, 4, 14), [item(D(2023, 3, 31))], policy=policy)
    assert [k for day in sent.values() for k, _ in day] == ["overdue"] * 4


def test_escalate_once_when_every_is_zero():
    policy = Policy(escalate_every_days=0)
    sent = run_in_order(D(2023, 4, 1), D(2023, 5, 31), [item(D(2023, 3, 31))], policy=policy)
    assert [d for d, ks in sent.items() if ("escalate", "2023-03-31:0") in ks] == [D(2023, 4, 7)]
    assert sum(k == "escalate" for ks in sent.values() for k, _ in ks) == 1


def test_daily_digest_units_get_a_daily_item_in_the_window():
    items = [item(D(2023, 4, 7)), item(D(2023, 5, 31), id=2)]
    got = kinds(D(2023, 4, 4), items, daily_units={10})
    assert ("daily", "2023-04-04") in got and ("upcoming", "2023-04-07") in got
    assert all(occ != "2023-04-04" or kind == "daily" for kind, occ in got)
    assert len([k for k, _ in got if k == "daily"]) == 1  # not the one due in May
    assert ("daily", "2023-04-04") not in kinds(D(2023, 4, 4), items)


def test_weekly_digest_day_and_catch_up():
    assert digest_occurrence(D(2023, 4, 3), POLICY, CAL) == "2023-W14"
    assert digest_occurrence(D(2023, 4, 4), POLICY, CAL) == "2023-W14"  # caught up if missed
    assert digest_occurrence(D(2023, 4, 8), POLICY, CAL) is None  # Saturday
    # Monday 1/5 and the days in lieu: the digest of that week goes out on Thursday 4/5.
    for day in (D(2023, 5, 1), D(2023, 5, 2), D(2023, 5, 3)):
        assert digest_occurrence(day, POLICY, CAL) is None
    assert digest_occurrence(D(2023, 5, 4), POLICY, CAL) == "2023-W18"
    friday = Policy(digest_weekday=4)
    assert digest_occurrence(D(2023, 4, 4), friday, CAL) == "2023-W13"  # last Friday's, late
    assert digest_occurrence(D(2023, 4, 7), friday, CAL) == "2023-W14"


def test_cutoff_notice_window_and_weekend_cutoff():
    assert cutoff_occurrence(D(2023, 4, 10), POLICY, CAL) is None
    assert cutoff_occurrence(D(2023, 4, 11), POLICY, CAL) == ("2023-04", D(2023, 4, 14))
    assert cutoff_occurrence(D(2023, 4, 14), POLICY, CAL) == ("2023-04", D(2023, 4, 14))
    assert cutoff_occurrence(D(2023, 4, 17), POLICY, CAL) is None
    # 14/05/2023 is a Sunday: the cut-off is Friday 12/05, the notice from Tuesday 09/05.
    assert cutoff_occurrence(D(2023, 5, 8), POLICY, CAL) is None
    assert cutoff_occurrence(D(2023, 5, 9), POLICY, CAL) == ("2023-05", D(2023, 5, 12))
    assert previous_cutoff(D(2023, 4, 3), POLICY, CAL) == D(2023, 3, 14)
    assert previous_cutoff(D(2023, 4, 17), POLICY, CAL) == D(2023, 4, 14)
    open_item, done = item(D(2023, 3, 31)), item(
        D(2023, 3, 31), id=2, state="done", completed_on=D(2023, 4, 5), on_time=False
    )
    due = cutoff_due(D(2023, 4, 11), "2023-04", [open_item, done])
    assert [(d.assignment_id, d.kind, d.occurrence) for d in due] == [(1, "cutoff", "2023-04")]


def test_calendar_exceptions_are_respected():
    # An admin made Saturday 08/04/2023 a working day and Monday 03/04 a holiday.
    calendar = WorkCalendar({D(2023, 4, 8): WORKING_DAY, D(2023, 4, 3): HOLIDAY})
    assert kinds(D(2023, 4, 3), [item(D(2023, 3, 31))], calendar=calendar) == []
    assert kinds(D(2023, 4, 4), [item(D(2023, 3, 31))], calendar=calendar) == [
        ("overdue", "2023-03-31:0")
    ]
    assert kinds(D(2023, 4, 8), [item(D(2023, 4, 12))], calendar=calendar) == [
        ("upcoming", "2023-04-12")
    ]


def test_policy_validation_messages_are_vietnamese():
    with pytest.raises(PolicyError) as caught:
        validate({"upcoming_days": "ba", "cutoff_day": "31", "run_time": "7h30"})
    errors = caught.value.errors
    assert set(errors) == {"upcoming_days", "cutoff_day", "run_time"}
    assert "số nguyên" in errors["upcoming_days"]
    assert "từ 1 đến 28" in errors["cutoff_day"]
    assert "HH:MM" in errors["run_time"]
    policy = validate({"upcoming_days": "5", "run_time": "06:45", "on_due_day": False})
    assert (policy.upcoming_days, policy.run_time, policy.on_due_day) == (5, "06:45", False)
