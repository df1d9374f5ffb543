"""Periods a report speaks of: a month, a quarter, six months or a year.

``ReportPeriod`` counts a period by its number (quarter 4); the stored form is
``tracker.core.periods.PeriodKey`` (first month), and ``ReportPeriod.of_key`` goes between.
``first_month`` is the month a non-month period starts with (a quarter's first month, January
or July for a half-year, January for a year).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from tracker.core.periods import SPAN_MONTHS, PeriodKey
from tracker.intake.text import ROMAN_NUMERALS, roman

MONTH = "month"
QUARTER = "quarter"
HALF = "half"
YEAR = "year"
KINDS = (MONTH, QUARTER, HALF, YEAR)


@dataclass(frozen=True)
class ReportPeriod:
    """``number``: the month (1-12), quarter (1-4) or half (1-2); 0 for a year."""

    kind: str
    year: int
    number: int = 0

    def __post_init__(self) -> None:
        limits = {MONTH: 12, QUARTER: 4, HALF: 2, YEAR: 0}
        if self.kind not in limits:
            raise ValueError(f"unknown period kind {self.kind!r}")
        top = limits[self.kind]
        if not (1 <= self.number <= top if top else self.number == 0):
            raise ValueError(f"bad {self.kind} number {self.number}")

    @classmethod
    def month(cls, year: int, month: int) -> ReportPeriod:
        return cls(MONTH, year, month)

    @classmethod
    def of_key(cls, key: PeriodKey) -> ReportPeriod:
        """The same span as a stored period's key (``PeriodKey`` counts in first months)."""
        if key.kind == YEAR:
            return cls(YEAR, key.year)
        return cls(key.kind, key.year, (key.month - 1) // SPAN_MONTHS[key.kind] + 1)

    @property
    def months(self) -> int:
        return {MONTH: 1, QUARTER: 3, HALF: 6, YEAR: 12}[self.kind]

    @property
    def first_month(self) -> int:
        if self.kind == YEAR:
            return 1
        return (self.number - 1) * self.months + 1

    @property
    def last_month(self) -> int:
        return self.first_month + self.months - 1

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        last = self.last_month
        return dt.date(self.year, last, calendar.monthrange(self.year, last)[1])

    @property
    def key(self) -> str:
        """"2023-10", "2023-Q4", "2024-H1", "2024"."""
        if self.kind == MONTH:
            return f"{self.year:04d}-{self.number:02d}"
        if self.kind == QUARTER:
            return f"{self.year:04d}-Q{self.number}"
        if self.kind == HALF:
            return f"{self.year:04d}-H{self.number}"
        return f"{self.year:04d}"

    @property
    def label(self) -> str:
        """Vietnamese: "tháng 10/2023", "quý IV/2023", "6 tháng đầu năm 2024", "năm 2024"."""
        if self.kind == MONTH:
            return f"tháng {self.number:02d}/{self.year}"
        if self.kind == QUARTER:
            return f"quý {roman(self.number)}/{self.year}"
        if self.kind == HALF:
            return f"6 tháng {'đầu' if self.number == 1 else 'cuối'} năm {self.year}"
        return f"năm {self.year}"

    def next(self) -> ReportPeriod:
        if self.kind == YEAR:
            return ReportPeriod(YEAR, self.year + 1)
        top = {MONTH: 12, QUARTER: 4, HALF: 2}[self.kind]
        if self.number == top:
            return ReportPeriod(self.kind, self.year + 1, 1)
        return ReportPeriod(self.kind, self.year, self.number + 1)

    def following(self, kind: str) -> ReportPeriod:
        """The period of ``kind`` that starts after this one ends ("tháng tới", "quý tới")."""
        after = self.end + dt.timedelta(days=1)
        if kind == MONTH:
            return ReportPeriod(MONTH, after.year, after.month)
        if kind == QUARTER:
            return ReportPeriod(QUARTER, after.year, (after.month - 1) // 3 + 1)
        if kind == HALF:
            return ReportPeriod(HALF, after.year, 1 if after.month <= 6 else 2)
        return ReportPeriod(YEAR, after.year if after.month == 1 else after.year + 1)


_QUARTER_NUMBER = r"(iv|iii|ii|i|[1-4])"
# Patterns run on folded text ("quy iv nam 2023"); the first one that matches names the period.
_FULL_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (HALF, re.compile(r"\b6\s*thang\s*(dau|cuoi)\s*nam\s*([0-9]{4})\b")),
    (HALF, re.compile(r"\bsau\s*thang\s*(dau|cuoi)\s*nam\s*([0-9]{4})\b")),
    (QUARTER, re.compile(rf"\bquy\s*{_QUARTER_NUMBER}\s*(?:[/.\-]\s*|\s+nam\s+)([0-9]{{4}})\b")),
    (MONTH, re.compile(r"\bthang\s*([0-9]{1,2})\s*(?:[/.\-]\s*|\s+nam\s+)([0-9]{4})(?![0-9])")),
    (YEAR, re.compile(r"\bnam\s*([0-9]{4})\b")),
]
_PARTIAL_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (HALF, re.compile(r"\b(?:6|sau)\s*thang\s*(dau|cuoi)\s*nam\b")),
    (QUARTER, re.compile(rf"\bquy\s*{_QUARTER_NUMBER}\b(?![/.\-]?\s*[0-9])")),
    (MONTH, re.compile(r"\bthang\s*([0-9]{1,2})(?![0-9/.\-])")),
]
_RELATIVE = re.compile(
    r"\b(thang|quy|nam)\s*(?:toi|tiep theo|sau)\b|\b(?:6|sau)\s*thang\s*(?:toi|tiep theo)\b"
)


