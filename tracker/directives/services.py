"""Directive rules: create and edit directives, assign units, withdraw.

Services flush and never commit (tracker/core/uow.py commits once per request, command or job).
Every change writes an audit event with the values before and after. A broken rule raises a
UserError with a Vietnamese message, shown as is; nothing is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from tracker.auth.models import User
from tracker.calendar.services import load_calendar
from tracker.constants import ASSIGNMENT_ROLES, LEADER, NOT_STARTED, OFFICER, WITHDRAWN
from tracker.core import audit, clock
from tracker.core.errors import Conflict, UserError, claim_version
from tracker.core.formatting import fmt_date
from tracker.core.periods import MAX_YEAR, MIN_YEAR, PeriodKey
from tracker.directives import events
from tracker.directives.fields import FIELD_LABELS
from tracker.directives.models import Assignment, Directive
from tracker.directives.queries import get_or_create_period, next_position
from tracker.directives.search import search_text
from tracker.extensions import db
from tracker.units.lineage import ensure_can_receive
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

STALE_DIRECTIVE = (
    "Nhiệm vụ này vừa được người khác sửa sau khi bạn mở biểu mẫu. Nội dung của bạn chưa được "
    "lưu; hãy tải lại trang, xem bản hiện tại rồi sửa lại."
)
NO_DEADLINE = "none"
DATE_DEADLINE = "date"
WORKING_DAYS_DEADLINE = "working_days"


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
    period: PeriodKey | None  # sub-directives take the parent's


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


def check_deadline_year(deadline: dt.date | None) -> None:
    if deadline is not None and not MIN_YEAR <= deadline.year <= MAX_YEAR:
        raise UserError(f"Thời hạn phải trong khoảng năm {MIN_YEAR} đến {MAX_YEAR}.")


def _check_directive_input(data: DirectiveInput) -> None:
    if not data.number:
        raise UserError("Số thứ tự không được để trống.")
    if len(data.number) > MAX_NUMBER:
        raise UserError(f"Số thứ tự dài tối đa {MAX_NUMBER} ký tự.")
    if not data.title:
        raise UserError("Tên nhiệm vụ không được để trống.")
    if len(data.title) > MAX_TITLE:
        raise UserError(f"Tên nhiệm vụ dài tối đa {MAX_TITLE} ký tự.")
    if len(data.text) > MAX_TEXT:
        raise UserError(f"Nội dung nhiệm vụ dài tối đa {MAX_TEXT} ký tự.")
    if data.field not in FIELD_LABELS:
        raise UserError("Lĩnh vực không hợp lệ.")
    check_deadline_year(data.deadline)
    if data.leader_id is not None:
        leader = db.session.get(User, data.leader_id)
        if leader is None or leader.role != LEADER or not leader.active:
            raise UserError(
                "Lãnh đạo phụ trách phải là một tài khoản lãnh đạo đang hoạt động."
            )


def _resolve_parent(data: DirectiveInput, directive: Directive | None) -> Directive | None:
    if data.parent_id is None:
        return None
    parent = db.session.get(Directive, data.parent_id)
    if parent is None:
        raise UserError("Không có nhiệm vụ cha đã chọn.")
    if directive is not None and parent.id == directive.id:
        raise UserError("Một nhiệm vụ không thể là nhiệm vụ con của chính nó.")
    if parent.parent_id is not None:
        raise UserError("Chỉ có thể thêm nhiệm vụ con cho nhiệm vụ cấp trên cùng.")
    if parent.is_withdrawn:
        raise UserError("Nhiệm vụ cha đã rút, không thể thêm nhiệm vụ con.")
    if directive is not None and directive.children:
        raise UserError("Nhiệm vụ đang có nhiệm vụ con nên không thể làm nhiệm vụ con.")
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
                raise UserError(f"Số thứ tự {number} đã có trong cùng văn bản.")
    if db.session.scalar(query.limit(1)) is not None:
        raise UserError(f"Số thứ tự {number} đã có trong kỳ này.")


def create_directive(data: DirectiveInput, *, user: User | None = None) -> Directive:
    _check_directive_input(data)
    parent = _resolve_parent(data, None)
    if parent is not None:
        period_id = parent.period_id
    else:
        if data.period is None:
            raise UserError("Hãy chọn kỳ (tháng/năm) của nhiệm vụ.")
        period_id = get_or_create_period(data.period).id
    _check_number_free(data.number, period_id, data.parent_id, None)
    directive = Directive(
        period_id=period_id,
        parent_id=parent.id if parent else None,
        number=data.number,
        position=next_position(period_id, parent.id if parent else None),
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
    directive: Directive,
    data: DirectiveInput,
    *,
    user: User | None = None,
    expected_version: int | None = None,
) -> bool:
    """Apply the edit form; False when nothing changed (no audit event then).

    ``expected_version``: the version the form showed (None only from trusted callers)."""
    if directive.is_withdrawn:
        raise UserError("Nhiệm vụ đã rút, không thể sửa.")
    if expected_version is not None:
        claim_version(directive, expected_version, message=STALE_DIRECTIVE)
    _check_directive_input(data)
    parent = _resolve_parent(data, directive)
    if parent is not None:
        period_id = parent.period_id
    elif data.period is not None:
        period_id = get_or_create_period(data.period).id
    else:
        period_id = directive.period_id
    _check_number_free(data.number, period_id, data.parent_id, directive)
    before = directive_snapshot(directive)
    if directive.parent_id != data.parent_id or directive.period_id != period_id:
        directive.position = next_position(period_id, data.parent_id)
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
    return audit.record_changes(
        "directive", directive.id, "update", before, directive_snapshot(directive), user=user,
        directive_id=directive.id,
    )


def withdraw_directive(directive: Directive, reason: str, *, user: User | None = None) -> int:
    """Withdraw a directive and its sub-directives; their assignments go to "withdrawn".

    Returns how many directives were withdrawn.
    """
    reason = (reason or "").strip()
    if directive.is_withdrawn:
        raise UserError("Nhiệm vụ này đã được rút trước đó.")
    if not reason:
        raise UserError("Hãy nêu lý do rút nhiệm vụ.")
    if len(reason) > MAX_REASON:
        raise UserError(f"Lý do dài tối đa {MAX_REASON} ký tự.")
    now = clock.now()
    withdrawn = []
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
        withdrawn.append(item)
    events.directive_withdrawn(withdrawn, reason, user)
    return len(withdrawn)


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
                raise UserError(
                    f"Số ngày làm việc phải từ 1 đến {MAX_WORKING_DAYS}."
                )
            deadline = load_calendar().add_working_days(assigned_on, n)
            return deadline, f"{n} ngày làm việc kể từ ngày {fmt_date(assigned_on)}"
        if self.kind == DATE_DEADLINE and self.day is not None:
            check_deadline_year(self.day)
            if self.day < assigned_on:
                raise UserError(
                    f"Thời hạn {fmt_date(self.day)} trước ngày giao {fmt_date(assigned_on)}."
                )
            return self.day, None
        raise UserError("Hãy chọn thời hạn: một ngày, số ngày làm việc, hoặc thường xuyên.")


def assignment_snapshot(assignment: Assignment) -> dict[str, object]:
    return {
        "unit_id": assignment.unit_id,
        "officer_id": assignment.officer_id,
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


def check_officer(officer: User | None, unit: Unit) -> None:
    """A named assignee is an active officer (công chức) of the assigned unit."""
    if officer is None:
        return
    if officer.role != OFFICER or not officer.active or officer.unit_id != unit.id:
        raise UserError(
            f"{officer.full_name} không phải cán bộ đang làm việc tại {unit.name}; chỉ giao "
            "cho công chức của chính đơn vị được giao."
        )


def assign_unit(
    directive: Directive,
    unit: Unit,
    role: str,
    spec: DeadlineSpec,
    *,
    user: User | None = None,
    today: dt.date | None = None,
    officer: User | None = None,
) -> Assignment:
    if directive.is_withdrawn:
        raise UserError("Nhiệm vụ đã rút, không thể phân công.")
    if role not in ASSIGNMENT_ROLES:
        raise UserError("Vai trò phải là chủ trì hoặc phối hợp.")
    assigned_on = today or clock.today()
    ensure_can_receive(unit, assigned_on)  # switched off, not started, or ended (merged)
    check_officer(officer, unit)
    if any(a.unit_id == unit.id for a in directive.assignments):
        raise UserError(
            f"{unit.name} đã được phân công cho nhiệm vụ này; hãy sửa phân công hiện có."
        )
    deadline, basis = spec.resolve(assigned_on)
    assignment = Assignment(
        unit=unit,
        officer=officer,
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
    events.assignments_created([assignment], user)
    return assignment


def update_assignment(
    assignment: Assignment,
    role: str,
    spec: DeadlineSpec,
    *,
    expected_version: int | None = None,
    user: User | None = None,
) -> bool:
    """Change role and deadline of an assignment no unit has reported on yet."""
    if expected_version is not None and expected_version != assignment.version:
        raise Conflict(
            "Phân công này vừa được người khác thay đổi sau khi bạn mở biểu mẫu. "
            "Hãy xem lại thông tin hiện tại rồi sửa lại."
        )
    if assignment.directive.is_withdrawn:
        raise UserError("Nhiệm vụ đã rút, không thể sửa phân công.")
    if assignment_locked(assignment):
        raise UserError(LOCKED_MESSAGE)
    if role not in ASSIGNMENT_ROLES:
        raise UserError("Vai trò phải là chủ trì hoặc phối hợp.")
    assigned_on = assignment.assigned_on or clock.today()
    deadline, basis = spec.resolve(assigned_on)
    before = assignment_snapshot(assignment)
    assignment.role = role
    assignment.deadline = deadline
    assignment.deadline_basis = basis
    return audit.record_changes(
        "assignment", assignment.id, "update", before, assignment_snapshot(assignment),
        user=user, directive_id=assignment.directive_id,
    )


def remove_assignment(assignment: Assignment, *, user: User | None = None) -> None:
    if assignment.directive.is_withdrawn:
        raise UserError("Nhiệm vụ đã rút, không thể sửa phân công.")
    if assignment_locked(assignment):
        raise UserError(LOCKED_MESSAGE)
    before = {**assignment_snapshot(assignment), "unit": assignment.unit.name}
    directive_id, assignment_id = assignment.directive_id, assignment.id
    assignment.directive.assignments.remove(assignment)
    db.session.flush()
    audit.record(
        "assignment", assignment_id, "delete", before, None, user=user,
        directive_id=directive_id,
    )


def set_officer(
    assignment: Assignment, officer: User | None, *, user: User | None = None
) -> bool:
    """Name (or clear) the officer who carries a unit's assignment; allowed after reporting
    too, since it moves no deadline. False when nothing changed."""
    if assignment.directive.is_withdrawn:
        raise UserError("Nhiệm vụ đã rút, không thể sửa phân công.")
    check_officer(officer, assignment.unit)
    before = assignment_snapshot(assignment)
    assignment.officer = officer
    assignment.officer_id = officer.id if officer is not None else None
    return audit.record_changes(
        "assignment", assignment.id, "officer", before, assignment_snapshot(assignment),
        user=user, directive_id=assignment.directive_id,
    )
