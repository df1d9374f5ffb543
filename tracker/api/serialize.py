"""Plain-JSON shapes of directives, assignments and updates (the schemas in openapi.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tracker.directives.fields import FIELD_LABELS
from tracker.directives.models import Assignment, Directive, Period, ProgressUpdate
from tracker.directives.presenters import StatusBook, status_book
from tracker.directives.status import Status

LAST_UPDATES = 3


def iso(value: dt.date | dt.datetime | None) -> str | None:
    """ISO 8601; stored datetimes are naive UTC, so they get a Z."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    return value.isoformat()


def status(st: Status) -> dict[str, Any]:
    return {
        "bucket": st.bucket.value,
        "bucket_label": st.label,
        "days_overdue": st.days_overdue,
    }


def period(p: Period, directives: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"key": p.key, "label": p.label, "year": p.year, "month": p.month}
    if directives is not None:
        data["directives"] = directives
    return data


def _page_url(directive_id: int) -> str | None:
    from tracker.directives.views import directive_url

    return directive_url(directive_id)


def unit_ref(a: Assignment) -> dict[str, Any]:
    return {"id": a.unit.id, "code": a.unit.code, "name": a.unit.name}


def _book(items: list[Directive], as_of: dt.date, against: str, book: StatusBook | None
          ) -> StatusBook:
    return book if book is not None else status_book(items, as_of, against)


def assignment_brief(
    a: Assignment, as_of: dt.date, against: str, book: StatusBook | None = None
) -> dict[str, Any]:
    book = _book([a.directive], as_of, against, book)
    return {
        "id": a.id,
        "unit": unit_ref(a),
        "role": a.role,
        "role_label": a.role_label,
        "deadline": iso(a.deadline),
        "extended_deadline": iso(a.extended_deadline),
        "state": a.state,
        "state_label": a.state_label,
        "percent": a.percent,
        "version": a.version,
        "last_update_at": iso(a.last_update_at),
        **status(book.assignment(a)),
    }


def update(u: ProgressUpdate) -> dict[str, Any]:
    return {
        "id": u.id,
        "kind": u.kind,
        "kind_label": u.kind_label,
        "created_at": iso(u.created_at),
        "author": u.author.full_name if u.author else None,
        "percent": u.percent,
        "result": u.result,
        "difficulties": u.difficulties,
        "proposals": u.proposals,
        "attachments": [
            {"id": f.id, "name": f.original_name, "content_type": f.content_type, "size": f.size}
            for f in u.attachments
        ],
    }


def latest_updates(a: Assignment, limit: int = LAST_UPDATES) -> list[dict[str, Any]]:
    items = sorted(a.updates, key=lambda u: (u.created_at, u.id), reverse=True)
    return [update(u) for u in items[:limit]]


def directive_brief(
    d: Directive, as_of: dt.date, against: str, book: StatusBook | None = None
) -> dict[str, Any]:
    """A list row: the directive, its bucket, deadline and units, its sub-directives briefly."""
    book = _book([d], as_of, against, book)
    return {
        "id": d.id,
        "number": d.number,
        "title": d.title,
        "period": d.period.key,
        "field": d.field,
        "field_label": FIELD_LABELS.get(d.field, d.field),
        "deadline": iso(d.deadline),
        "withdrawn": d.is_withdrawn,
        **status(book.directive(d)),
        "units": [
            {**unit_ref(a), "role": a.role, "assignment_id": a.id} for a in d.assignments
        ],
        "sub_directives": [
            {
                "id": c.id,
                "number": c.number,
                "title": c.title,
                **status(book.directive(c)),
            }
            for c in d.children
        ],
        "url": _page_url(d.id),
    }


def directive_detail(d: Directive, as_of: dt.date, against: str) -> dict[str, Any]:
    """One directive: its text, assignments with buckets and last updates, sub-directives."""
    book = status_book([d], as_of, against)

    def assignments(item: Directive) -> list[dict[str, Any]]:
        return [
            {**assignment_brief(a, as_of, against, book), "last_updates": latest_updates(a)}
            for a in item.assignments
        ]

    return {
        "id": d.id,
        "number": d.number,
        "title": d.title,
        "text": d.text,
        "period": d.period.key,
        "parent_id": d.parent_id,
        "field": d.field,
        "field_label": FIELD_LABELS.get(d.field, d.field),
        "deadline": iso(d.deadline),
        "withdrawn": d.is_withdrawn,
        "withdrawn_reason": d.withdrawn_reason,
        **status(book.directive(d)),
        "assignments": assignments(d),
        "sub_directives": [
            {
                "id": c.id,
                "number": c.number,
                "title": c.title,
                "text": c.text,
                "deadline": iso(c.deadline),
                "withdrawn": c.is_withdrawn,
                **status(book.directive(c)),
                "assignments": assignments(c),
            }
            for c in d.children
        ],
        "url": _page_url(d.id),
        "as_of": iso(as_of),
        "against": against,
    }


def assignment_row(
    a: Assignment, as_of: dt.date, against: str, book: StatusBook | None = None
) -> dict[str, Any]:
    d = a.directive
    return {
        **assignment_brief(a, as_of, against, book),
        "directive": {
            "id": d.id,
            "number": d.number,
            "title": d.title,
            "period": d.period.key,
            "url": _page_url(d.id),
        },
    }


def assignment_detail(a: Assignment, as_of: dt.date, against: str) -> dict[str, Any]:
    return {
        **assignment_row(a, as_of, against),
        "updates": [update(u) for u in sorted(a.updates, key=lambda u: (u.created_at, u.id),
                                               reverse=True)],
        "as_of": iso(as_of),
        "against": against,
    }
