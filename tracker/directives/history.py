"""The audit trail of a directive in readable Vietnamese (who, when, what, before → after).

Audit events store raw values (state codes, ISO dates, ids); people read labels and dd/mm/yyyy.
Unknown actions and keys written by other domains still show, with their raw names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tracker.constants import ASSIGNMENT_ROLES, EXTENSION_STATUSES, STATES
from tracker.core.formatting import fmt_date
from tracker.directives.fields import FIELD_LABELS

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
    "assign": "Phân công đơn vị",
    "unassign": "Bỏ phân công đơn vị",
    "withdraw": "Rút nhiệm vụ",
    "import": "Nhập từ báo cáo",
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
    "attachments": "Tệp minh chứng",
    "withdrawn_reason": "Lý do rút",
    "period": "Kỳ",
    "directives": "Số nhiệm vụ",
}


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


def _value(key: str, value: Any) -> str:
    if value is None and key == "deadline":
        return "Thường xuyên"
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if key in CODED:
        return CODED[key].get(str(value), str(value))
    if key == "percent":
        return f"{value}%"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {ASSIGNMENT_ROLES.get(str(v), v)}" for k, v in value.items()) or "—"
    if isinstance(value, str) and len(value) >= 10 and (day := _iso_date(value)):
        return day
    text = str(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def describe(event: Any, user_names: dict[int, str]) -> HistoryEntry:
    """One audit event as a line of the directive's history."""
    before = event.before or {}
    after = event.after or {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    subject = str(after.get("unit") or before.get("unit") or "")
    if before.get("unit") == after.get("unit"):
        keys = [k for k in keys if k != "unit"]
    keys = [k for k in keys if not k.endswith("_id")]  # raw ids mean nothing to readers
    changes = [
        Change(KEY_LABELS.get(key, key), _value(key, before.get(key)), _value(key, after.get(key)))
        for key in keys
        if before.get(key) != after.get(key) or key not in before
    ]
    action = ACTION_LABELS.get(event.action, event.action)
    entity = ENTITY_LABELS.get(event.entity, event.entity)
    own_words = ("assignment", "directive", "extension_request")
    what = action if event.entity in own_words else f"{entity}: {action}"
    who = user_names.get(event.user_id, "Hệ thống") if event.user_id else "Hệ thống"
    return HistoryEntry(at=event.at, who=who, what=what, subject=subject, changes=changes)
