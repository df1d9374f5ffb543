"""Reporting periods as values: a month (the usual kỳ), a quarter, a half-year or a year.

One type for every period the code talks about, stored or not (a report for a month that has no
directives yet, the next period a report carries tasks into); ``tracker.directives.models.Period``
is its row in the database. Parsing what people type ("03/2023", "2023-03") happens here only.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from tracker.core.errors import UserError

MONTH = "month"
QUARTER = "quarter"
HALF = "half"
YEAR = "year"
SPAN_MONTHS = {MONTH: 1, QUARTER: 3, HALF: 6, YEAR: 12}
PERIOD_KINDS = tuple(SPAN_MONTHS)
MIN_YEAR, MAX_YEAR = 2000, 2100
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

_MONTH_SLASH = re.compile(r"(\d{1,2})\s*/\s*(\d{4})")
_MONTH_ISO = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
_HALF = re.compile(r"(\d{4})-[Hh]([12])")
_YEAR = re.compile(r"(\d{4})")
# The labels this type writes, typed back (matched without diacritics, any case).
_LABEL_MONTH = re.compile(r"thang\s*(\d{1,2})\s*(?:/|-|\s+nam\s+)\s*(\d{4})")
_LABEL_QUARTER = re.compile(r"(?:quy|q)\s*(iv|iii|ii|i|[1-4])\s*(?:/|-|\s+nam\s+|\s+)\s*(\d{4})")
_LABEL_HALF = re.compile(r"(?:6|sau)\s*thang\s*(dau|cuoi)\s*nam\s*(\d{4})")
_LABEL_YEAR = re.compile(r"nam\s*(\d{4})")
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFD", value.lower().replace("đ", "d"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _from_label(value: str) -> tuple[int, int, str] | None:
    """(year, first month, kind) of a label as people write it, or None."""
    folded = _fold(value)
    if match := _LABEL_MONTH.fullmatch(folded):
        return int(match.group(2)), int(match.group(1)), MONTH
    if match := _LABEL_QUARTER.fullmatch(folded):
        quarter = _QUARTERS.get(match.group(1)) or int(match.group(1))
        return int(match.group(2)), 3 * quarter - 2, QUARTER
    if match := _LABEL_HALF.fullmatch(folded):
        return int(match.group(2)), 1 if match.group(1) == "dau" else 7, HALF
    if match := _LABEL_YEAR.fullmatch(folded):
        return int(match.group(1)), 1, YEAR
    return None


def _shown(value: str) -> str:
    value = value.strip()
    return value if len(value) <= 30 else value[:29] + "…"


@dataclass(frozen=True, order=True)
class PeriodKey:
    """``year`` and the first ``month`` of the span; ``kind`` says how long it is."""

    year: int
    month: int
    kind: str = MONTH

    def __post_init__(self) -> None:
        months = SPAN_MONTHS.get(self.kind)
        if months is None or not 1 <= self.month <= 12 or (self.month - 1) % months:
            raise ValueError(f"not a {self.kind} start: {self.year}-{self.month}")

    # --- constructors ------------------------------------------------------------------------

    @classmethod
    def of_month(cls, day: dt.date) -> PeriodKey:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str | None, *, label: str = "Kỳ") -> PeriodKey:
        """What people type for a month ("03/2023", "3/2023", "2023-03"), the keys this type
        writes ("2023-Q2", "2023-H1", "2023") or its labels ("quý II/2023", "6 tháng đầu năm
        2023", "năm 2023"); a Vietnamese UserError for anything else."""
        value = (text or "").strip()
        year = month = None
        kind = MONTH
        if match := _MONTH_SLASH.fullmatch(value):
            month, year = int(match.group(1)), int(match.group(2))
        elif match := _MONTH_ISO.fullmatch(value):
            year, month = int(match.group(1)), int(match.group(2))
        elif match := _QUARTER.fullmatch(value):
            year, month, kind = int(match.group(1)), 3 * int(match.group(2)) - 2, QUARTER
        elif match := _HALF.fullmatch(value):
            year, month, kind = int(match.group(1)), 6 * int(match.group(2)) - 5, HALF
        elif match := _YEAR.fullmatch(value):
            year, month, kind = int(match.group(1)), 1, YEAR
        elif found := _from_label(value):
            year, month, kind = found
        if year is None or month is None:
            raise UserError(
                f"{label} «{_shown(value)}» không hợp lệ. Nhập theo dạng tháng/năm, "
                "ví dụ 03/2023; một quý, 6 tháng hoặc một năm: quý IV/2025, 6 tháng đầu năm "
                "2025, năm 2025."
            )
        if not 1 <= month <= 12 or not MIN_YEAR <= year <= MAX_YEAR:
            raise UserError(
                f"{label} «{_shown(value)}» không hợp lệ: tháng từ 1 đến 12, năm từ "
                f"{MIN_YEAR} đến {MAX_YEAR}."
            )
        return cls(year, month, kind)

    @classmethod
    def parse_optional(cls, text: str | None, *, label: str = "Kỳ") -> PeriodKey | None:
        return cls.parse(text, label=label) if (text or "").strip() else None

    # --- what people read ---------------------------------------------------------------------

    @property
    def key(self) -> str:
        """Stable text form for URLs and forms: 2023-03, 2023-Q2, 2023-H1, 2023."""
        if self.kind == QUARTER:
            return f"{self.year:04d}-Q{(self.month + 2) // 3}"
        if self.kind == HALF:
            return f"{self.year:04d}-H{(self.month + 5) // 6}"
        if self.kind == YEAR:
            return f"{self.year:04d}"
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """03/2023, quý II/2023, 6 tháng đầu năm 2023, năm 2023."""
        if self.kind == QUARTER:
            return f"quý {_ROMAN[(self.month + 2) // 3]}/{self.year}"
        if self.kind == HALF:
            part = "đầu" if self.month == 1 else "cuối"
            return f"6 tháng {part} năm {self.year}"
        if self.kind == YEAR:
            return f"năm {self.year}"
        return f"{self.month:02d}/{self.year}"

    @property
    def title(self) -> str:
        """As a heading says it: "tháng 03/2023", "quý II/2023"."""
        return f"tháng {self.label}" if self.kind == MONTH else self.label

    @property
    def caption(self) -> str:
        """At the start of a line or a picker: "Tháng 03/2023", "Quý II/2023", "Năm 2023"."""
        title = self.title
        return title[:1].upper() + title[1:]

    # --- dates --------------------------------------------------------------------------------

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        last_month = self.month + SPAN_MONTHS[self.kind] - 1
        return dt.date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    def contains(self, day: dt.date) -> bool:
        return self.first_day <= day <= self.last_day

    def next(self) -> PeriodKey:
        months = self.year * 12 + self.month - 1 + SPAN_MONTHS[self.kind]
        return PeriodKey(months // 12, months % 12 + 1, self.kind)

    def previous(self) -> PeriodKey:
        months = self.year * 12 + self.month - 1 - SPAN_MONTHS[self.kind]
        return PeriodKey(months // 12, months % 12 + 1, self.kind)
