"""Display helpers shared by pages, e-mails and reports: dd/mm/yyyy, Vietnam time, NFC."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable

from markupsafe import Markup, escape

from tracker.core.clock import to_local


def fmt_date(value: dt.date | dt.datetime | None, empty: str = "") -> str:
    if value is None:
        return empty
    if isinstance(value, dt.datetime):
        value = to_local(value).date()
    return value.strftime("%d/%m/%Y")


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
    a Jinja loop over them cost a page more than the rest of its form."""
    chosen = None if selected is None else str(selected)
    return Markup("".join(  # noqa: S704 - values and labels escaped
        f'<option value="{escape(value)}"{" selected" if str(value) == chosen else ""}>'
        f"{escape(label)}</option>"
        for value, label in choices
    ))
