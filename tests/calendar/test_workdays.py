"""Working-day arithmetic across Tết, Giỗ Tổ/30-4/1-5 and a make-up Saturday."""

from __future__ import annotations

import datetime as dt

from tracker.calendar.workdays import HOLIDAY, WORKING_DAY, WorkCalendar, package_entries

D = dt.date


def test_weekends_are_off():
    cal = WorkCalendar()
    assert cal.is_working_day(D(2023, 3, 31))  # Friday
    assert not cal.is_working_day(D(2023, 4, 1))  # Saturday
    assert cal.add_working_days(D(2023, 3, 31), 1) == D(2023, 4, 3)


def test_tet_2023():
    cal = WorkCalendar()
    # Tết Quý Mão: 20/01 to 26/01/2023 off; 19/01 (Thu) is the last working day.
    assert all(not cal.is_working_day(D(2023, 1, d)) for d in range(20, 27))
    assert cal.add_working_days(D(2023, 1, 19), 1) == D(2023, 1, 27)
    assert cal.working_days_between(D(2023, 1, 19), D(2023, 1, 27)) == 1


def test_gio_to_and_labour_day_2023():
    cal = WorkCalendar()
    # 29/4 (Sat, Giỗ Tổ), 30/4 (Sun), 1/5, then 2/5 and 3/5 in lieu: back on Thursday 4/5.
    assert cal.add_working_days(D(2023, 4, 28), 1) == D(2023, 5, 4)
    assert cal.next_working_day(D(2023, 4, 29)) == D(2023, 5, 4)


def test_make_up_saturday_from_the_package_2024():
    cal = WorkCalendar()
    # 29/4/2024 (Mon) off in exchange for Saturday 4/5/2024, which is a working day.
    assert not cal.is_working_day(D(2024, 4, 29))
    assert cal.is_working_day(D(2024, 5, 4))
    assert (D(2024, 5, 4), WORKING_DAY, "Làm bù (hoán đổi ngày làm việc)") in package_entries(2024)


def test_admin_exceptions_win():
    extra = {D(2025, 2, 8): WORKING_DAY, D(2025, 1, 27): HOLIDAY}
    cal = WorkCalendar(extra)
    assert cal.is_working_day(D(2025, 2, 8))  # a Saturday made a working day
    assert not cal.is_working_day(D(2025, 1, 27))
    # Friday 24/01/2025 + 1 working day skips the weekend, 27/01 and Tết (28/01 onwards).
    nxt = cal.add_working_days(D(2025, 1, 24), 1)
    assert nxt > D(2025, 1, 27) and cal.is_working_day(nxt)


def test_ten_working_days_across_a_make_up_saturday():
    cal = WorkCalendar({D(2023, 3, 11): WORKING_DAY})
    # From Wed 1/3/2023: 10 working days land on Wed 15/3, or on Tue 14/3 when Saturday 11/3
    # is made a working day.
    assert WorkCalendar().add_working_days(D(2023, 3, 1), 10) == D(2023, 3, 15)
    assert cal.add_working_days(D(2023, 3, 1), 10) == D(2023, 3, 14)


def test_between_is_antisymmetric():
    cal = WorkCalendar()
    assert cal.working_days_between(D(2023, 4, 5), D(2023, 3, 31)) == -3
