"""Directive rules: import a report, assign units. Services flush; the caller commits once."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa

from tracker.core import audit, clock
from tracker.directives.fields import DEFAULT_FIELD
from tracker.directives.models import (
    LEAD,
    SUPPORT,
    Assignment,
    Directive,
    RoutingRule,
    SourceDocument,
)
from tracker.directives.parser import ParsedItem, ParsedReport
from tracker.directives.parser import RoutingRule as RuleSpec
from tracker.directives.queries import get_or_create_period
from tracker.directives.search import search_text
from tracker.extensions import db
from tracker.units.models import Unit


class DirectiveError(ValueError):
    """A rule was broken; the message is Vietnamese and safe to show."""


@dataclass
class ImportResult:
    source: SourceDocument
    created: list[Directive] = field(default_factory=list)
    already_imported: bool = False


def content_hash(text: str) -> str:
    normalized = unicodedata.normalize("NFC", text).strip()
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def routing_rules() -> list[RuleSpec]:
    """The admin-edited rule table as the parser's rule objects."""
    rows = db.session.scalars(
        sa.select(RoutingRule).where(RoutingRule.active).order_by(RoutingRule.position)
    )
    return [
        RuleSpec(
            keywords=tuple(k.strip() for k in row.keywords.split(",") if k.strip()),
            unit_codes=tuple(c.strip() for c in row.unit_codes.split(",") if c.strip()),
            role=row.role,
            field=row.field,
        )
        for row in rows
    ]


def units_by_code() -> dict[str, Unit]:
    return {u.code: u for u in db.session.scalars(sa.select(Unit))}


def import_report(
    parsed: ParsedReport,
    original_text: str,
    *,
    user: object | None = None,
    default_deadline: dt.date | None = None,
    assigned_on: dt.date | None = None,
    issuer: str = "UBND thành phố Trà Vinh",
) -> ImportResult:
    """Create the period's directives and proposed assignments from a parsed report.

    Idempotent: the same text (by content hash) imported again creates nothing.
    """
    digest = content_hash(original_text)
    existing = db.session.scalar(
        sa.select(SourceDocument).where(SourceDocument.content_hash == digest)
    )
    if existing is not None:
        return ImportResult(source=existing, already_imported=True)
    period = get_or_create_period(parsed.year, parsed.month)
    deadline = default_deadline if default_deadline is not None else period.last_day
    assigned_on = assigned_on or clock.today()
    source = SourceDocument(
        number=parsed.document_number,
        issued_on=parsed.issued_on,
        issuer=issuer,
        title=parsed.title or f"Nhiệm vụ trọng tâm tháng {period.label}",
        original_text=original_text,
        content_hash=digest,
        period=period,
        created_at=clock.now(),
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(source)
    db.session.flush()
    result = ImportResult(source=source)
    units = units_by_code()
    position = _next_position(period.id)
    for item in parsed.items:
        directive = _create_from_item(
            item, period.id, source.id, None, position, deadline, assigned_on, units, user
        )
        position += 1
        result.created.append(directive)
        for child_pos, child in enumerate(item.children):
            sub = _create_from_item(
                child, period.id, source.id, directive, child_pos, deadline, assigned_on, units,
                user,
            )
            result.created.append(sub)
    db.session.flush()
    audit.record(
        "source_document",
        source.id,
        "import",
        None,
        {"period": period.key, "directives": len(result.created)},
        user=user,
    )
    return result


def _next_position(period_id: int) -> int:
    current = db.session.scalar(
        sa.select(sa.func.max(Directive.position)).where(
            Directive.period_id == period_id, Directive.parent_id.is_(None)
        )
    )
    return (current or 0) + 1


def _create_from_item(
    item: ParsedItem,
    period_id: int,
    source_id: int,
    parent: Directive | None,
    position: int,
    deadline: dt.date | None,
    assigned_on: dt.date,
    units: dict[str, Unit],
    user: object | None,
) -> Directive:
    directive = Directive(
        period_id=period_id,
        source_id=source_id,
        parent=parent,
        number=item.number,
        position=position,
        title=item.title,
        text=item.text,
        search_text=search_text(item.number, item.title, item.text),
        field=item.field or (parent.field if parent else DEFAULT_FIELD),
        deadline=deadline,
        created_by_id=getattr(user, "id", None),
        created_at=clock.now(),
    )
    db.session.add(directive)
    assigned: set[str] = set()
    for role, codes in ((LEAD, item.lead_units), (SUPPORT, item.support_units)):
        for code in codes:
            unit = units.get(code)
            if unit is None or code in assigned:
                continue
            assigned.add(code)
            directive.assignments.append(
                Assignment(
                    unit=unit,
                    role=role,
                    deadline=deadline,
                    assigned_on=assigned_on,
                )
            )
    db.session.flush()
    audit.record(
        "directive",
        directive.id,
        "create",
        None,
        {"number": directive.number, "title": directive.title, "units": sorted(assigned)},
        user=user,
        directive_id=directive.id,
    )
    return directive
