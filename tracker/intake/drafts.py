"""Import a report: keep an upload as a draft for review, then create its directives once.

The text stays on the server between preview and confirm (``ImportDraft``), so the confirm never
trusts text sent back by the browser; the same text (by content hash) is imported only once.
Services flush and never commit (tracker/core/uow.py commits).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import sqlalchemy as sa

from tracker.admin.services import create_unit
from tracker.auth.models import User
from tracker.calendar.services import load_calendar
from tracker.constants import LEAD, NOT_STARTED, SUPPORT
from tracker.core import audit, clock
from tracker.core.errors import UserError
from tracker.core.formatting import fmt_date
from tracker.core.periods import PeriodKey
from tracker.directives import events
from tracker.directives.fields import DEFAULT_FIELD, FIELD_LABELS
from tracker.directives.models import Assignment, Directive, SourceDocument
from tracker.directives.queries import get_or_create_period, next_position
from tracker.directives.search import search_text
from tracker.directives.services import check_deadline_year, directive_snapshot
from tracker.extensions import db
from tracker.intake.models import ImportDraft
from tracker.intake.parser import ParsedItem, ParsedReport, parse_report
from tracker.intake.rules import routing_rules
from tracker.intake.unit_names import UnitRef
from tracker.organization import services as organization
from tracker.units.lineage import ensure_can_receive
from tracker.units.models import Unit
from tracker.units.queries import active_units, units_by_code

DRAFT_KEEP_DAYS = 30
# The issuing body when neither the caller nor the report's header names one.
@dataclass
class ItemChoice:
    """What the reviewer decided for one parsed item on the preview page."""

    field: str
    lead_units: list[str]  # unit codes
    support_units: list[str]
    deadline: dt.date | None  # None: thường xuyên
    deadline_basis: str | None = None  # "15 ngày làm việc kể từ ngày 02/10/2023"


@dataclass(frozen=True)
class NewUnit:
    """A unit the report names that the catalogue lacks, to be added on confirm."""

    code: str
    name: str
    kind: str


@dataclass
class ImportPlan:
    """A reviewed preview: units to add first, then the directives with these choices."""

    choices: dict[str, ItemChoice]
    new_units: list[NewUnit] = field(default_factory=list)
    issuer: str | None = None


def working_days_basis(n: int, start: dt.date) -> str:
    """How a working-day deadline is recorded on its assignments (as the assign form does)."""
    return f"{n} ngày làm việc kể từ ngày {fmt_date(start)}"


def proposed_deadline(item: ParsedItem, fallback: dt.date | None) -> tuple[dt.date | None,
                                                                           str | None]:
    """(deadline, basis) an item gets without a reviewer: the text's, else ``fallback``."""
    if item.deadline is not None:
        basis = None
        if item.working_days is not None and item.deadline_from is not None:
            basis = working_days_basis(item.working_days, item.deadline_from)
        return item.deadline, basis
    if item.regular:
        return None, None
    return fallback, None


@dataclass
class ImportResult:
    source: SourceDocument
    created: list[Directive] = field(default_factory=list)
    already_imported: bool = False
    missing_units: set[str] = field(default_factory=set)  # proposed codes with no such unit


def parse_for_import(text: str, period: PeriodKey | None = None,
                     assigned_on: dt.date | None = None) -> ParsedReport:
    """Parse a report against this database: its active units as the catalogue, its routing
    rules, its working-day calendar, tasks assigned on ``assigned_on`` (default today)."""
    catalogue = [UnitRef(u.code, u.name, u.kind) for u in active_units()] or None
    return parse_report(
        text, period, rules=routing_rules(), catalogue=catalogue, calendar=load_calendar(),
        assigned_on=assigned_on or clock.today(),
    )


def content_hash(text: str) -> str:
    normalized = unicodedata.normalize("NFC", text).strip()
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def imported_source(text: str) -> SourceDocument | None:
    """The document this text was already imported as, if any."""
    return db.session.scalar(
        sa.select(SourceDocument).where(SourceDocument.content_hash == content_hash(text))
    )


def walk(items: Iterable[ParsedItem]) -> Iterator[tuple[ParsedItem, ParsedItem | None]]:
    """Every item and sub-item with its parent, in document order."""
    for item in items:
        yield item, None
        for child in item.children:
            yield child, item


