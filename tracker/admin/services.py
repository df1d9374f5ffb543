"""Admin rules for users and units. Flush, never commit; every change is audited."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tracker.auth.models import User
from tracker.auth.services import end_all_sessions
from tracker.constants import ADMIN, OFFICER, USER_ROLES
from tracker.core import audit
from tracker.core.errors import UserError
from tracker.extensions import db
from tracker.units.catalogue import UNIT_KINDS
from tracker.units.models import Unit

USER_FIELDS = ("full_name", "title", "email", "role", "unit_id", "active")
UNIT_FIELDS = ("code", "name", "kind", "email", "active")


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


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
) -> None:
    """Change a user's profile, role, unit and active flag.

    Officers must belong to an active unit; an admin cannot demote or deactivate themself (the
    system must keep a way in). Deactivation and role changes end the user's sessions.
    """
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
    if before["role"] != role or (before["active"] and not active):
        end_all_sessions(user)
    audit.record("user", user.id, "update", before, after, user=actor)


def create_unit(*, code: str, name: str, kind: str, email: str | None, active: bool) -> Unit:
    code = code.strip().upper()
    if db.session.scalar(sa.select(Unit.id).where(Unit.code == code)) is not None:
        raise UserError(f"Mã đơn vị {code} đã tồn tại.")
    if kind not in UNIT_KINDS:
        raise UserError("Loại đơn vị không hợp lệ.")
    position = (db.session.scalar(sa.select(sa.func.max(Unit.position))) or 0) + 1
    unit = Unit(
        code=code, name=name.strip(), kind=kind, email=_clean(email), active=active,
        position=position,
    )
    db.session.add(unit)
    db.session.flush()
    audit.record("unit", unit.id, "create", None, _snapshot(unit, UNIT_FIELDS))
    return unit


def update_unit(unit: Unit, *, name: str, kind: str, email: str | None, active: bool) -> None:
    """The code is fixed once created: import rules and reports refer to it."""
    if kind not in UNIT_KINDS:
        raise UserError("Loại đơn vị không hợp lệ.")
    before = _snapshot(unit, UNIT_FIELDS)
    unit.name = name.strip()
    unit.kind = kind
    unit.email = _clean(email)
    unit.active = active
    after = _snapshot(unit, UNIT_FIELDS)
    if after != before:
        audit.record("unit", unit.id, "update", before, after)
