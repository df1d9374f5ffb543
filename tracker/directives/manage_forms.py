"""Turn the management forms' strings into typed input, with a Vietnamese message per mistake.

Plain functions over a form mapping (request.form): the pages re-render the form with these
messages and a 400, and nothing is written. Semantic rules (unit exists, number free, leader is a
leader) live in services.py; this module only checks shape and size.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Protocol

from tracker.core.formatting import nfc
from tracker.directives import services
from tracker.directives.fields import FIELD_LABELS
from tracker.directives.models import ROLES
from tracker.directives.services import (
    DATE_DEADLINE,
    MAX_NUMBER,
    MAX_TEXT,
    MAX_TITLE,
    NO_DEADLINE,
    WORKING_DAYS_DEADLINE,
    DeadlineSpec,
    DirectiveError,
    DirectiveInput,
    RuleInput,
)

MAX_FIELD_CHARS = 100  # short inputs (dates, numbers, ids) never need more


class FormData(Protocol):
    def get(self, key: str, default: str | None = None) -> str | None: ...

    def getlist(self, key: str) -> list[str]: ...


def _shown(value: str) -> str:
    """A user's value quoted back in a message, never the whole of a huge paste."""
    value = value.strip()
    return value if len(value) <= 30 else value[:29] + "…"


def text(form: Mapping[str, str] | FormData, name: str, label: str, max_len: int,
         *, required: bool = False) -> str:
    value = nfc(form.get(name) or "").strip()
    if required and not value:
        raise DirectiveError(f"{label} không được để trống.")
    if len(value) > max_len:
        raise DirectiveError(f"{label} dài tối đa {max_len} ký tự (đã nhập {len(value)}).")
    return value


def parse_date(value: str | None, label: str) -> dt.date | None:
    """dd/mm/yyyy (or yyyy-mm-dd); empty gives None; anything else is an error."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) <= MAX_FIELD_CHARS:
        for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                day = dt.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
            if 2000 <= day.year <= 2100:
                return day
    raise DirectiveError(
        f"{label}: «{_shown(value)}» không phải ngày hợp lệ. Nhập theo dạng ngày/tháng/năm, "
        "ví dụ 31/03/2023."
    )


def parse_period(value: str | None, *, required: bool = False) -> tuple[int, int] | None:
    """A period as "03/2023", "3/2023" or "2023-03"."""
    value = (value or "").strip()
    if not value:
        if required:
            raise DirectiveError("Hãy nhập kỳ (tháng/năm), ví dụ 03/2023.")
        return None
    match = re.fullmatch(r"(\d{1,2})\s*/\s*(\d{4})", value) or None
    if match:
        month, year = int(match.group(1)), int(match.group(2))
    else:
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", value)
        if not match:
            raise DirectiveError(
                f"Kỳ «{_shown(value)}» không hợp lệ. Nhập theo dạng tháng/năm, ví dụ 03/2023."
            )
        year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise DirectiveError(
            f"Kỳ «{_shown(value)}» không hợp lệ: tháng từ 1 đến 12, năm từ 2000 đến 2100."
        )
    return year, month


def parse_id(value: str | None, label: str, *, required: bool = False) -> int | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise DirectiveError(f"Hãy chọn {label}.")
        return None
    if not value.isdigit() or len(value) > 12:
        raise DirectiveError(f"{label.capitalize()} không hợp lệ.")
    return int(value)


def parse_field(value: str | None) -> str:
    value = (value or "").strip()
    if value not in FIELD_LABELS:
        raise DirectiveError("Lĩnh vực không hợp lệ.")
    return value


def parse_role(value: str | None) -> str:
    value = (value or "").strip()
    if value not in ROLES:
        raise DirectiveError("Vai trò phải là chủ trì hoặc phối hợp.")
    return value


def parse_working_days(value: str | None) -> int:
    value = (value or "").strip()
    if not re.fullmatch(r"-?\d{1,6}", value):
        raise DirectiveError(
            "Số ngày làm việc phải là một số nguyên từ 1 đến "
            f"{services.MAX_WORKING_DAYS}."
        )
    number = int(value)
    if not 1 <= number <= services.MAX_WORKING_DAYS:
        raise DirectiveError(
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
            raise DirectiveError("Hãy nhập ngày thời hạn (ngày/tháng/năm).")
        return DeadlineSpec(DATE_DEADLINE, day=day)
    raise DirectiveError("Hãy chọn loại thời hạn: một ngày, số ngày làm việc, hoặc thường xuyên.")


def parse_directive_form(form: FormData) -> DirectiveInput:
    kind = (form.get("deadline_kind") or "").strip()
    if kind == NO_DEADLINE:
        deadline = None
    elif kind == DATE_DEADLINE:
        deadline = parse_date(form.get("deadline"), "Thời hạn")
        if deadline is None:
            raise DirectiveError("Hãy nhập ngày thời hạn, hoặc chọn “Thường xuyên”.")
    else:
        raise DirectiveError("Hãy chọn thời hạn: một ngày, hoặc thường xuyên.")
    return DirectiveInput(
        number=text(form, "number", "Số thứ tự", MAX_NUMBER, required=True),
        title=text(form, "title", "Tên nhiệm vụ", MAX_TITLE, required=True),
        text=text(form, "text", "Nội dung", MAX_TEXT),
        field=parse_field(form.get("field")),
        deadline=deadline,
        leader_id=parse_id(form.get("leader_id"), "lãnh đạo phụ trách"),
        parent_id=parse_id(form.get("parent_id"), "nhiệm vụ cha"),
        period=parse_period(form.get("period")),
    )


def parse_rule_form(form: FormData) -> RuleInput:
    keywords = services.split_list(
        text(form, "keywords", "Từ khóa", services.MAX_KEYWORDS, required=True)
    )
    codes = services.split_list(text(form, "unit_codes", "Mã đơn vị", 400))
    field = (form.get("field") or "").strip()
    position = (form.get("position") or "0").strip()
    if not re.fullmatch(r"\d{1,5}", position):
        raise DirectiveError("Thứ tự phải là số nguyên từ 0 đến 10000.")
    return RuleInput(
        keywords=keywords,
        unit_codes=codes,
        role=parse_role(form.get("role")),
        field=parse_field(field) if field else None,
        position=int(position),
    )
