"""Display helpers shared by pages, e-mails and reports: dd/mm/yyyy, Vietnam time, NFC."""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections.abc import Iterable

from markupsafe import Markup, escape

from tracker.core.clock import to_local


def fmt_date(value: dt.date | dt.datetime | None, empty: str = "") -> str:
    if value is None:
        return empty
    if isinstance(value, dt.datetime):
        value = to_local(value).date()
    return _day_text(value)


@functools.lru_cache(maxsize=4096)
def _day_text(day: dt.date) -> str:
    """dd/mm/yyyy, written once per day (a list page prints the same deadlines many times)."""
    return day.strftime("%d/%m/%Y")


def fmt_datetime(value: dt.datetime | None, empty: str = "") -> str:
    if value is None:
        return empty
    return to_local(value).strftime("%d/%m/%Y %H:%M")


def nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def parse_vn_date(text: str) -> dt.date | None:
    """Parse dd/mm/yyyy (or ISO yyyy-mm-dd); None when it is not a real date."""
    text = (text or "").strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def select_options(choices: Iterable[tuple[object, str]], selected: object = None) -> Markup:
    """A picker's ``<option>`` elements, the one whose value is ``selected`` chosen (compared
    as text). Written here for the long pickers (ten years of periods, a province's units):
    a Jinja loop over them cost a page more than the rest of its form; the escaped options of
    a list of choices are then kept per process, only the chosen one marked per call."""
    html, ends = _options_html(tuple(choices))
    at = None if selected is None else ends.get(str(selected))
    if at is not None:
        html = f"{html[:at]} selected{html[at:]}"
    return Markup(html)  # noqa: S704 - values and labels escaped


@functools.lru_cache(maxsize=64)
def _options_html(choices: tuple[tuple[object, str], ...]) -> tuple[str, dict[str, int]]:
    """The options, and where each value's opening tag ends (where " selected" goes)."""
    parts: list[str] = []
    ends: dict[str, int] = {}
    length = 0
    for value, label in choices:
        head = f'<option value="{escape(value)}"'
        ends.setdefault(str(value), length + len(head))
        part = f"{head}>{escape(label)}</option>"
        parts.append(part)
        length += len(part)
    return "".join(parts), ends
