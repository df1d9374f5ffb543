"""Bulk onboarding: units and users from an .xlsx, previewed then applied all or nothing.

``plan`` reads the rows against the database and says, row by row, what would be created,
changed, left as it is, or refused and why; it writes nothing. ``apply`` writes a plan without
a single refusal, in the caller's transaction (the request's unit of work). The same file applied
twice changes nothing the second time: rows match units by code and users by username.
New users get the initial password (their own column, else the one typed at confirmation) and
must change it at their first sign-in.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import sqlalchemy as sa

from tracker.admin import services
from tracker.admin.forms import EMAIL_RE
from tracker.admin.workbook import Row, Sheets, fold
from tracker.auth.models import User
from tracker.auth.passwords import hash_password, password_problems
from tracker.constants import ADMIN, OFFICER, USER_ROLES
from tracker.core import audit, clock
from tracker.core.errors import UserError
from tracker.core.formatting import fmt_date
from tracker.core.forms import parse_date
from tracker.directives.models import Assignment
from tracker.extensions import db
from tracker.units import kinds, lineage
from tracker.units.models import MERGE, Unit, UnitSuccession

CREATE, UPDATE, SAME, ERROR = "create", "update", "unchanged", "error"
ACTION_LABELS = {CREATE: "Tạo mới", UPDATE: "Thay đổi", SAME: "Không đổi", ERROR: "Lỗi"}
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9._-]{2,80}$")
_KIND_WORDS = {fold(label): code for code, label in kinds.UNIT_TYPES.items()} | {
    fold(code): code for code in kinds.UNIT_TYPES
} | {fold(h): code for code, h in kinds.TYPE_HEADINGS.items()}
_ROLE_WORDS = {fold(label): code for code, label in USER_ROLES.items()} | {
    fold(code): code for code in USER_ROLES
} | {"quan tri": ADMIN, "lanh dao": "leader", "van phong": "secretariat", "can bo": OFFICER,
     "cong chuc": OFFICER, "chuyen vien": OFFICER, "nguoi xem": "viewer"}


@dataclass
class Line:
    """One row's outcome on the preview."""

    sheet: str
    row: int
    key: str
    name: str
    action: str
    notes: list[str] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[self.action]


@dataclass
class UnitSpec:
    code: str
    name: str
    unit_type: str
    parent: str | None
    email: str | None
    valid_from: dt.date | None
    ended_on: dt.date | None
    replaces: list[str]


@dataclass
class UserSpec:
    username: str
    full_name: str
    role: str
    unit: str | None
    title: str | None
    email: str | None
    password: str | None


@dataclass
class Plan:
    units: list[Line] = field(default_factory=list)
    users: list[Line] = field(default_factory=list)
    unit_specs: dict[str, UnitSpec] = field(default_factory=dict)  # by code, rows without errors
    user_specs: dict[str, UserSpec] = field(default_factory=dict)  # by username (lower case)
    links: list[tuple[str, str, dt.date]] = field(default_factory=list)  # new successions

    @property
    def errors(self) -> list[Line]:
        return [line for line in (*self.units, *self.users) if line.action == ERROR]

    def count(self, lines: list[Line], action: str) -> int:
        return sum(1 for line in lines if line.action == action)

    @property
    def needs_password(self) -> bool:
        """Some new user has no password of their own: the confirmation must give one."""
        return any(line.action == CREATE and not self.user_specs[line.key.lower()].password
                   for line in self.users if line.key.lower() in self.user_specs)

    @property
    def changes_anything(self) -> bool:
        return any(line.action in (CREATE, UPDATE) for line in (*self.units, *self.users))