def import_report(
    parsed: ParsedReport,
    original_text: str,
    *,
    user: User | None = None,
    default_deadline: dt.date | None = None,
    assigned_on: dt.date | None = None,
    issuer: str | None = None,
    choices: dict[str, ItemChoice] | None = None,
) -> ImportResult:
    """Create the period's directives and assignments from a parsed report.

    ``choices`` holds the reviewer's corrections by item number ("6", "6.1"); items without one
    take the parser's proposal: the deadline the text gives, else ``default_deadline`` (the
    period's last day when None). ``issuer``: the issuing body (default: the one the report's
    header names, else the organization's own name). Idempotent: the same text (by content
    hash) imported again creates nothing.
    """
    existing = imported_source(original_text)
    if existing is not None:
        return ImportResult(source=existing, already_imported=True)
    choices = choices or {}
    units = units_by_code()
    for number, choice in choices.items():
        check_choice(number, choice, units)
    period = get_or_create_period(parsed.period_key)
    deadline = default_deadline if default_deadline is not None else period.last_day
    assigned_on = assigned_on or clock.today()
    source = SourceDocument(
        number=parsed.document_number,
        issued_on=parsed.issued_on,
        issuer=(issuer or organization.issuer_label(parsed.issuer))[:200],
        title=(parsed.title or f"Nhiệm vụ trọng tâm {period.title}")[:500],
        original_text=original_text,
        content_hash=content_hash(original_text),
        period=period,
        created_at=clock.now(),
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(source)
    db.session.flush()
    result = ImportResult(source=source)
    position = next_position(period.id, None)
    created: dict[str, Directive] = {}
    child_positions: dict[str, int] = {}
    for item, parent_item in walk(parsed.items):
        parent = created[parent_item.number] if parent_item else None
        proposal = ItemChoice(
            item.field or (parent.field if parent else DEFAULT_FIELD),
            list(item.lead_units),
            list(item.support_units),
            *proposed_deadline(item, deadline),
        )
        choice = choices.get(item.number, proposal)
        if parent is None:
            pos = position
            position += 1
        else:
            pos = child_positions.get(parent_item.number, 0)
            child_positions[parent_item.number] = pos + 1
        result.missing_units.update(
            c for c in (*choice.lead_units, *choice.support_units) if c not in units
        )
        directive = _create_from_item(
            item, choice, period.id, source.id, parent, pos, assigned_on, units, user
        )
        created[item.number] = directive
        result.created.append(directive)
    db.session.flush()
    audit.record(
        "source_document",
        source.id,
        "import",
        None,
        {"period": period.key, "directives": len(result.created), "hash": source.content_hash},
        user=user,
    )
    events.assignments_created([a for d in result.created for a in d.assignments], user)
    return result


class Named(Protocol):
    """A unit as the checks need it: a Unit row, or one the preview is about to create."""

    name: str


def check_choice(number: str, choice: ItemChoice, units: Mapping[str, Named]) -> None:
    if choice.field not in FIELD_LABELS:
        raise UserError(f"Nhiệm vụ {number}: lĩnh vực không hợp lệ.")
    if not choice.lead_units:
        raise UserError(f"Nhiệm vụ {number}: chưa chọn đơn vị chủ trì.")
    unknown = [c for c in (*choice.lead_units, *choice.support_units) if c not in units]
    if unknown:
        raise UserError(f"Nhiệm vụ {number}: không có đơn vị mã {', '.join(unknown)}.")
    both = set(choice.lead_units) & set(choice.support_units)
    if both:
        names = ", ".join(units[c].name for c in sorted(both))
        raise UserError(
            f"Nhiệm vụ {number}: {names} vừa là đơn vị chủ trì vừa là đơn vị phối hợp."
        )
    check_deadline_year(choice.deadline)


def _create_from_item(
    item: ParsedItem,
    choice: ItemChoice,
    period_id: int,
    source_id: int,
    parent: Directive | None,
    position: int,
    assigned_on: dt.date,
    units: dict[str, Unit],
    user: User | None,
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
        field=choice.field,
        deadline=choice.deadline,
        created_by_id=getattr(user, "id", None),
        created_at=clock.now(),
    )
    db.session.add(directive)
    assigned: dict[str, str] = {}
    for role, codes in ((LEAD, choice.lead_units), (SUPPORT, choice.support_units)):
        for code in codes:
            unit = units.get(code)
            if unit is None or code in assigned:
                continue  # a rule may name a unit that no longer exists
            ensure_can_receive(unit, assigned_on)  # not an ended (merged) unit
            assigned[code] = role
            directive.assignments.append(
                Assignment(
                    unit=unit,
                    role=role,
                    deadline=choice.deadline,
                    deadline_basis=choice.deadline_basis,
                    assigned_on=assigned_on,
                    state=NOT_STARTED,
                )
            )
    db.session.flush()
    audit.record(
        "directive",
        directive.id,
        "create",
        None,
        {
            **directive_snapshot(directive),
            "units": {code: role for code, role in sorted(assigned.items())},
        },
        user=user,
        directive_id=directive.id,
    )
    return directive


def create_draft(
    filename: str, text: str, period_key: str | None, *, user: User | None = None
) -> ImportDraft:
    """Keep an uploaded report server-side until it is reviewed; forget stale drafts."""
    cutoff = clock.now() - dt.timedelta(days=DRAFT_KEEP_DAYS)
    db.session.execute(
        sa.delete(ImportDraft).where(
            ImportDraft.created_at < cutoff, ImportDraft.confirmed_at.is_(None)
        )
    )
    draft = ImportDraft(
        token=secrets.token_urlsafe(24),
        filename=filename[:255],
        text=text,
        period_key=period_key,
        created_by_id=getattr(user, "id", None),
        created_at=clock.now(),
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def get_draft(token: str) -> ImportDraft | None:
    if not token or len(token) > 40:
        return None
    return db.session.scalar(sa.select(ImportDraft).where(ImportDraft.token == token))


def confirm_draft(
    draft: ImportDraft,
    parsed: ParsedReport,
    plan: ImportPlan,
    *,
    user: User | None = None,
    assigned_on: dt.date | None = None,
) -> ImportResult:
    """Import a reviewed draft once, adding the units it names first (same transaction); a
    second confirm finds it done and creates nothing."""
    if draft.source_id is not None:
        return ImportResult(source=draft.source, already_imported=True)
    existing = imported_source(draft.text)
    if existing is not None:
        return ImportResult(source=existing, already_imported=True)
    for new in plan.new_units:
        create_unit(code=new.code, name=new.name, kind=new.kind, email=None, active=True)
    result = import_report(
        parsed, draft.text, user=user, assigned_on=assigned_on, choices=plan.choices,
        issuer=plan.issuer,
    )
    draft.source_id = result.source.id
    draft.confirmed_at = clock.now()
    db.session.flush()
    return result
