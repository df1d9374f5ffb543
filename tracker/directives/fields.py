"""Fields (lĩnh vực) of a directive, in the order the monthly report uses them.

The list is the organization's (tracker.organization.services.current().fields): a commune's
report follows NĐ 315/2025's areas, a province's its own. ``FIELDS``, ``FIELD_LABELS`` and
``FIELD_ORDER`` read it at each use (cheap: the organization is memoised per request), so every
page, form, export and the importer see the organization's fields without asking for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from werkzeug.local import LocalProxy

from tracker.organization.services import current


def _fields() -> list[tuple[str, str]]:
    return list(current().fields)


def field_labels() -> dict[str, str]:
    """{code: label}, built anew at each call: a loop reads it once (FIELD_LABELS builds it at
    each ``.get``)."""
    return dict(current().fields)


def _order() -> dict[str, int]:
    return {code: i for i, (code, _) in enumerate(current().fields)}


if TYPE_CHECKING:
    FIELDS: list[tuple[str, str]]
    FIELD_LABELS: dict[str, str]
    FIELD_ORDER: dict[str, int]
else:
    FIELDS = cast("list[tuple[str, str]]", LocalProxy(_fields))
    FIELD_LABELS = cast("dict[str, str]", LocalProxy(field_labels))
    FIELD_ORDER = cast("dict[str, int]", LocalProxy(_order))
DEFAULT_FIELD = "chi_dao"  # one of the core fields every organization keeps