class _RowError(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def _date(row: Row, key: str, label: str) -> dt.date | None:
    value = row.raw(key)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return parse_date(row.text(key), label)
    except UserError as exc:
        raise _RowError(exc.message) from None


def _email(value: str) -> str | None:
    if value and not EMAIL_RE.match(value):
        raise _RowError(f"e-mail «{value[:60]}» không hợp lệ")
    return value or None


def _codes(text: str) -> list[str]:
    return [c.strip().upper() for c in re.split(r"[,;\s]+", text) if c.strip()]


# --- units -----------------------------------------------------------------------------------


def _unit_spec(row: Row) -> tuple[UnitSpec, list[str]]:
    """The row as a unit, and every problem with it (not just the first)."""
    problems: list[str] = []
    code = row.text("code").upper()
    if not CODE_RE.match(code):
        problems.append(f"mã đơn vị «{code[:30]}» không hợp lệ (chữ không dấu, số, _ và -, "
                        "tối đa 20 ký tự)")
    name = row.text("name")
    if not name or len(name) > 200:
        problems.append("thiếu tên đơn vị" if not name else "tên đơn vị dài quá 200 ký tự")
    unit_type = _KIND_WORDS.get(fold(row.text("kind")))
    if unit_type is None:
        problems.append(f"loại đơn vị «{row.text('kind')[:40]}» không có (xem trang Hướng dẫn)")
    values: dict[str, object] = {}
    for key, label, parse in (
        ("email", "e-mail", lambda: _email(row.text("email"))),
        ("valid_from", "ngày bắt đầu", lambda: _date(row, "valid_from", "Hoạt động từ ngày")),
        ("ended_on", "ngày ngừng", lambda: _date(row, "ended_on", "Ngừng hoạt động từ ngày")),
    ):
        try:
            values[key] = parse()
        except _RowError as exc:
            problems.append(exc.message if key == "email" else f"{label}: {exc.message}")
    valid_from, ended_on = values.get("valid_from"), values.get("ended_on")
    if valid_from and ended_on and ended_on <= valid_from:  # type: ignore[operator]
        problems.append("ngày ngừng hoạt động phải sau ngày bắt đầu hoạt động")
    replaces = _codes(row.text("replaces"))
    if replaces and not valid_from:
        problems.append("có “Thay thế cho” thì cần “Hoạt động từ ngày” (ngày sáp nhập)")
    if code in replaces:
        problems.append("đơn vị không thể thay thế cho chính nó")
    parent = row.text("parent").upper() or None
    if parent == code:
        problems.append("đơn vị cấp trên không thể là chính nó")
    spec = UnitSpec(code, name, unit_type or "", parent, values.get("email"),  # type: ignore[arg-type]
                    valid_from, ended_on, replaces)  # type: ignore[arg-type]
    return spec, problems


def _unit_changes(spec: UnitSpec, unit: Unit, codes: dict[int, str]) -> list[str]:
    changes = []
    for label, old, new in (
        ("tên", unit.name, spec.name),
        ("loại", kinds.UNIT_TYPES.get(unit.type), kinds.UNIT_TYPES.get(spec.unit_type)),
        ("đơn vị cấp trên", codes.get(unit.parent_id) if unit.parent_id else None, spec.parent),
        ("e-mail", unit.email, spec.email),
        ("hoạt động từ", fmt_date(unit.valid_from), fmt_date(spec.valid_from)),
        ("ngừng hoạt động từ", fmt_date(unit.ended_on), fmt_date(spec.ended_on)),
    ):
        if (old or None) != (new or None):
            changes.append(f"{label}: {old or '—'} → {new or '—'}")
    return changes


def _plan_units(rows: list[Row], plan: Plan, existing: dict[str, Unit]) -> None:
    codes = {u.id: c for c, u in existing.items()}
    seen: dict[str, int] = {}
    specs: list[tuple[Row, UnitSpec, list[str]]] = []
    for row in rows:
        spec, problems = _unit_spec(row)
        if spec.code in seen:
            problems.append(f"trùng mã đơn vị với dòng {seen[spec.code]}")
        else:
            seen[spec.code] = row.number
        specs.append((row, spec, problems))
    known = set(existing) | set(seen)
    work = _assignment_days(existing)
    for row, spec, problems in specs:
        if spec.parent and spec.parent not in known:
            problems.append(f"không có đơn vị cấp trên mã {spec.parent}")
        unknown = [c for c in spec.replaces if c not in known]
        if unknown:
            problems.append(f"không có đơn vị cũ mã {', '.join(unknown)}")
        unit = existing.get(spec.code)
        if unit is not None:  # a blank optional cell keeps what is stored
            spec.parent = spec.parent or (codes.get(unit.parent_id) if unit.parent_id else None)
            spec.email = spec.email or unit.email
            spec.valid_from = spec.valid_from or unit.valid_from
            spec.ended_on = spec.ended_on or unit.ended_on
        first, last = work.get(unit.id, (None, None)) if unit else (None, None)
        if spec.ended_on and last and last >= spec.ended_on:
            problems.append(f"đơn vị được giao việc ngày {fmt_date(last)}, không thể ngừng "
                            f"hoạt động từ {fmt_date(spec.ended_on)}")
        if spec.valid_from and first and first < spec.valid_from:
            problems.append(f"đơn vị đã được giao việc ngày {fmt_date(first)}, trước ngày bắt "
                            f"đầu hoạt động {fmt_date(spec.valid_from)}")
        _unit_line(plan, row, spec, unit, problems, codes)


def _unit_line(plan: Plan, row: Row, spec: UnitSpec, unit: Unit | None, problems: list[str],
               codes: dict[int, str]) -> None:
    if problems:
        plan.units.append(Line(row.sheet, row.number, spec.code, spec.name, ERROR, problems))
        return
    plan.unit_specs[spec.code] = spec
    if unit is None:
        plan.units.append(Line(row.sheet, row.number, spec.code, spec.name, CREATE,
                               [kinds.UNIT_TYPES[spec.unit_type]]))
        return
    changes = _unit_changes(spec, unit, codes)
    plan.units.append(Line(row.sheet, row.number, spec.code, spec.name,
                           UPDATE if changes else SAME, changes))


def _assignment_days(existing: dict[str, Unit]) -> dict[int, tuple[dt.date, dt.date]]:
    """{unit id: (first, last) day it was given work} (one grouped query)."""
    if not existing:
        return {}
    rows = db.session.execute(
        sa.select(Assignment.unit_id, sa.func.min(Assignment.assigned_on),
                  sa.func.max(Assignment.assigned_on))
        .group_by(Assignment.unit_id)
    ).tuples()
    return {unit_id: (first, last) for unit_id, first, last in rows}


def _check_structure(plan: Plan, existing: dict[str, Unit]) -> None:
    """Across rows: parent chains and merges may not form cycles; merge dates must agree."""
    by_row = {line.key: line for line in plan.units if line.action != ERROR}
    parents = {code: (existing[code].parent.code if existing[code].parent else None)
               for code in existing}
    parents.update({code: spec.parent for code, spec in plan.unit_specs.items()})
    for code in list(plan.unit_specs):
        node, seen = parents.get(code), {code}
        while node is not None and node not in seen:
            seen.add(node)
            node = parents.get(node)
        if node is not None:
            _refuse_row(plan, by_row[code], f"đơn vị cấp trên tạo vòng lặp qua {node}")
    ids = {code: u.id for code, u in existing.items()}
    links = lineage.all_links()
    have = {(lk.predecessor_id, lk.successor_id) for lk in links}
    new_links: list[lineage.Link] = list(links)
    for code, spec in list(plan.unit_specs.items()):
        for old in spec.replaces:
            key = (ids.get(old, old), ids.get(code, code))
            if key in have:
                continue
            problem = _merge_problem(old, code, spec, existing, plan)
            candidate = lineage.Link(key[0], key[1], spec.valid_from, MERGE)  # type: ignore[arg-type]
            if problem is None and lineage.reaches(key[1], key[0], new_links):
                problem = f"sáp nhập {old} vào {code} tạo vòng lặp"
            if problem is not None:
                _refuse_row(plan, by_row[code], problem)
                break
            new_links.append(candidate)
            plan.links.append((old, code, spec.valid_from))  # type: ignore[arg-type]


def _merge_problem(old: str, code: str, spec: UnitSpec, existing: dict[str, Unit],
                   plan: Plan) -> str | None:
    ended = (plan.unit_specs[old].ended_on if old in plan.unit_specs
             else existing[old].ended_on if old in existing else None)
    if ended is not None and ended != spec.valid_from:
        return (f"đơn vị cũ {old} ngừng hoạt động từ {fmt_date(ended)}, khác ngày "
                f"{fmt_date(spec.valid_from)} của {code}")
    return None


def _refuse_row(plan: Plan, line: Line, message: str) -> None:
    if line.action != ERROR:
        line.action, line.notes = ERROR, []
        plan.unit_specs.pop(line.key, None)
    line.notes.append(message)


# --- users -----------------------------------------------------------------------------------


def _user_spec(row: Row, unit_codes: set[str], usable: set[str]) -> tuple[UserSpec, list[str]]:
    problems: list[str] = []
    username = row.text("username")
    if not USERNAME_RE.match(username):
        problems.append(f"tên đăng nhập «{username[:40]}» không hợp lệ (2-80 ký tự: chữ không "
                        "dấu, số, . _ -)")
    full_name = row.text("full_name")
    if not full_name or len(full_name) > 200:
        problems.append("thiếu họ và tên" if not full_name else "họ và tên dài quá 200 ký tự")
    role = _ROLE_WORDS.get(fold(row.text("role")))
    if role is None:
        problems.append(f"vai trò «{row.text('role')[:40]}» không có (xem trang Hướng dẫn)")
    unit = row.text("unit").upper() or None
    if unit is not None and unit not in unit_codes:
        problems.append(f"không có đơn vị mã {unit}")
    elif unit is not None and unit not in usable:
        problems.append(f"đơn vị {unit} đã ngừng hoạt động")
    try:
        email = _email(row.text("email"))
    except _RowError as exc:
        email = None
        problems.append(exc.message)
    password = str(row.raw("password") or "") or None
    if password is not None:
        problems += [f"mật khẩu ban đầu: {p}" for p in password_problems(password, username)]
    title = row.text("title")[:120] or None
    return UserSpec(username, full_name, role or "", unit, title, email, password), problems


def _user_changes(spec: UserSpec, user: User, codes: dict[int, str]) -> list[str]:
    changes = []
    for label, old, new in (
        ("họ và tên", user.full_name, spec.full_name),
        ("vai trò", USER_ROLES.get(user.role), USER_ROLES.get(spec.role)),
        ("đơn vị", codes.get(user.unit_id) if user.unit_id else None, spec.unit),
        ("chức vụ", user.title, spec.title),
        ("e-mail", user.email, spec.email),
    ):
        if (old or None) != (new or None):
            changes.append(f"{label}: {old or '—'} → {new or '—'}")
    return changes


def _usable_units(plan: Plan, existing: dict[str, Unit], today: dt.date) -> set[str]:
    """Codes a user may belong to: switched on and not ended (as the file leaves them)."""
    usable = set()
    for code in set(existing) | set(plan.unit_specs):
        unit, spec = existing.get(code), plan.unit_specs.get(code)
        ended_on = spec.ended_on if spec is not None else unit.ended_on  # type: ignore[union-attr]
        if (unit is None or unit.active) and (ended_on is None or ended_on > today):
            usable.add(code)
    return usable


def _plan_users(rows: list[Row], plan: Plan, existing_units: dict[str, Unit],
                actor: User | None) -> None:
    codes = {u.id: c for c, u in existing_units.items()}
    unit_codes = set(existing_units) | set(plan.unit_specs)
    usable = _usable_units(plan, existing_units, clock.today())
    users = {u.username.lower(): u for u in db.session.scalars(sa.select(User))}
    seen: dict[str, int] = {}
    for row in rows:
        spec, problems = _user_spec(row, unit_codes, usable)
        key = spec.username.lower()
        if key in seen:
            problems.append(f"trùng tên đăng nhập với dòng {seen[key]}")
        elif key:
            seen[key] = row.number
        user = users.get(key)
        if user is not None:  # a blank optional cell keeps what is stored
            spec.unit = spec.unit or (codes.get(user.unit_id) if user.unit_id else None)
            spec.title = spec.title or user.title
            spec.email = spec.email or user.email
        if spec.role == OFFICER and spec.unit is None:
            problems.append("cán bộ đơn vị phải có mã đơn vị")
        if user is not None and actor is not None and user.id == actor.id and spec.role != ADMIN:
            problems.append("không thể tự bỏ quyền quản trị của mình")
        if problems:
            plan.users.append(Line(row.sheet, row.number, spec.username, spec.full_name, ERROR,
                                   problems))
            continue
        plan.user_specs[key] = spec
        if user is None:
            plan.users.append(Line(row.sheet, row.number, spec.username, spec.full_name, CREATE,
                                   [USER_ROLES[spec.role]]))
            continue
        changes = _user_changes(spec, user, codes)
        plan.users.append(Line(row.sheet, row.number, user.username, spec.full_name,
                               UPDATE if changes else SAME, changes))


def plan(sheets: Sheets, *, actor: User | None = None) -> Plan:
    """What the file would do, row by row; writes nothing."""
    result = Plan()
    existing = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    _plan_units(sheets.units, result, existing)
    _check_structure(result, existing)
    _plan_users(sheets.users, result, existing, actor)
    return result


# --- applying --------------------------------------------------------------------------------


def apply(result: Plan, *, common_password: str | None, actor: User) -> Plan:
    """Write a plan with no refusal (all or nothing: any problem raises before a write)."""
    if result.errors:
        raise UserError(f"Tệp còn {len(result.errors)} dòng lỗi; chưa tạo gì. Sửa tệp rồi tải "
                        "lên lại.")
    if result.needs_password:
        problems = password_problems(common_password or "", "")
        if not common_password or problems:
            raise UserError("Mật khẩu ban đầu chung: " + (" ".join(problems) or
                            "hãy nhập mật khẩu cho người dùng mới chưa có mật khẩu trong tệp."))
    units = _apply_units(result, actor)
    _apply_users(result, units, common_password, actor)
    return result


def _apply_units(result: Plan, actor: User | None) -> dict[str, Unit]:
    units = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    todo = {line.key: line.action for line in result.units}
    position = (db.session.scalar(sa.select(sa.func.max(Unit.position))) or 0) + 1
    for code, spec in result.unit_specs.items():
        if todo[code] == CREATE:
            unit = Unit(code=code, name=spec.name, unit_type=spec.unit_type,
                        kind=kinds.class_of(spec.unit_type), email=spec.email, active=True,
                        valid_from=spec.valid_from, ended_on=spec.ended_on, position=position)
            position += 1
            db.session.add(unit)
            units[code] = unit
    db.session.flush()
    for code, spec in result.unit_specs.items():
        unit = units[code]
        parent_id = units[spec.parent].id if spec.parent else None
        if todo[code] == CREATE:
            unit.parent_id = parent_id
            audit.record("unit", unit.id, "create", None, services.unit_snapshot(unit),
                         user=actor)
        elif todo[code] == UPDATE:
            services.update_unit(unit, name=spec.name, kind=spec.unit_type, email=spec.email,
                                 active=unit.active, parent_id=parent_id,
                                 valid_from=spec.valid_from, ended_on=spec.ended_on,
                                 actor=actor)
    for old, new, day in result.links:
        predecessor, successor = units[old], units[new]
        if predecessor.ended_on is None:
            predecessor.ended_on = day
        db.session.add(UnitSuccession(predecessor_id=predecessor.id, successor_id=successor.id,
                                      effective_on=day, kind=MERGE, created_at=clock.now()))
    db.session.flush()
    return units


def _apply_users(result: Plan, units: dict[str, Unit], common_password: str | None,
                 actor: User) -> None:
    users = {u.username.lower(): u for u in db.session.scalars(sa.select(User))}
    hashes: dict[str, str] = {}  # one argon2 hash per distinct initial password
    now = clock.now()
    created: list[User] = []
    for line in result.users:
        spec = result.user_specs.get(line.key.lower())
        if spec is None or line.action == SAME:
            continue
        unit = units[spec.unit] if spec.unit else None
        if line.action == CREATE:
            password = spec.password or common_password or ""
            if password not in hashes:
                hashes[password] = hash_password(password)
            user = User(username=spec.username, full_name=spec.full_name, email=spec.email,
                        password_hash=hashes[password], role=spec.role, unit=unit,
                        title=spec.title, created_at=now, password_changed_at=now,
                        must_change_password=True)
            db.session.add(user)
            created.append(user)
        else:
            user = users[line.key.lower()]
            services.update_user(user, actor=actor, full_name=spec.full_name, title=spec.title,
                                 email=spec.email, role=spec.role,
                                 unit_id=unit.id if unit else None, active=user.active)
    db.session.flush()
    for user in created:
        audit.record("user", user.id, "create", None,
                     {"username": user.username, "role": user.role, "onboarding": True},
                     user=actor)
