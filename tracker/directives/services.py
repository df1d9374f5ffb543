"""Directive rules: import a report, create and edit directives, assign units, withdraw.

Services flush and never commit; the view, CLI or job commits once. Every change writes an
audit event with the values before and after. Rule breaches raise DirectiveError with a
Vietnamese message that the caller shows as is (a 400, nothing written).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa

from tracker.auth.models import LEADER, User
from tracker.calendar.services import load_calendar
from tracker.core import audit, clock
from tracker.core.formatting import fmt_date
from tracker.directives.fields import DEFAULT_FIELD, FIELD_LABELS
from tracker.directives.models import (
    LEAD,
    NOT_STARTED,
    ROLES,
    SUPPORT,
    WITHDRAWN,
    Assignment,
    Directive,
    ImportDraft,
    RoutingRule,
    SourceDocument,
)
from tracker.directives.queries import get_or_create_period
from tracker.directives.search import search_text
from tracker.extensions import db
from tracker.intake.parser import ParsedItem, ParsedReport
from tracker.intake.routing import DEFAULT_RULES, RuleSpec
from tracker.units.models import Unit

# Limits on what people type; longer input is refused with a message, never truncated.
MAX_NUMBER = 20
MAX_TITLE = 500
MAX_TEXT = 20_000
MAX_REASON = 2_000
MAX_WORKING_DAYS = 365
MAX_KEYWORDS = 2_000
MAX_KEYWORD = 100
DRAFT_KEEP_DAYS = 30

NO_DEADLINE = "none"
DATE_DEADLINE = "date"
WORKING_DAYS_DEADLINE = "working_days"


class DirectiveError(ValueError):
    """A rule was broken; the message is Vietnamese and safe to show."""


class ConflictError(DirectiveError):
    """Someone else saved the same record after the form was loaded (HTTP 409)."""


# --------------------------------------------------------------------------------------------
# Routing rules
# --------------------------------------------------------------------------------------------


def keywords_text(keywords: Iterable[str]) -> str:
    """Keywords as the admin table stores them: comma-separated.

    A comma inside one keyword ("phường, xã") would split it into two looser keywords ("xã"
    then matches "xã hội"), so it becomes a space; the matcher treats "phường xã" as matching
    "phường, xã" and "phường – xã" anyway.
    """
    cleaned = (re.sub(r"\s*,\s*", " ", k).strip() for k in keywords)
    return ", ".join(k for k in cleaned if k)


def split_list(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def routing_rules() -> list[RuleSpec]:
    """The admin-edited rule table as the parser's rule objects.

    A database whose table was never filled (no rows at all) gets the built-in defaults; an
    admin who deactivated every rule gets no proposals, as asked.
    """
    rows = list(
        db.session.scalars(
            sa.select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id)
        )
    )
    if not rows:
        return list(DEFAULT_RULES)
    return [
        RuleSpec(
            keywords=tuple(split_list(row.keywords)),
            unit_codes=tuple(split_list(row.unit_codes)),
            role=row.role,
            field=row.field,
        )
        for row in rows
        if row.active
    ]


@dataclass
class RuleInput:
    keywords: list[str]
    unit_codes: list[str]
    role: str
    field: str | None
    position: int


def rule_snapshot(rule: RoutingRule) -> dict[str, object]:
    return {
        "keywords": rule.keywords,
        "unit_codes": rule.unit_codes,
        "role": rule.role,
        "field": rule.field,
        "position": rule.position,
        "active": rule.active,
    }


def _check_rule(data: RuleInput) -> None:
    if not data.keywords:
        raise DirectiveError("Cần ít nhất một từ khóa.")
    too_long = [k for k in data.keywords if len(k) > MAX_KEYWORD]
    if too_long:
        raise DirectiveError(f"Mỗi từ khóa dài tối đa {MAX_KEYWORD} ký tự.")
    if len(keywords_text(data.keywords)) > MAX_KEYWORDS:
        raise DirectiveError(f"Danh sách từ khóa dài tối đa {MAX_KEYWORDS} ký tự.")
    if data.role not in ROLES:
        raise DirectiveError("Vai trò phải là chủ trì hoặc phối hợp.")
    if data.field is not None and data.field not in FIELD_LABELS:
        raise DirectiveError("Lĩnh vực không hợp lệ.")
    if not data.unit_codes and data.field is None:
        raise DirectiveError("Quy tắc phải đề xuất ít nhất một đơn vị hoặc một lĩnh vực.")
    known = units_by_code()
    by_upper = {code.upper(): code for code in known}
    data.unit_codes = [by_upper.get(code.upper(), code) for code in data.unit_codes]
    unknown = [code for code in data.unit_codes if code not in known]
    if unknown:
        raise DirectiveError(f"Không có đơn vị mã: {', '.join(unknown)}.")
    if not 0 <= data.position <= 10_000:
        raise DirectiveError("Thứ tự phải là số từ 0 đến 10000.")


def create_rule(data: RuleInput, *, user: object | None = None) -> RoutingRule:
    _check_rule(data)
    rule = RoutingRule(
        keywords=keywords_text(data.keywords),
        unit_codes=", ".join(dict.fromkeys(data.unit_codes)),
        role=data.role,
        field=data.field,
        position=data.position,
        active=True,
    )
    db.session.add(rule)
    db.session.flush()
    audit.record("routing_rule", rule.id, "create", None, rule_snapshot(rule), user=user)
    return rule


def update_rule(rule: RoutingRule, data: RuleInput, *, user: object | None = None) -> bool:
    """Apply the form; False when nothing changed (no audit event then)."""
    _check_rule(data)
    before = rule_snapshot(rule)
    rule.keywords = keywords_text(data.keywords)
    rule.unit_codes = ", ".join(dict.fromkeys(data.unit_codes))
    rule.role = data.role
    rule.field = data.field
    rule.position = data.position
    return _audit_changes("routing_rule", rule.id, "update", before, rule_snapshot(rule), user)


def set_rule_active(rule: RoutingRule, active: bool, *, user: object | None = None) -> bool:
    if rule.active == active:
        return False
    before = {"active": rule.active}
    rule.active = active
    audit.record(
        "routing_rule", rule.id, "activate" if active else "deactivate", before,
        {"active": active}, user=user,
    )
    return True


def _audit_changes(
    entity: str,
    entity_id: int,
    action: str,
    before: dict[str, object],
    after: dict[str, object],
    user: object | None,
    directive_id: int | None = None,
) -> bool:
    changed = [key for key in after if before.get(key) != after[key]]
    if not changed:
        return False
    db.session.flush()
    audit.record(
        entity,
        entity_id,
        action,
        {key: before.get(key) for key in changed},
        {key: after[key] for key in changed},
        user=user,
        directive_id=directive_id,
    )
    return True


# --------------------------------------------------------------------------------------------
# Units and leaders
# --------------------------------------------------------------------------------------------


def units_by_code() -> dict[str, Unit]:
    return {u.code: u for u in db.session.scalars(sa.select(Unit))}


def active_units() -> list[Unit]:
    return list(
        db.session.scalars(
            sa.select(Unit).where(Unit.active).order_by(Unit.position, Unit.name)
        )
    )


def leaders() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).where(User.role == LEADER, User.active).order_by(User.id)
        )
    )


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


@dataclass
class ItemChoice:
    """What the reviewer decided for one parsed item on the preview page."""

    field: str
    lead_units: list[str]  # unit codes
    support_units: list[str]
    deadline: dt.date | None  # None: thường xuyên


@dataclass
class ImportResult:
    source: SourceDocument
    created: list[Directive] = field(default_factory=list)
    already_imported: bool = False
    missing_units: set[str] = field(default_factory=set)  # proposed codes with no such unit


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
    user: object | None = None,
    default_deadline: dt.date | None = None,
    assigned_on: dt.date | None = None,
    issuer: str = "UBND thành phố Trà Vinh",
    choices: dict[str, ItemChoice] | None = None,
) -> ImportResult:
    """Create the period's directives and assignments from a parsed report.

    ``choices`` holds the reviewer's corrections by item number ("6", "6.1"); items without one
    take the parser's proposal and ``default_deadline`` (the period's last day when None).
    Idempotent: the same text (by content hash) imported again creates nothing.
    """
    existing = imported_source(original_text)
    if existing is not None:
        return ImportResult(source=existing, already_imported=True)
    if parsed.kind != "month":  # phase 1: periods are months; see tracker/intake/periods.py
        raise DirectiveError(
            f"Báo cáo giao nhiệm vụ cho {parsed.target.label}; hiện hệ thống chỉ nhập được "
            "nhiệm vụ theo tháng. Hãy chọn kỳ (tháng/năm) khi nhập để đưa các nhiệm vụ vào "
            "tháng đó."
        )
    choices = choices or {}
    units = units_by_code()
    for number, choice in choices.items():
        check_choice(number, choice, units)
    period = get_or_create_period(parsed.year, parsed.month)
    deadline = default_deadline if default_deadline is not None else period.last_day
    assigned_on = assigned_on or clock.today()
    source = SourceDocument(
        number=parsed.document_number,
        issued_on=parsed.issued_on,
        issuer=issuer,
        title=parsed.title or f"Nhiệm vụ trọng tâm tháng {period.label}",
        original_text=original_text,
        content_hash=content_hash(original_text),
        period=period,
        created_at=clock.now(),
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(source)
    db.session.flush()
    result = ImportResult(source=source)
    position = _next_position(period.id, None)
    created: dict[str, Directive] = {}
    child_positions: dict[str, int] = {}
    for item, parent_item in walk(parsed.items):
        parent = created[parent_item.number] if parent_item else None
        proposal = ItemChoice(
            field=item.field or (parent.field if parent else DEFAULT_FIELD),
            lead_units=list(item.lead_units),
            support_units=list(item.support_units),
            deadline=deadline,
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
    return result


def check_choice(number: str, choice: ItemChoice, units: dict[str, Unit]) -> None:
    if choice.field not in FIELD_LABELS:
        raise DirectiveError(f"Nhiệm vụ {number}: lĩnh vực không hợp lệ.")
    if not choice.lead_units:
        raise DirectiveError(f"Nhiệm vụ {number}: chưa chọn đơn vị chủ trì.")
    unknown = [c for c in (*choice.lead_units, *choice.support_units) if c not in units]
    if unknown:
        raise DirectiveError(f"Nhiệm vụ {number}: không có đơn vị mã {', '.join(unknown)}.")
    both = set(choice.lead_units) & set(choice.support_units)
    if both:
        names = ", ".join(units[c].name for c in sorted(both))
        raise DirectiveError(
            f"Nhiệm vụ {number}: {names} vừa là đơn vị chủ trì vừa là đơn vị phối hợp."
        )
    _check_deadline_year(choice.deadline)


def _next_position(period_id: int, parent_id: int | None) -> int:
    parent_clause = (
        Directive.parent_id.is_(None) if parent_id is None else Directive.parent_id == parent_id
    )
    current = db.session.scalar(
        sa.select(sa.func.max(Directive.position)).where(
            Directive.period_id == period_id, parent_clause
        )
    )
    return (current or 0) + 1


def _create_from_item(
    item: ParsedItem,
    choice: ItemChoice,
    period_id: int,
    source_id: int,
    parent: Directive | None,
    position: int,
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
            assigned[code] = role
            directive.assignments.append(
                Assignment(
                    unit=unit,
                    role=role,
                    deadline=choice.deadline,
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
    filename: str, text: str, period_key: str | None, *, user: object | None = None
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
    choices: dict[str, ItemChoice],
    *,
    user: object | None = None,
    assigned_on: dt.date | None = None,
) -> ImportResult:
    """Import a reviewed draft once; a second confirm finds it done and creates nothing."""
    if draft.source_id is not None:
        return ImportResult(source=draft.source, already_imported=True)
    result = import_report(
        parsed, draft.text, user=user, assigned_on=assigned_on, choices=choices
    )
    draft.source_id = result.source.id
    draft.confirmed_at = clock.now()
    db.session.flush()
    return result


# --------------------------------------------------------------------------------------------
# Directives by hand
# --------------------------------------------------------------------------------------------


@dataclass
class DirectiveInput:
    number: str
    title: str
    text: str
    field: str
    deadline: dt.date | None
    leader_id: int | None
    parent_id: int | None
    period: tuple[int, int] | None  # (year, month); sub-directives take the parent's


def directive_snapshot(directive: Directive) -> dict[str, object]:
    return {
        "number": directive.number,
        "title": directive.title,
        "text": directive.text,
        "field": directive.field,
        "deadline": directive.deadline.isoformat() if directive.deadline else None,
        "leader_id": directive.leader_id,
        "parent_id": directive.parent_id,
        "period_id": directive.period_id,
    }


def _check_deadline_year(deadline: dt.date | None) -> None:
    if deadline is not None and not 2000 <= deadline.year <= 2100:
        raise DirectiveError("Thời hạn phải trong khoảng năm 2000 đến 2100.")


def _check_directive_input(data: DirectiveInput) -> None:
    if not data.number:
        raise DirectiveError("Số thứ tự không được để trống.")
    if len(data.number) > MAX_NUMBER:
        raise DirectiveError(f"Số thứ tự dài tối đa {MAX_NUMBER} ký tự.")
    if not data.title:
        raise DirectiveError("Tên nhiệm vụ không được để trống.")
    if len(data.title) > MAX_TITLE:
        raise DirectiveError(f"Tên nhiệm vụ dài tối đa {MAX_TITLE} ký tự.")
    if len(data.text) > MAX_TEXT:
        raise DirectiveError(f"Nội dung nhiệm vụ dài tối đa {MAX_TEXT} ký tự.")
    if data.field not in FIELD_LABELS:
        raise DirectiveError("Lĩnh vực không hợp lệ.")
    _check_deadline_year(data.deadline)
    if data.leader_id is not None:
        leader = db.session.get(User, data.leader_id)
        if leader is None or leader.role != LEADER or not leader.active:
            raise DirectiveError(
                "Lãnh đạo phụ trách phải là một tài khoản lãnh đạo đang hoạt động."
            )


def _resolve_parent(data: DirectiveInput, directive: Directive | None) -> Directive | None:
    if data.parent_id is None:
        return None
    parent = db.session.get(Directive, data.parent_id)
    if parent is None:
        raise DirectiveError("Không có nhiệm vụ cha đã chọn.")
    if directive is not None and parent.id == directive.id:
        raise DirectiveError("Một nhiệm vụ không thể là nhiệm vụ con của chính nó.")
    if parent.parent_id is not None:
        raise DirectiveError("Chỉ có thể thêm nhiệm vụ con cho nhiệm vụ cấp trên cùng.")
    if parent.is_withdrawn:
        raise DirectiveError("Nhiệm vụ cha đã rút, không thể thêm nhiệm vụ con.")
    if directive is not None and directive.children:
        raise DirectiveError("Nhiệm vụ đang có nhiệm vụ con nên không thể làm nhiệm vụ con.")
    return parent


def _check_number_free(
    number: str, period_id: int, parent_id: int | None, directive: Directive | None
) -> None:
    parent_clause = (
        Directive.parent_id.is_(None) if parent_id is None else Directive.parent_id == parent_id
    )
    query = sa.select(Directive.id).where(
        Directive.period_id == period_id,
        parent_clause,
        Directive.number == number,
        Directive.withdrawn_at.is_(None),
    )
    if directive is not None:
        query = query.where(Directive.id != directive.id)
        if directive.source_id is not None:
            clash = db.session.scalar(
                sa.select(Directive.id).where(
                    Directive.source_id == directive.source_id,
                    Directive.number == number,
                    Directive.id != directive.id,
                )
            )
            if clash is not None:
                raise DirectiveError(f"Số thứ tự {number} đã có trong cùng văn bản.")
    if db.session.scalar(query.limit(1)) is not None:
        raise DirectiveError(f"Số thứ tự {number} đã có trong kỳ này.")


def create_directive(data: DirectiveInput, *, user: object | None = None) -> Directive:
    _check_directive_input(data)
    parent = _resolve_parent(data, None)
    if parent is not None:
        period_id = parent.period_id
    else:
        if data.period is None:
            raise DirectiveError("Hãy chọn kỳ (tháng/năm) của nhiệm vụ.")
        period_id = get_or_create_period(*data.period).id
    _check_number_free(data.number, period_id, data.parent_id, None)
    directive = Directive(
        period_id=period_id,
        parent_id=parent.id if parent else None,
        number=data.number,
        position=_next_position(period_id, parent.id if parent else None),
        title=data.title,
        text=data.text,
        search_text=search_text(data.number, data.title, data.text),
        field=data.field,
        deadline=data.deadline,
        leader_id=data.leader_id,
        created_by_id=getattr(user, "id", None),
        created_at=clock.now(),
    )
    db.session.add(directive)
    db.session.flush()
    audit.record(
        "directive", directive.id, "create", None, directive_snapshot(directive), user=user,
        directive_id=directive.id,
    )
    return directive


def update_directive(
    directive: Directive, data: DirectiveInput, *, user: object | None = None
) -> bool:
    """Apply the edit form; False when nothing changed (no audit event then)."""
    if directive.is_withdrawn:
        raise DirectiveError("Nhiệm vụ đã rút, không thể sửa.")
    _check_directive_input(data)
    parent = _resolve_parent(data, directive)
    if parent is not None:
        period_id = parent.period_id
    elif data.period is not None:
        period_id = get_or_create_period(*data.period).id
    else:
        period_id = directive.period_id
    _check_number_free(data.number, period_id, data.parent_id, directive)
    before = directive_snapshot(directive)
    if directive.parent_id != data.parent_id or directive.period_id != period_id:
        directive.position = _next_position(period_id, data.parent_id)
    directive.number = data.number
    directive.title = data.title
    directive.text = data.text
    directive.field = data.field
    directive.deadline = data.deadline
    directive.leader_id = data.leader_id
    directive.parent_id = data.parent_id
    directive.period_id = period_id
    directive.search_text = search_text(data.number, data.title, data.text)
    for child in directive.children:  # sub-directives stay in their parent's period
        child.period_id = period_id
    return _audit_changes(
        "directive", directive.id, "update", before, directive_snapshot(directive), user,
        directive_id=directive.id,
    )


def withdraw_directive(directive: Directive, reason: str, *, user: object | None = None) -> int:
    """Withdraw a directive and its sub-directives; their assignments go to "withdrawn".

    Returns how many directives were withdrawn.
    """
    reason = (reason or "").strip()
    if directive.is_withdrawn:
        raise DirectiveError("Nhiệm vụ này đã được rút trước đó.")
    if not reason:
        raise DirectiveError("Hãy nêu lý do rút nhiệm vụ.")
    if len(reason) > MAX_REASON:
        raise DirectiveError(f"Lý do dài tối đa {MAX_REASON} ký tự.")
    now = clock.now()
    count = 0
    for item in [directive, *directive.children]:
        if item.is_withdrawn:
            continue
        states = {str(a.id): a.state for a in item.assignments}
        item.withdrawn_at = now
        item.withdrawn_reason = reason
        for assignment in item.assignments:
            assignment.state = WITHDRAWN
        db.session.flush()
        audit.record(
            "directive",
            item.id,
            "withdraw",
            {"withdrawn_at": None, "assignment_states": states},
            {
                "withdrawn_at": now.isoformat(),
                "withdrawn_reason": reason,
                "assignment_states": {key: WITHDRAWN for key in states},
            },
            user=user,
            directive_id=item.id,
        )
        count += 1
    return count


# --------------------------------------------------------------------------------------------
# Assignments
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineSpec:
    """A deadline as the user gave it: a date, N working days from assignment, or none."""

    kind: str
    day: dt.date | None = None
    working_days: int | None = None

    def resolve(self, assigned_on: dt.date) -> tuple[dt.date | None, str | None]:
        """(deadline, basis text) for an assignment given on ``assigned_on``."""
        if self.kind == NO_DEADLINE:
            return None, None
        if self.kind == WORKING_DAYS_DEADLINE:
            n = self.working_days
            if n is None or not 1 <= n <= MAX_WORKING_DAYS:
                raise DirectiveError(
                    f"Số ngày làm việc phải từ 1 đến {MAX_WORKING_DAYS}."
                )
            deadline = load_calendar().add_working_days(assigned_on, n)
            return deadline, f"{n} ngày làm việc kể từ ngày {fmt_date(assigned_on)}"
        if self.kind == DATE_DEADLINE and self.day is not None:
            _check_deadline_year(self.day)
            if self.day < assigned_on:
                raise DirectiveError(
                    f"Thời hạn {fmt_date(self.day)} trước ngày giao {fmt_date(assigned_on)}."
                )
            return self.day, None
        raise DirectiveError("Hãy chọn thời hạn: một ngày, số ngày làm việc, hoặc thường xuyên.")


def assignment_snapshot(assignment: Assignment) -> dict[str, object]:
    return {
        "unit_id": assignment.unit_id,
        "role": assignment.role,
        "deadline": assignment.deadline.isoformat() if assignment.deadline else None,
        "deadline_basis": assignment.deadline_basis,
        "assigned_on": assignment.assigned_on.isoformat() if assignment.assigned_on else None,
        "state": assignment.state,
    }


LOCKED_MESSAGE = (
    "Đơn vị đã báo cáo tiến độ (hoặc đã đề nghị gia hạn) nên không thể sửa hay xóa phân công "
    "này; thời hạn chỉ thay đổi qua đề nghị gia hạn."
)


def assignment_locked(assignment: Assignment) -> bool:
    """Once a unit has reported, its assignment is history: no edits, no removal."""
    return bool(
        assignment.updates
        or assignment.extension_requests
        or assignment.state != NOT_STARTED
    )


def assign_unit(
    directive: Directive,
    unit: Unit,
    role: str,
    spec: DeadlineSpec,
    *,
    user: object | None = None,
    today: dt.date | None = None,
) -> Assignment:
    if directive.is_withdrawn:
        raise DirectiveError("Nhiệm vụ đã rút, không thể phân công.")
    if role not in ROLES:
        raise DirectiveError("Vai trò phải là chủ trì hoặc phối hợp.")
    if not unit.active:
        raise DirectiveError(f"{unit.name} đã ngừng hoạt động, không thể phân công.")
    if any(a.unit_id == unit.id for a in directive.assignments):
        raise DirectiveError(
            f"{unit.name} đã được phân công cho nhiệm vụ này; hãy sửa phân công hiện có."
        )
    assigned_on = today or clock.today()
    deadline, basis = spec.resolve(assigned_on)
    assignment = Assignment(
        unit=unit,
        role=role,
        deadline=deadline,
        deadline_basis=basis,
        assigned_on=assigned_on,
        state=NOT_STARTED,
    )
    directive.assignments.append(assignment)
    db.session.flush()
    audit.record(
        "assignment", assignment.id, "create", None, assignment_snapshot(assignment), user=user,
        directive_id=directive.id,
    )
    return assignment


def update_assignment(
    assignment: Assignment,
    role: str,
    spec: DeadlineSpec,
    *,
    expected_version: int | None = None,
    user: object | None = None,
) -> bool:
    """Change role and deadline of an assignment no unit has reported on yet."""
    if expected_version is not None and expected_version != assignment.version:
        raise ConflictError(
            "Phân công này vừa được người khác thay đổi sau khi bạn mở biểu mẫu. "
            "Hãy xem lại thông tin hiện tại rồi sửa lại."
        )
    if assignment.directive.is_withdrawn:
        raise DirectiveError("Nhiệm vụ đã rút, không thể sửa phân công.")
    if assignment_locked(assignment):
        raise DirectiveError(LOCKED_MESSAGE)
    if role not in ROLES:
        raise DirectiveError("Vai trò phải là chủ trì hoặc phối hợp.")
    assigned_on = assignment.assigned_on or clock.today()
    deadline, basis = spec.resolve(assigned_on)
    before = assignment_snapshot(assignment)
    assignment.role = role
    assignment.deadline = deadline
    assignment.deadline_basis = basis
    return _audit_changes(
        "assignment", assignment.id, "update", before, assignment_snapshot(assignment), user,
        directive_id=assignment.directive_id,
    )


def remove_assignment(assignment: Assignment, *, user: object | None = None) -> None:
    if assignment.directive.is_withdrawn:
        raise DirectiveError("Nhiệm vụ đã rút, không thể sửa phân công.")
    if assignment_locked(assignment):
        raise DirectiveError(LOCKED_MESSAGE)
    before = {**assignment_snapshot(assignment), "unit": assignment.unit.name}
    directive_id, assignment_id = assignment.directive_id, assignment.id
    assignment.directive.assignments.remove(assignment)
    db.session.flush()
    audit.record(
        "assignment", assignment_id, "delete", before, None, user=user,
        directive_id=directive_id,
    )
