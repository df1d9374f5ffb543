"""Working days (DESIGN.md §4): weekends and public holidays off, the yearly swaps applied.

The `holidays` package knows the lunar holidays and, up to 2024, the days off in lieu; its
"Ngày nghỉ (thay cho ngày dd/mm/yyyy)" entries tell us which Saturday became a working day.
The admin-editable CalendarException table wins over both.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import lru_cache

# The country's class itself, imported with this module: the first country_holidays("VN")
# call imported every country the package knows (a third of a second), inside whichever
# request, report or reminder run asked first.
from holidays.countries.vietnam import Vietnam

HOLIDAY = "holiday"
WORKING_DAY = "working_day"
_SUBSTITUTED = re.compile(r"thay cho ngày (\d{2})/(\d{2})/(\d{4})")


@lru_cache(maxsize=64)
def _package_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date], dict[dt.date, str]]:
    """(holidays, make-up working days, names) for a year from the holidays package."""
    days = Vietnam(years=year, language="vi")
    names = {day: str(name) for day, name in days.items()}
    swaps: set[dt.date] = set()
    for name in names.values():
        for match in _SUBSTITUTED.finditer(str(name)):
            day, month, yr = (int(g) for g in match.groups())
            swaps.add(dt.date(yr, month, day))
    return frozenset(names), frozenset(swaps), names


def package_entries(year: int) -> list[tuple[dt.date, str, str]]:
    """(day, kind, note) from the package, to seed the editable table."""
    off, swaps, names = _package_year(year)
    rows = [(d, HOLIDAY, names[d]) for d in sorted(off)]
    rows += [(d, WORKING_DAY, "Làm bù (hoán đổi ngày làm việc)") for d in sorted(swaps)]
    return sorted(rows)


class WorkCalendar:
    """Answers "is this a working day" and does N-working-day arithmetic."""

    def __init__(self, exceptions: Mapping[dt.date, str] | None = None) -> None:
        self.exceptions = dict(exceptions or {})
        # year -> working days among its first i days; reminders ask about years-old deadlines
        # for thousands of assignments, so counting day by day each time does not scale
        self._prefix: dict[int, list[int]] = {}

    def _year_prefix(self, year: int) -> list[int]:
        prefix = self._prefix.get(year)
        if prefix is None:
            prefix = [0]
            day = dt.date(year, 1, 1)
            while day.year == year:
                prefix.append(prefix[-1] + self.is_working_day(day))
                day += dt.timedelta(days=1)
            self._prefix[year] = prefix
        return prefix

    def is_working_day(self, day: dt.date) -> bool:
        kind = self.exceptions.get(day)
        if kind == HOLIDAY:
            return False
        if kind == WORKING_DAY:
            return True
        off, swaps, _ = _package_year(day.year)
        if day in swaps:
            return True
        if day in off:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The day N working days after start ("trong N ngày làm việc" from start)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day = start
        counted = 0
        while counted < n:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        count = sum(self._year_prefix(year)[-1] for year in range(start.year, end.year))
        start_doy = start.timetuple().tm_yday
        end_doy = end.timetuple().tm_yday
        return count + self._year_prefix(end.year)[end_doy] - self._year_prefix(start.year)[
            start_doy
        ]

    def next_working_day(self, day: dt.date) -> dt.date:
        """day itself if it is a working day, else the next one."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def previous_working_day(self, day: dt.date) -> dt.date:
        while not self.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day
