"""Generic form parsing: text, dates, ids, integers, with a Vietnamese message per mistake.

Plain functions over a form mapping (``request.form``, ``request.args``). A mistake raises
UserError (400); the view's unit of work then re-renders its form with the message and nothing is
written. Domain forms (a directive, a routing rule) build on these in their own packages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Protocol

from tracker.core.errors import UserError
from tracker.core.formatting import nfc
from tracker.core.periods import MAX_YEAR, MIN_YEAR

MAX_FIELD_CHARS = 100  # short inputs (dates, numbers, ids) never need more
MAX_ID = 2**31 - 1  # ids are 32-bit: anything larger cannot exist (and PostgreSQL refuses it)


class FormData(Protocol):
    def get(self, key: str, default: str | None = None) -> str | None: ...

    def getlist(self, key: str) -> list[str]: ...


def shown(value: str) -> str:
    """A user's value quoted back in a message, never the whole of a huge paste."""
    value = value.strip()
    return value if len(value) <= 30 else value[:29] + "…"


def text(
    form: Mapping[str, str] | FormData,
    name: str,
    label: str,
    max_len: int,
    *,
    required: bool = False,
) -> str:
    """A text field, NFC-normalised and stripped; too long is refused, never truncated."""
    value = nfc(form.get(name) or "").strip()
    if required and not value:
        raise UserError(f"{label} không được để trống.")
    if len(value) > max_len:
        raise UserError(f"{label} dài tối đa {max_len} ký tự (đã nhập {len(value)}).")
    return value


def parse_date(value: str | None, label: str) -> dt.date | None:
    """dd/mm/yyyy (or yyyy-mm-dd); empty gives None; anything else is an error."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) <= MAX_FIELD_CHARS:
        for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                day = dt.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
            if MIN_YEAR <= day.year <= MAX_YEAR:
                return day
    raise UserError(
        f"{label}: «{shown(value)}» không phải ngày hợp lệ. Nhập theo dạng ngày/tháng/năm, "
        "ví dụ 31/03/2023."
    )


def parse_required_date(value: str | None, label: str, *, empty: str | None = None) -> dt.date:
    """A date that must be given; ``empty`` is the message when it was left blank."""
    day = parse_date(value, label)
    if day is None:
        raise UserError(empty or f"Hãy nhập {label.lower()} (ngày/tháng/năm).")
    return day


def parse_id(value: str | None, label: str, *, required: bool = False) -> int | None:
    """A row id from a select or a hidden field."""
    value = (value or "").strip()
    if not value:
        if required:
            raise UserError(f"Hãy chọn {label}.")
        return None
    if not value.isdigit() or len(value) > 10 or int(value) > MAX_ID:
        raise UserError(f"{label.capitalize()} không hợp lệ.")
    return int(value)


def parse_int(value: str | None, message: str, *, minimum: int = 1, maximum: int = MAX_ID) -> int:
    """A whole number within bounds, or a UserError with the caller's message."""
    try:
        number = int((value or "").strip())
    except ValueError:
        raise UserError(message) from None
    if not minimum <= number <= maximum:
        raise UserError(message)
    return number
