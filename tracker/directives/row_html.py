"""The ``<tr>`` of the directive list and the first page, written here rather than in Jinja.

A page is 50 directives with their sub-directives and every unit's link: some 150 rows and 500
links. The template loop cost about a third of those pages' time (a call, an escape and a dozen
output pieces per cell); the same markup from f-strings costs a fifth of that. Every text from
outside (numbers, titles, unit names, roles, labels) goes through ``escape``; what is not
escaped is written here or comes from the status rule's fixed labels and colours.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from markupsafe import Markup, escape

from tracker.constants import LEAD
from tracker.core.formatting import fmt_date, fmt_datetime
from tracker.directives.fields import field_labels
from tracker.directives.list_rows import DirectiveRow, UnitWork
from tracker.directives.naming import task_name
from tracker.directives.status import Status

Link = Callable[[int], str]
_UNASSIGNED = '<span class="text-muted">Chưa phân công</span>'
_SMALL = ' class="small"'


def _units(assignments: list[UnitWork], unit_href: Link, links: dict[tuple, str]) -> str:
    """Each unit's link (lead in bold), in assignment order; ``links``: those written so far
    on this page (a unit's link recurs on many rows)."""
    if not assignments:
        return _UNASSIGNED
    parts = []
    for a in assignments:
        key = (a.unit_id, a.role, a.unit_name)
        link = links.get(key)
        if link is None:
            link = links[key] = (
                f'<a class="{"unit-lead" if a.role == LEAD else ""}" '
                f'href="{unit_href(a.unit_id)}" title="{escape(a.role_label)}">'
                f"{escape(a.unit_name)}</a>"
            )
        parts.append(link)
    return ", ".join(parts)


def _badge(status: Status) -> str:
    return f'<span class="badge text-bg-{status.colour}">{escape(status.label)}</span>'


def _field_texts() -> dict[str, str]:
    """Each field's label, escaped, for one page (read once: the labels are the
    organization's, fields.field_labels)."""
    return {code: str(escape(label)) for code, label in field_labels().items()}


def _field(texts: dict[str, str], code: str) -> str:
    return texts.get(code) or str(escape(code))


def _title(item: DirectiveRow, child: bool, directive_href: Link) -> str:
    """The title's link, a sub-directive's after a dash."""
    return f'{"– " if child else ""}<a href="{directive_href(item.id)}">{escape(item.title)}</a>'


def _work_cells(item: DirectiveRow, statuses: Mapping[int, Status], unit_href: Link,
                links: dict[tuple, str]) -> str:
    """The cells both pages end with: units, deadline, status."""
    return (
        f'<td class="small" data-label="Đơn vị">{_units(item.assignments, unit_href, links)}'
        "</td>"
        f'<td class="text-nowrap" data-label="Thời hạn">'
        f'{fmt_date(item.deadline, "Thường xuyên")}</td>'
        f"<td>{_badge(statuses[item.id])}</td>"
    )


def period_rows_html(
    rows: Sequence[DirectiveRow], statuses: Mapping[int, Status],
    directive_href: Link, unit_href: Link,
) -> Markup:
    """The first page's rows: number, title, field, units, deadline, status."""
    out: list[str] = []
    fields, links = _field_texts(), {}
    for row in rows:
        for item in (row, *row.children):
            child = item.parent_id is not None
            out.append(
                f"<tr{_SMALL if child else ''}>"
                f'<td class="directive-number">{escape(item.number)}</td>'
                f'<td class="directive-title">{_title(item, child, directive_href)}</td>'
                f'<td class="small card-hide">{_field(fields, item.field)}</td>'
                f"{_work_cells(item, statuses, unit_href, links)}</tr>\n"
            )
    return Markup("".join(out))  # noqa: S704 - every outside text escaped above


def list_rows_html(
    rows: Sequence[DirectiveRow], statuses: Mapping[int, Status],
    directive_href: Link, unit_href: Link,
) -> Markup:
    """The directive list's rows: number (with its period on a phone), title and field,
    period, units, deadline, status, latest progress."""
    out: list[str] = []
    fields, links = _field_texts(), {}
    for row in rows:
        period = row.period
        period_label = escape(period.label)
        for item in (row, *row.children):
            child = item.parent_id is not None
            number = escape(item.number)
            if child:
                head, field, updated = _SMALL, "", ""
            else:
                head = f' data-directive="{item.id}"'
                field = f'<div class="small text-muted">{_field(fields, item.field)}</div>'
                updated = fmt_datetime(item.last_update, "—")
            out.append(
                f"<tr{head}>"
                f'<td class="text-nowrap card-head"><span class="d-md-none">'
                f"{escape(task_name(item.number, period.year, period.month))}</span>"
                f'<span class="d-none d-md-inline">{number}</span></td>'
                f'<td class="directive-title">{_title(item, child, directive_href)}{field}</td>'
                f'<td class="small text-nowrap card-hide">{period_label}</td>'
                f"{_work_cells(item, statuses, unit_href, links)}"
                f'<td class="small text-nowrap{" card-hide" if child else ""}" '
                f'data-label="Cập nhật">{updated}</td></tr>\n'
            )
    return Markup("".join(out))  # noqa: S704 - every outside text escaped above
