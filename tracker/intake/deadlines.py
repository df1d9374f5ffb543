"""Deadlines written in a task's text.

Read forms: "trước ngày 20/6/2023", "đến ngày 31/10/2023", "chậm nhất ngày ...", "trong tháng
10/2023" (the last working day of that month), "trong quý IV/2023" (of that quarter), "trong
6 tháng đầu năm 2024", "trong 15 ngày làm việc kể từ ngày nhận chỉ đạo" (15 working days from
the assignment date; no date when none is known), "trong 30 ngày" (calendar days), "Thời hạn:
..." and "(thường xuyên)" (no deadline). "Trước ngày D" is read as D, as e-office systems record
it. When a text names several dates, the latest is the task's deadline (the others are
milestones) and a warning says so. A month or quarter that ended before the tasks' period
("chưa hoàn thành trong tháng 9" in October's tasks) is not a deadline.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Protocol

from tracker.intake.periods import HALF, MONTH, QUARTER, YEAR, ReportPeriod
from tracker.intake.text import ROMAN_NUMERALS, fold


class WorkingDays(Protocol):
    """What the parser needs of tracker.calendar.workdays.WorkCalendar."""

    def is_working_day(self, day: dt.date) -> bool: ...

    def add_working_days(self, start: dt.date, n: int) -> dt.date: ...


class WeekdayCalendar:
    """Monday to Friday, no holidays: the fallback when no calendar is given."""

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        day, counted = start, 0
        while counted < n:
            day += dt.timedelta(days=1)
            counted += self.is_working_day(day)
        return day


@dataclass(frozen=True)
class Deadline:
    """``date`` None with ``working_days`` set: N working days from an unknown date; with
    neither: no deadline ("thường xuyên")."""

    date: dt.date | None
    text: str
    working_days: int | None = None
    counted_from: dt.date | None = None  # the day N working days count from, when known

    @property
    def kind(self) -> str:
        if self.date is not None:
            return "date"
        return "working_days" if self.working_days is not None else "none"


@dataclass
class DeadlineContext:
    period: ReportPeriod  # the tasks' period: years left out of dates come from it
    calendar: WorkingDays
    assigned_on: dt.date | None = None
    issued_on: dt.date | None = None


_DATE = (
    r"(?:(?P<d>[0-9]{1,2})\s*[/.\-]\s*(?P<m>[0-9]{1,2})(?:\s*[/.\-]\s*(?P<y>[0-9]{4}))?"
    r"|(?P<d2>[0-9]{1,2})\s+thang\s+(?P<m2>[0-9]{1,2})(?:\s+nam\s+(?P<y2>[0-9]{4}))?)"
    r"(?![0-9/])"
)
_BY_DATE = re.compile(
    r"(?<![a-z])(?:truoc|cham nhat(?:\s+(?:la|vao|den))?|khong qua|han chot(?:\s+la)?"
    r"|(?<!tinh )(?<!tinh)(?:den|toi)(?:\s+het)?|xong truoc)\s+(?:ngay\s+)?" + _DATE
)
_IN_MONTH = re.compile(
    r"(?<![a-z])(?:trong|den het|cham nhat trong|truoc cuoi)\s+thang\s+(?P<m>[0-9]{1,2})"
    r"(?:\s*(?:[/.\-]|\s+nam)\s*(?P<y>[0-9]{4}))?(?![0-9/])"
)
_IN_QUARTER = re.compile(
    r"(?<![a-z])(?:trong|den het|cham nhat trong)\s+quy\s+(?P<q>iv|iii|ii|i|[1-4])\b"
    r"(?:\s*(?:[/.\-]|\s+nam)\s*(?P<y>[0-9]{4}))?"
)
_IN_HALF = re.compile(
    r"(?<![a-z])(?:trong|den het)\s+(?:6|sau)\s+thang\s+(?P<h>dau|cuoi)\s+nam"
    r"(?:\s+(?P<y>[0-9]{4}))?"
)
_IN_YEAR = re.compile(r"(?<![a-z])hoan thanh trong nam\s+(?P<y>[0-9]{4})")
_DAYS = re.compile(
    r"(?<![a-z])trong\s+(?:vong\s+|thoi han\s+)?(?P<n>[0-9]{1,3})\s+ngay(?P<work>\s+lam viec)?"
    r"(?:\s*,?\s*(?:ke|tinh)\s+tu\s+(?P<from>ngay\s+[^,;.)]{0,60}|khi\s+[^,;.)]{0,60}))?"
)
_REGULAR = re.compile(
    r"\(\s*(?:thuc hien\s+)?thuong xuyen\s*\)"
    r"|thoi (?:gian|han)(?:\s+(?:hoan thanh|thuc hien))?\s*:\s*thuong xuyen"
    r"|(?:thuc hien|trien khai)\s+thuong xuyen(?=\s*[.;)]|\s*$)"
)
_LABELLED = re.compile(
    r"(?:thoi han|thoi gian hoan thanh|thoi gian thuc hien|han hoan thanh)\s*:\s*"
)


def read_deadline(text: str, context: DeadlineContext, warnings: list[str], number: str,
                  cell: bool = False) -> Deadline | None:
    """The deadline a task's words give, or None when they give none.

    ``cell``: the text is a table's deadline column, where a bare date or "Tháng 10/2023" is
    the deadline.
    """
    folded = fold(text)
    found = _by_dates(text, folded, context, warnings, number) + _in_periods(text, folded, context)
    days: Deadline | None = None
    for match in _DAYS.finditer(folded):
        days = days or _days(text, match, context)
    if cell:
        cell_deadline = _cell_deadline(text, folded, context, warnings, number)
        if cell_deadline is not None and not found and days is None:
            found.append(cell_deadline)
    _add_labelled(text, folded, context, warnings, number, found)
    dated = [deadline for deadline in found if deadline.date is not None]
    if dated:
        return _latest(dated, warnings, number)
    return days or _regular(text, folded, cell)


def _regular(text: str, folded: str, cell: bool) -> Deadline | None:
    """"(thường xuyên)", "Thời hạn: thường xuyên": no deadline, said on purpose."""
    if cell and re.fullmatch(r"\s*thuong xuyen\W*", folded):
        return Deadline(None, text.strip())
    match = _REGULAR.search(folded)
    return Deadline(None, _span(text, match, "thường xuyên")) if match else None


def _by_dates(text: str, folded: str, context: DeadlineContext, warnings: list[str],
              number: str) -> list[Deadline]:
    found = []
    for match in _BY_DATE.finditer(folded):
        day = _date_of(match, context, warnings, number)
        if day is not None:
            found.append(Deadline(day, _span(text, match)))
    return found


def _in_periods(text: str, folded: str, context: DeadlineContext) -> list[Deadline]:
    """"trong tháng 10/2023", "trong quý IV": the last working day of that period."""
    found = []
    for pattern in (_IN_MONTH, _IN_QUARTER, _IN_HALF, _IN_YEAR):
        for match in pattern.finditer(folded):
            period = _period_of(pattern, match, context.period)
            if period is None or period.end < context.period.start:
                continue  # a month already past is history, not a deadline
            day = _last_working_day(period, context.calendar)
            found.append(Deadline(day, _span(text, match)))
    return found


def _add_labelled(text: str, folded: str, context: DeadlineContext, warnings: list[str],
                  number: str, found: list[Deadline]) -> None:
    """"Thời hạn: 31/10/2023", "Thời gian hoàn thành: Quý I/2024"."""
    for match in _LABELLED.finditer(folded):
        rest = text[match.end():]
        value = re.split(r"[;)]|\.(?=\s|$)", rest, maxsplit=1)[0]
        labelled = _cell_deadline(value, fold(value), context, warnings, number)
        if labelled is not None and all(labelled.date != d.date for d in found):
            written = text[match.start() : match.end()] + labelled.text
            found.append(Deadline(labelled.date, written.strip(), labelled.working_days,
                                  labelled.counted_from))


def _latest(dated: list[Deadline], warnings: list[str], number: str) -> Deadline:
    """Several dates: the latest is the deadline, the others milestones (said in a warning)."""
    latest = max(dated, key=lambda deadline: deadline.date)  # type: ignore[arg-type,return-value]
    distinct = sorted({deadline.date for deadline in dated})  # type: ignore[type-var]
    if len(distinct) > 1:
        shown = ", ".join(day.strftime("%d/%m/%Y") for day in distinct)
        warnings.append(
            f"Nhiệm vụ {number}: có nhiều mốc thời hạn ({shown}); đề xuất thời hạn muộn "
            "nhất, hãy kiểm tra lại."
        )
    return latest


def _span(text: str, match: re.Match[str], fallback: str | None = None) -> str:
    written = text[match.start() : match.end()].strip(" ,;:()")
    return written or (fallback or "")


def _date_of(match: re.Match[str], context: DeadlineContext, warnings: list[str],
             number: str) -> dt.date | None:
    day = match.group("d") or match.group("d2")
    month = match.group("m") or match.group("m2")
    year = match.group("y") or match.group("y2")
    return _make_date(int(day), int(month), int(year) if year else None, context, warnings,
                      number)


def _make_date(day: int, month: int, year: int | None, context: DeadlineContext,
               warnings: list[str], number: str) -> dt.date | None:
    guessed = year is None
    year = year if year is not None else context.period.year
    try:
        value = dt.date(year, month, day)
    except ValueError:
        warnings.append(
            f"Nhiệm vụ {number}: ngày {day:02d}/{month:02d}/{year} không hợp lệ; đã bỏ qua."
        )
        return None
    if guessed and value < context.period.start - dt.timedelta(days=92):
        value = value.replace(year=year + 1)
    return value


def _period_of(pattern: re.Pattern[str], match: re.Match[str],
               tasks: ReportPeriod) -> ReportPeriod | None:
    year = int(match.group("y")) if match.group("y") else None
    try:
        if pattern is _IN_MONTH:
            period = ReportPeriod(MONTH, year or tasks.year, int(match.group("m")))
        elif pattern is _IN_QUARTER:
            token = match.group("q")
            number = ROMAN_NUMERALS.get(token.upper()) or int(token)
            period = ReportPeriod(QUARTER, year or tasks.year, number)
        elif pattern is _IN_HALF:
            period = ReportPeriod(HALF, year or tasks.year, 1 if match.group("h") == "dau" else 2)
        else:
            period = ReportPeriod(YEAR, year or tasks.year)
    except ValueError:
        return None
    if year is None and period.end < tasks.start:
        period = ReportPeriod(period.kind, period.year + 1, period.number)
    return period


def _last_working_day(period: ReportPeriod, calendar: WorkingDays) -> dt.date:
    day = period.end
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def _days(text: str, match: re.Match[str], context: DeadlineContext) -> Deadline:
    n = int(match.group("n"))
    written = _span(text, match)
    start = match.group("from") or ""
    base = context.assigned_on
    if re.search(r"\b(?:ky|ban hanh)\b", start):
        base = context.issued_on or context.assigned_on
    elif start and not re.search(r"\b(?:nhan|giao|chi dao)\b", start):
        base = None  # counted from an event whose date is unknown ("kể từ ngày kết thúc quý")
    if match.group("work"):
        day = context.calendar.add_working_days(base, n) if base is not None else None
        return Deadline(day, written, working_days=n, counted_from=base)
    return Deadline(base + dt.timedelta(days=n) if base is not None else None, written)


def _cell_deadline(text: str, folded: str, context: DeadlineContext, warnings: list[str],
                   number: str) -> Deadline | None:
    """A deadline written on its own ("31/10/2023", "Tháng 10/2023", "Quý IV", "Thường xuyên")."""
    value = text.strip()
    if not value:
        return None
    if re.fullmatch(r"\s*(?:thuc hien\s+)?thuong xuyen\W*", folded):
        return Deadline(None, value)
    date = re.search(_DATE, folded)
    if date:
        day = _date_of(date, context, warnings, number)
        return Deadline(day, value) if day else None
    for pattern in (_IN_MONTH, _IN_QUARTER, _IN_HALF):
        match = pattern.search("trong " + re.sub(r"^\s*(?:trong|truoc|den het)\s+", "", folded))
        if match:
            period = _period_of(pattern, match, context.period)
            if period is not None:
                return Deadline(_last_working_day(period, context.calendar), value)
    days = _DAYS.search("trong " + re.sub(r"^\s*trong\s+", "", folded))
    if days:
        deadline = _days("trong " + re.sub(r"^\s*trong\s+", "", value, flags=re.I), days, context)
        return Deadline(deadline.date, value, deadline.working_days, deadline.counted_from)
    return None


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, _calendar.monthrange(year, month)[1])
