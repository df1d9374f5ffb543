"""The audit trail of a directive in readable Vietnamese (who, when, what, before → after).

Audit events store raw values (state codes, ISO dates, ids, unit codes, period keys); people
read labels, names, dd/mm/yyyy and "Chuyển từ kỳ 02/2023". ``load_history`` reads a directive's
events and every name they refer to in a fixed number of queries; ``describe`` turns one event
into a line. Unknown actions and keys written by other domains still show, with their raw names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tracker.auth.models import User
from tracker.constants import ASSIGNMENT_ROLES, EXTENSION_STATUSES, STATES
from tracker.core.formatting import fmt_date
from tracker.core.models import AuditEvent
from tracker.core.periods import PeriodKey
from tracker.directives.fields import FIELD_LABELS
from tracker.directives.models import Directive, Period
from tracker.directives.naming import task_name
from tracker.extensions import db
from tracker.units.models import Unit

ENTITY_LABELS: dict[str, str] = {
    "directive": "Nhiệm vụ",
    "assignment": "Phân công",
    "extension_request": "Đề nghị gia hạn",
    "progress_update": "Báo cáo tiến độ",
    "attachment": "Tệp minh chứng",
    "source_document": "Văn bản",
}

ACTION_LABELS: dict[str, str] = {
    "create": "Tạo mới",
    "edit": "Sửa",
    "update": "Cập nhật",
    "delete": "Bỏ phân công đơn vị",
    "assign": "Phân công đơn vị",
    "unassign": "Bỏ phân công đơn vị",
    "withdraw": "Rút nhiệm vụ",
    "import": "Nhập từ báo cáo",
    "carry_over": "Chuyển tiếp từ kỳ trước",
    "progress": "Báo cáo tiến độ",
    "report_done": "Báo cáo hoàn thành",
    "confirm": "Xác nhận hoàn thành",
    "return": "Trả lại, yêu cầu tiếp tục thực hiện",
    "extension_request": "Đề nghị gia hạn",
    "extension_approve": "Đồng ý gia hạn",
    "extension_reject": "Không đồng ý gia hạn",
}

KEY_LABELS: dict[str, str] = {
    "state": "Trạng thái",
    "percent": "Tiến độ",
    "deadline": "Thời hạn",
    "deadline_basis": "Căn cứ thời hạn",
    "assigned_on": "Ngày giao",
    "extended_deadline": "Thời hạn gia hạn",
    "extension_approved_on": "Ngày đồng ý gia hạn",
    "proposed_deadline": "Thời hạn đề nghị",
    "deadline_in_force": "Thời hạn hiện hành",
    "reason": "Lý do",
    "comment": "Ý kiến",
    "status": "Trạng thái đề nghị",
    "completed_on": "Ngày hoàn thành",
    "reported_done_at": "Báo cáo hoàn thành lúc",
    "on_time": "Đúng hạn (theo hạn hiện hành)",
    "on_time_original": "Đúng hạn (theo hạn ban đầu)",
    "unit": "Đơn vị",
    "units": "Đơn vị",
    "role": "Vai trò",
    "number": "Số",
    "title": "Tên nhiệm vụ",
    "text": "Nội dung",
    "field": "Lĩnh vực",
    "leader": "Lãnh đạo phụ trách",
    "leader_id": "Lãnh đạo phụ trách",
    "parent_id": "Thuộc nhiệm vụ",
    "period_id": "Kỳ",
    "attachments": "Tệp minh chứng",
    "withdrawn_at": "Ngày rút",
    "withdrawn_reason": "Lý do rút",
    "assignment_states": "Trạng thái các phân công",
    "period": "Kỳ",
    "directives": "Số nhiệm vụ",
}

# Keys that mean nothing to a reader (or are said elsewhere in the line).
HIDDEN_KEYS = frozenset({"hash", "from", "unit_id"})
MAX_SHOWN = 300


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    who: str
    what: str
    subject: str
    changes: list[Change]


@dataclass
class Lookups:
    """Names for the ids and codes events refer to."""

    users: dict[int, str] = field(default_factory=dict)
    units: dict[int, str] = field(default_factory=dict)
    unit_codes: dict[str, str] = field(default_factory=dict)
    directives: dict[int, tuple[str, PeriodKey]] = field(default_factory=dict)
    periods: dict[int, PeriodKey] = field(default_factory=dict)


# Keys whose stored codes have a Vietnamese label.
CODED: dict[str, dict[str, str]] = {
    "state": STATES,
    "status": EXTENSION_STATUSES,
    "role": ASSIGNMENT_ROLES,
    "field": FIELD_LABELS,
}


def _iso_date(value: str) -> str | None:
    """An ISO date or datetime as dd/mm/yyyy; None when it is not one."""
    try:
        if len(value) == 10:
            return fmt_date(dt.date.fromisoformat(value))
        return dt.datetime.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return None


def _period_label(value: Any) -> str:
    try:
        return PeriodKey.parse(str(value)).label
    except ValueError:
        return str(value)


def _as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _by_id(key: str, value: Any, names: Lookups) -> str | None:
    """Ids shown as the names they stand for."""
    number = _as_int(value)
    if number is None:
        return None
    if key == "leader_id":
        return names.users.get(number, "—")
    if key == "parent_id":
        found = names.directives.get(number)
        return task_name(found[0], found[1].year, found[1].month) if found else "—"
    if key == "period_id":
        period = names.periods.get(number)
        return period.label if period else "—"
    return None


def _units_text(value: dict, names: Lookups) -> str:
    parts = []
    for code, role in value.items():
        name = names.unit_codes.get(str(code), str(code))
        parts.append(f"{name} ({ASSIGNMENT_ROLES.get(str(role), str(role)).lower()})")
    return ", ".join(parts) or "—"


def _states_text(value: dict) -> str:
    labels = dict.fromkeys(STATES.get(str(v), str(v)) for v in value.values())
    return ", ".join(labels) or "—"


def _structured(key: str, value: Any, names: Lookups) -> str | None:
    """Lists and mappings: units with their roles, states of the assignments."""
    if key == "units" and isinstance(value, dict):
        return _units_text(value, names)
    if key == "assignment_states" and isinstance(value, dict):
        return _states_text(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {ASSIGNMENT_ROLES.get(str(v), v)}" for k, v in value.items()) or "—"
    return None


def _value(key: str, value: Any, names: Lookups) -> str:
    if value is None and key == "deadline":
        return "Thường xuyên"
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if key in CODED:
        return CODED[key].get(str(value), str(value))
    if (text := _by_id(key, value, names) or _structured(key, value, names)) is not None:
        return text
    if key == "percent":
        return f"{value}%"
    if key == "period":
        return _period_label(value)
    if isinstance(value, str) and len(value) >= 10 and (day := _iso_date(value)):
        return day
    text = str(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def _shown(key: str, before: dict, after: dict) -> bool:
    """Changed keys a reader understands; an empty id on creation says nothing."""
    if key in HIDDEN_KEYS or (key not in KEY_LABELS and key.endswith("_id")):
        return False  # other raw ids mean nothing to readers
    if key not in before:  # created: what it was given, not what it was not
        return after.get(key) not in (None, "") or key == "deadline"
    return before.get(key) != after.get(key)


def _what(event: Any, before: dict, names: Lookups) -> str:
    if event.action == "carry_over":
        source = names.directives.get(_as_int(before.get("from")) or 0)
        if source is not None:
            return f"Chuyển từ kỳ {source[1].label}"
    action = ACTION_LABELS.get(event.action, event.action)
    if event.entity in ("assignment", "directive", "extension_request"):
        return action
    return f"{ENTITY_LABELS.get(event.entity, event.entity)}: {action}"


def _subject(before: dict, after: dict, names: Lookups) -> str:
    name = after.get("unit") or before.get("unit")
    if name:
        return str(name)
    unit_id = _as_int(after.get("unit_id")) or _as_int(before.get("unit_id"))
    return names.units.get(unit_id, "") if unit_id else ""


def describe(event: Any, names: Lookups | dict[int, str]) -> HistoryEntry:
    """One audit event as a line of the directive's history."""
    if not isinstance(names, Lookups):
        names = Lookups(users=dict(names))
    before = event.before or {}
    after = event.after or {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    if before.get("unit") == after.get("unit"):
        keys = [k for k in keys if k != "unit"]
    changes = [
        Change(KEY_LABELS.get(key, key), _value(key, before.get(key), names),
               _value(key, after.get(key), names))
        for key in keys
        if _shown(key, before, after)
    ]
    if event.action == "carry_over" and (source := names.directives.get(
            _as_int(before.get("from")) or 0)):
        changes.insert(0, Change("Nhiệm vụ kỳ trước", "—",
                                 task_name(source[0], source[1].year, source[1].month)))
    who = names.users.get(event.user_id, "Hệ thống") if event.user_id else "Hệ thống"
    return HistoryEntry(at=event.at, who=who, what=_what(event, before, names),
                        subject=_subject(before, after, names), changes=changes)


# --- reading --------------------------------------------------------------------------------


def _referenced(events: Iterable[Any]) -> dict[str, set]:
    wanted: dict[str, set] = {"users": set(), "units": set(), "codes": set(), "directives": set(),
                              "periods": set()}
    for event in events:
        if event.user_id:
            wanted["users"].add(event.user_id)
        for values in (event.before or {}, event.after or {}):
            for key, bucket in (("leader_id", "users"), ("unit_id", "units"),
                                ("parent_id", "directives"), ("from", "directives"),
                                ("period_id", "periods")):
                if (number := _as_int(values.get(key))) is not None:
                    wanted[bucket].add(number)
            if isinstance(values.get("units"), dict):
                wanted["codes"].update(str(code) for code in values["units"])
    return wanted


def load_lookups(events: list[Any]) -> Lookups:
    """Every name the events refer to, in at most four queries whatever their number."""
    wanted = _referenced(events)
    names = Lookups()
    if wanted["users"]:
        rows = db.session.execute(
            sa.select(User.id, User.full_name).where(User.id.in_(wanted["users"])))
        names.users = {row.id: row.full_name for row in rows}
    if wanted["units"] or wanted["codes"]:
        rows = db.session.execute(sa.select(Unit.id, Unit.code, Unit.name).where(
            sa.or_(Unit.id.in_(wanted["units"]), Unit.code.in_(wanted["codes"]))))
        for row in rows:
            names.units[row.id] = row.name
            names.unit_codes[row.code] = row.name
    if wanted["directives"]:
        rows = db.session.execute(
            sa.select(Directive.id, Directive.number, Period.year, Period.month)
            .join(Period, Period.id == Directive.period_id)
            .where(Directive.id.in_(wanted["directives"])))
        names.directives = {row.id: (row.number, PeriodKey(row.year, row.month)) for row in rows}
    if wanted["periods"]:
        rows = db.session.execute(sa.select(Period.id, Period.year, Period.month).where(
            Period.id.in_(wanted["periods"])))
        names.periods = {row.id: PeriodKey(row.year, row.month) for row in rows}
    return names


def load_history(directive_id: int) -> list[HistoryEntry]:
    """The directive's audit trail, newest first, in readable Vietnamese."""
    events = list(db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.directive_id == directive_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    ))
    names = load_lookups(events)
    return [describe(event, names) for event in events]