def _quarter(token: str) -> int:
    return ROMAN_NUMERALS.get(token.upper(), 0) or int(token)


def find_period(folded: str) -> ReportPeriod | None:
    """The first complete period named in folded text, or None. Invalid numbers give None.

    A bare year ("NĂM 2024") is the period only when no month, quarter or half is named.
    """
    found: list[tuple[bool, int, ReportPeriod]] = []
    for kind, pattern in _FULL_PATTERNS:
        for match in pattern.finditer(folded):
            try:
                if kind == HALF:
                    period = ReportPeriod(HALF, int(match.group(2)),
                                          1 if match.group(1) == "dau" else 2)
                elif kind == QUARTER:
                    period = ReportPeriod(QUARTER, int(match.group(2)),
                                          _quarter(match.group(1)))
                elif kind == MONTH:
                    period = ReportPeriod(MONTH, int(match.group(2)), int(match.group(1)))
                else:
                    period = ReportPeriod(YEAR, int(match.group(1)))
            except ValueError:
                continue
            if 2000 <= period.year <= 2100:
                found.append((kind == YEAR, match.start(), period))
                break
    if not found:
        return None
    return min(found, key=lambda entry: (entry[0], entry[1]))[2]


@dataclass(frozen=True)
class PartialPeriod:
    """A period named without its year ("THÁNG 10", "QUÝ IV") or relatively ("THÁNG TỚI")."""

    kind: str
    number: int = 0  # 0 for a relative period
    relative: bool = False


def find_partial_period(folded: str) -> PartialPeriod | None:
    relative = _RELATIVE.search(folded)
    if relative:
        word = relative.group(1)
        kind = {"thang": MONTH, "quy": QUARTER, "nam": YEAR, None: HALF}[word]
        return PartialPeriod(kind, relative=True)
    for kind, pattern in _PARTIAL_PATTERNS:
        match = pattern.search(folded)
        if not match:
            continue
        if kind == HALF:
            return PartialPeriod(HALF, 1 if match.group(1) == "dau" else 2)
        if kind == QUARTER:
            return PartialPeriod(QUARTER, _quarter(match.group(1)))
        return PartialPeriod(MONTH, int(match.group(1)))
    return None


def complete(partial: PartialPeriod, own: ReportPeriod | None,
             issued_on: dt.date | None) -> ReportPeriod | None:
    """A partial period made whole from the report's own period or its date."""
    if partial.relative:
        if own is not None:
            return own.following(partial.kind)
        if issued_on is not None:
            return ReportPeriod.month(issued_on.year, issued_on.month).following(partial.kind)
        return None
    reference = own.start if own is not None else issued_on
    if reference is None:
        return None
    try:
        candidate = ReportPeriod(partial.kind, reference.year, partial.number)
    except ValueError:
        return None
    # The tasks are for a period after the report's own: "THÁNG 01" in a report on December
    # (or dated in December) is next year's January.
    if (own is not None and candidate.start <= own.start) or (
        own is None and candidate.end < reference - dt.timedelta(days=92)
    ):
        candidate = ReportPeriod(partial.kind, reference.year + 1, partial.number)
    return candidate
