"""The directive forms' strings as typed input, with a Vietnamese message per mistake.

Shape and size only (tracker/core/forms.py does the generic parts); the rules about what the
values mean (the unit exists, the number is free) live in services.py.
"""

from __future__ import annotations

import re

from tracker.constants import ASSIGNMENT_ROLES
from tracker.core.errors import UserError
from tracker.core.forms import FormData, parse_date, parse_id, text
from tracker.core.periods import PeriodKey
from tracker.directives import services
from tracker.directives.fields import FIELD_LABELS
from tracker.directives.services import (
    DATE_DEADLINE,
    MAX_NUMBER,
    MAX_TEXT,
    MAX_TITLE,
    NO_DEADLINE,
    WORKING_DAYS_DEADLINE,
    DeadlineSpec,
    DirectiveInput,
)


def parse_field(value: str | None) -> str:
    value = (value or "").strip()
    if value not in FIELD_LABELS:
        raise UserError("Lĩnh vực không hợp lệ.")
    return value


def parse_role(value: str | None) -> str:
    value = (value or "").strip()
    if value not in ASSIGNMENT_ROLES:
        raise UserError("Vai trò phải là chủ trì hoặc phối hợp.")
    return value


def parse_working_days(value: str | None) -> int:
    value = (value or "").strip()
    if not re.fullmatch(r"-?\d{1,6}", value):
        raise UserError(
            "Số ngày làm việc phải là một số nguyên từ 1 đến "
            f"{services.MAX_WORKING_DAYS}."
        )
    number = int(value)
    if not 1 <= number <= services.MAX_WORKING_DAYS:
        raise UserError(
            f"Số ngày làm việc phải từ 1 đến {services.MAX_WORKING_DAYS} (đã nhập {number})."
        )
    return number


def parse_deadline_spec(form: FormData) -> DeadlineSpec:
    """The assignment deadline: kind date / working_days / none and its value."""
    kind = (form.get("deadline_kind") or "").strip()
    if kind == NO_DEADLINE:
        return DeadlineSpec(NO_DEADLINE)
    if kind == WORKING_DAYS_DEADLINE:
        return DeadlineSpec(
            WORKING_DAYS_DEADLINE, working_days=parse_working_days(form.get("working_days"))
        )
    if kind == DATE_DEADLINE:
        day = parse_date(form.get("deadline"), "Thời hạn")
        if day is None:
            raise UserError("Hãy nhập ngày thời hạn (ngày/tháng/năm).")
        return DeadlineSpec(DATE_DEADLINE, day=day)
    raise UserError("Hãy chọn loại thời hạn: một ngày, số ngày làm việc, hoặc thường xuyên.")


def parse_directive_form(form: FormData) -> DirectiveInput:
    kind = (form.get("deadline_kind") or "").strip()
    if kind == NO_DEADLINE:
        deadline = None
    elif kind == DATE_DEADLINE:
        deadline = parse_date(form.get("deadline"), "Thời hạn")
        if deadline is None:
            raise UserError("Hãy nhập ngày thời hạn, hoặc chọn “Thường xuyên”.")
    else:
        raise UserError("Hãy chọn thời hạn: một ngày, hoặc thường xuyên.")
    return DirectiveInput(
        number=text(form, "number", "Số thứ tự", MAX_NUMBER, required=True),
        title=text(form, "title", "Tên nhiệm vụ", MAX_TITLE, required=True),
        text=text(form, "text", "Nội dung", MAX_TEXT),
        field=parse_field(form.get("field")),
        deadline=deadline,
        leader_id=parse_id(form.get("leader_id"), "lãnh đạo phụ trách"),
        parent_id=parse_id(form.get("parent_id"), "nhiệm vụ cha"),
        period=PeriodKey.parse_optional(form.get("period")),
    )
