"""Admin rules for users and units. Flush, never commit; every change is audited.

Units are dated data: a unit with assignments is never deleted (it is ended with a date), a
merge or rename is a "replaced by" link that cannot form a cycle, and a unit cannot end before
work it was given.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from tracker.auth.models import User
from tracker.auth.services import end_all_sessions
from tracker.constants import ADMIN, OFFICER, USER_ROLES
from tracker.core import audit, clock
from tracker.core.errors import UserError, check_version, claim_version
from tracker.core.formatting import fmt_date
from tracker.directives.models import Assignment
from tracker.extensions import db
from tracker.intake.models import RoutingRule
from tracker.units import kinds, lineage
from tracker.units.models import SUCCESSION_KINDS, Unit, UnitSuccession

STALE_USER = (
    "Tài khoản này vừa được người khác thay đổi sau khi bạn mở biểu mẫu. Thông tin của bạn chưa "
    "được lưu; hãy tải lại trang, xem thông tin hiện tại rồi sửa lại."
)
USER_FIELDS = ("full_name", "title", "email", "role", "unit_id", "active")
UNIT_FIELDS = ("code", "name", "kind", "unit_type", "email", "active", "parent_id",
               "valid_from", "ended_on")
_UNCHANGED: Any = object()


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    out = {}
    for name in fields:
        value = getattr(obj, name)
        out[name] = value.isoformat() if isinstance(value, dt.date) else value
    return out


def unit_snapshot(unit: Unit) -> dict[str, Any]:
    return _snapshot(unit, UNIT_FIELDS)


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def update_user(
    user: User,
    *,
    actor: User,
    full_name: str,
    title: str | None,
    email: str | None,
    role: str,
    unit_id: int | None,
    active: bool,
    expected_version: int | None = None,
) -> None:
    """Change a user's profile, role, unit and active flag.

    Officers must belong to an active unit; an admin cannot demote or deactivate themself (the
    system must keep a way in). Deactivation and role changes end the user's sessions.
    ``expected_version``: the edit_version the admin's form showed; a stale form is a 409, so
    an account deactivated meanwhile is not re-activated by an old form.
    """
    if expected_version is not None:
        claim_version(user, expected_version, column="edit_version", message=STALE_USER)
    if role not in USER_ROLES:
        raise UserError("Vai trò không hợp lệ.")
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit_id and unit is None:
        raise UserError("Đơn vị không tồn tại.")
    if role == OFFICER and unit is None:
        raise UserError("Cán bộ đơn vị phải thuộc một đơn vị.")
    if user.id == actor.id and (role != ADMIN or not active):
        raise UserError("Bạn không thể tự bỏ quyền quản trị hoặc tự khóa tài khoản của mình.")
    before = _snapshot(user, USER_FIELDS)
    user.full_name = full_name.strip()
    user.title = _clean(title)
    user.email = _clean(email)
    user.role = role
    user.unit_id = unit.id if unit else None
    user.unit = unit
    user.active = active
    after = _snapshot(user, USER_FIELDS)
    if after == before:
        return
    if expected_version is None:  # a trusted caller (onboarding): open forms become stale
        user.edit_version = (user.edit_version or 1) + 1
    if before["role"] != role or (before["active"] and not active):
        end_all_sessions(user)
    audit.record("user", user.id, "update", before, after, user=actor)


# --- units -----------------------------------------------------------------------------------


def resolve_type(kind: str, name: str, unit_type: str | None = None) -> str:
    """The typed kind from either a typed kind or one of the coarse classes (the importer may
    create a unit as "ward" or "department"; the name then tells xã from phường)."""
    if unit_type:
        kind = unit_type
    if kind in kinds.UNIT_TYPES:
        return kind
    if kind in kinds.CLASS_LABELS:
        return kinds.infer_type(kind, name)
    raise UserError("Loại đơn vị không hợp lệ.")


def _check_dates(valid_from: dt.date | None, ended_on: dt.date | None) -> None:
    if valid_from is not None and ended_on is not None and ended_on <= valid_from:
        raise UserError(
            f"Ngày ngừng hoạt động ({fmt_date(ended_on)}) phải sau ngày bắt đầu hoạt động "
            f"({fmt_date(valid_from)})."
        )


def _check_parent(unit: Unit | None, parent_id: int | None) -> Unit | None:
    if parent_id is None:
        return None
    parent = db.session.get(Unit, parent_id)
    if parent is None:
        raise UserError("Đơn vị cấp trên không tồn tại.")
    if unit is not None:
        seen = {unit.id}
        node: Unit | None = parent
        while node is not None:
            if node.id in seen:
                raise UserError("Đơn vị cấp trên không thể là chính nó hoặc đơn vị cấp dưới "
                                "của nó.")
            seen.add(node.id)
            node = node.parent
    return parent


def _check_work_within(unit: Unit, valid_from: dt.date | None, ended_on: dt.date | None) -> None:
    """A unit cannot start after, or end before, work it was given."""
    if unit.id is None or (valid_from is None and ended_on is None):
        return
    first, last = db.session.execute(
        sa.select(sa.func.min(Assignment.assigned_on), sa.func.max(Assignment.assigned_on))
        .where(Assignment.unit_id == unit.id)
    ).one()
    if ended_on is not None and last is not None and last >= ended_on:
        raise UserError(
            f"{unit.name} được giao việc ngày {fmt_date(last)}, nên không thể ngừng hoạt động "
            f"từ ngày {fmt_date(ended_on)}."
        )
    if valid_from is not None and first is not None and first < valid_from:
        raise UserError(
            f"{unit.name} đã được giao việc ngày {fmt_date(first)}, trước ngày bắt đầu hoạt "
            f"động {fmt_date(valid_from)}."
        )


def create_unit(
    *,
    code: str,
    name: str,
    kind: str,
    email: str | None,
    active: bool,
    unit_type: str | None = None,
    parent_id: int | None = None,
    valid_from: dt.date | None = None,
    ended_on: dt.date | None = None,
    actor: User | None = None,
) -> Unit:
    """A new unit; ``kind`` is a typed kind (tracker/units/kinds.py) or a coarse class."""
    code = code.strip().upper()
    name = " ".join(name.split())
    if not code or not name:
        raise UserError("Mã và tên đơn vị không được để trống.")
    if db.session.scalar(sa.select(Unit.id).where(Unit.code == code)) is not None:
        raise UserError(f"Mã đơn vị {code} đã tồn tại.")
    resolved = resolve_type(kind, name, unit_type)
    _check_dates(valid_from, ended_on)
    parent = _check_parent(None, parent_id)
    position = (db.session.scalar(sa.select(sa.func.max(Unit.position))) or 0) + 1
    unit = Unit(
        code=code, name=name, kind=kinds.class_of(resolved), unit_type=resolved,
        email=_clean(email), active=active, position=position,
        parent_id=parent.id if parent else None, valid_from=valid_from, ended_on=ended_on,
    )
    db.session.add(unit)
    db.session.flush()
    audit.record("unit", unit.id, "create", None, _snapshot(unit, UNIT_FIELDS), user=actor)
    return unit


def update_unit(
    unit: Unit,
    *,
    name: str,
    kind: str,
    email: str | None,
    active: bool,
    parent_id: Any = _UNCHANGED,
    valid_from: Any = _UNCHANGED,
    ended_on: Any = _UNCHANGED,
    expected_version: int | None = None,
    actor: User | None = None,
) -> bool:
    """The code is fixed once created: import rules and reports refer to it. False when
    nothing changed."""
    if expected_version is not None:
        check_version(unit.version, expected_version)
    name = " ".join(name.split())
    if not name:
        raise UserError("Tên đơn vị không được để trống.")
    resolved = resolve_type(kind, name)
    new_from = unit.valid_from if valid_from is _UNCHANGED else valid_from
    new_end = unit.ended_on if ended_on is _UNCHANGED else ended_on
    _check_dates(new_from, new_end)
    _check_work_within(unit, new_from if new_from != unit.valid_from else None,
                       new_end if new_end != unit.ended_on else None)
    parent = _check_parent(unit, parent_id) if parent_id is not _UNCHANGED else unit.parent
    before = _snapshot(unit, UNIT_FIELDS)
    unit.parent_id = parent.id if parent else None
    unit.name = name
    unit.unit_type = resolved
    unit.kind = kinds.class_of(resolved)
    unit.email = _clean(email)
    unit.active = active
    unit.valid_from, unit.ended_on = new_from, new_end
    after = _snapshot(unit, UNIT_FIELDS)
    return audit.record_changes("unit", unit.id, "update", before, after, user=actor)


def unit_usage(unit: Unit) -> dict[str, int]:
    """What refers to a unit: assignments, users, sub-units, merge links, routing rules."""
    def count(stmt: sa.Select) -> int:
        return int(db.session.scalar(stmt) or 0)

    rules = [
        codes for codes in db.session.scalars(sa.select(RoutingRule.unit_codes))
        if unit.code in {c.strip() for c in (codes or "").split(",")}
    ]
    return {
        "assignments": count(sa.select(sa.func.count()).select_from(Assignment)
                             .where(Assignment.unit_id == unit.id)),
        "users": count(sa.select(sa.func.count()).select_from(User)
                       .where(User.unit_id == unit.id)),
        "children": count(sa.select(sa.func.count()).select_from(Unit)
                          .where(Unit.parent_id == unit.id)),
        "links": count(sa.select(sa.func.count()).select_from(UnitSuccession).where(
            sa.or_(UnitSuccession.predecessor_id == unit.id,
                   UnitSuccession.successor_id == unit.id))),
        "rules": len(rules),
    }


def delete_unit(unit: Unit, *, actor: User | None = None) -> None:
    """Only a unit nothing refers to (created by mistake); one with work is ended instead."""
    usage = unit_usage(unit)
    if usage["assignments"]:
        raise UserError(
            f"{unit.name} đã được giao {usage['assignments']} nhiệm vụ nên không thể xóa; hãy "
            "nhập ngày ngừng hoạt động để giữ lịch sử."
        )
    reasons = {
        "users": "người dùng thuộc đơn vị", "children": "đơn vị cấp dưới",
        "links": "liên kết sáp nhập, đổi tên", "rules": "quy tắc phân công dùng mã đơn vị",
    }
    found = [f"{usage[k]} {label}" for k, label in reasons.items() if usage[k]]
    if found:
        raise UserError(f"Không thể xóa {unit.name}: còn {', '.join(found)}.")
    before, unit_id = _snapshot(unit, UNIT_FIELDS), unit.id
    db.session.delete(unit)
    db.session.flush()
    audit.record("unit", unit_id, "delete", before, None, user=actor)


def record_succession(
    predecessor: Unit,
    successor: Unit,
    effective_on: dt.date,
    kind: str,
    *,
    actor: User | None = None,
) -> UnitSuccession:
    """"predecessor is replaced by successor from effective_on": the predecessor ends that day
    (its history stays its own), the successor must exist then, and no cycle may form."""
    if kind not in SUCCESSION_KINDS:
        raise UserError("Hình thức không hợp lệ (sáp nhập, đổi tên hoặc chia tách).")
    lineage.check_no_cycle(predecessor.id, successor.id, lineage.all_links())
    if db.session.scalar(sa.select(UnitSuccession.id).where(
            UnitSuccession.predecessor_id == predecessor.id,
            UnitSuccession.successor_id == successor.id)) is not None:
        raise UserError(f"Đã ghi nhận {predecessor.name} chuyển về {successor.name}.")
    if not successor.exists_on(effective_on):
        raise UserError(
            f"{successor.name} không hoạt động vào ngày {fmt_date(effective_on)}; hãy kiểm tra "
            "ngày bắt đầu hoạt động của đơn vị thay thế."
        )
    if predecessor.ended_on is not None and predecessor.ended_on != effective_on:
        raise UserError(
            f"{predecessor.name} đã ngừng hoạt động từ ngày {fmt_date(predecessor.ended_on)}; "
            "ngày sáp nhập phải trùng ngày đó."
        )
    if predecessor.ended_on is None:
        _check_work_within(predecessor, None, effective_on)
        _check_dates(predecessor.valid_from, effective_on)
        before = _snapshot(predecessor, UNIT_FIELDS)
        predecessor.ended_on = effective_on
        audit.record("unit", predecessor.id, "end", before,
                     _snapshot(predecessor, UNIT_FIELDS), user=actor)
    link = UnitSuccession(predecessor_id=predecessor.id, successor_id=successor.id,
                          effective_on=effective_on, kind=kind, created_at=clock.now())
    db.session.add(link)
    db.session.flush()
    audit.record("unit_succession", link.id, "create", None, {
        "predecessor": predecessor.code, "successor": successor.code,
        "effective_on": effective_on.isoformat(), "kind": kind,
    }, user=actor)
    return link


def merge_units(
    predecessors: list[Unit], successor: Unit, effective_on: dt.date, *,
    actor: User | None = None,
) -> list[UnitSuccession]:
    """Several units merged into one on a day (e.g. two wards into a new ward on 1/7/2025)."""
    if not predecessors:
        raise UserError("Hãy chọn ít nhất một đơn vị được sáp nhập.")
    return [record_succession(p, successor, effective_on, "merge", actor=actor)
            for p in predecessors]


def remove_succession(link: UnitSuccession, *, actor: User | None = None) -> None:
    """Undo a link recorded by mistake; the predecessor's end date stays (edit it if wrong)."""
    before = {"predecessor_id": link.predecessor_id, "successor_id": link.successor_id,
              "effective_on": link.effective_on.isoformat(), "kind": link.kind}
    link_id = link.id
    db.session.delete(link)
    db.session.flush()
    audit.record("unit_succession", link_id, "delete", before, None, user=actor)
