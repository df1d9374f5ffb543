"""The routing table: keywords in a task's text propose its field and its lead and supporting
units. Admins edit it (rule_views.py); the importer reads it as the parser's ``RuleSpec`` list.

Services flush and never commit (tracker/core/uow.py commits).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from tracker.auth.models import User
from tracker.constants import ASSIGNMENT_ROLES
from tracker.core import audit
from tracker.core.errors import UserError, claim_version
from tracker.core.forms import FormData, text
from tracker.directives.fields import FIELD_LABELS
from tracker.directives.forms import parse_field, parse_role
from tracker.extensions import db
from tracker.intake.models import RoutingRule
from tracker.intake.routing import DEFAULT_RULES, RuleSpec
from tracker.units.queries import units_by_code

MAX_KEYWORDS = 2_000
MAX_KEYWORD = 100



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
        raise UserError("Cần ít nhất một từ khóa.")
    too_long = [k for k in data.keywords if len(k) > MAX_KEYWORD]
    if too_long:
        raise UserError(f"Mỗi từ khóa dài tối đa {MAX_KEYWORD} ký tự.")
    if len(keywords_text(data.keywords)) > MAX_KEYWORDS:
        raise UserError(f"Danh sách từ khóa dài tối đa {MAX_KEYWORDS} ký tự.")
    if data.role not in ASSIGNMENT_ROLES:
        raise UserError("Vai trò phải là chủ trì hoặc phối hợp.")
    if data.field is not None and data.field not in FIELD_LABELS:
        raise UserError("Lĩnh vực không hợp lệ.")
    if not data.unit_codes and data.field is None:
        raise UserError("Quy tắc phải đề xuất ít nhất một đơn vị hoặc một lĩnh vực.")
    known = units_by_code()
    by_upper = {code.upper(): code for code in known}
    data.unit_codes = [by_upper.get(code.upper(), code) for code in data.unit_codes]
    unknown = [code for code in data.unit_codes if code not in known]
    if unknown:
        raise UserError(f"Không có đơn vị mã: {', '.join(unknown)}.")
    if not 0 <= data.position <= 10_000:
        raise UserError("Thứ tự phải là số từ 0 đến 10000.")


def create_rule(data: RuleInput, *, user: User | None = None) -> RoutingRule:
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


STALE_RULE = (
    "Quy tắc này vừa được người khác sửa sau khi bạn mở biểu mẫu. Nội dung của bạn chưa được "
    "lưu; hãy tải lại trang, xem quy tắc hiện tại rồi sửa lại."
)


def update_rule(
    rule: RoutingRule, data: RuleInput, *, user: User | None = None,
    expected_version: int | None = None,
) -> bool:
    """Apply the form; False when nothing changed (no audit event then). ``expected_version``:
    the version the form showed (a stale form is a 409)."""
    if expected_version is not None:
        claim_version(rule, expected_version, message=STALE_RULE)
    _check_rule(data)
    before = rule_snapshot(rule)
    rule.keywords = keywords_text(data.keywords)
    rule.unit_codes = ", ".join(dict.fromkeys(data.unit_codes))
    rule.role = data.role
    rule.field = data.field
    rule.position = data.position
    return audit.record_changes(
        "routing_rule", rule.id, "update", before, rule_snapshot(rule), user=user
    )


def set_rule_active(rule: RoutingRule, active: bool, *, user: User | None = None) -> bool:
    if rule.active == active:
        return False
    before = {"active": rule.active}
    rule.active = active
    audit.record(
        "routing_rule", rule.id, "activate" if active else "deactivate", before,
        {"active": active}, user=user,
    )
    return True


def parse_rule_form(form: FormData) -> RuleInput:
    keywords = split_list(text(form, "keywords", "Từ khóa", MAX_KEYWORDS, required=True))
    codes = split_list(text(form, "unit_codes", "Mã đơn vị", 4000))
    field = (form.get("field") or "").strip()
    position = (form.get("position") or "0").strip()
    if not re.fullmatch(r"\d{1,5}", position):
        raise UserError("Thứ tự phải là số nguyên từ 0 đến 10000.")
    return RuleInput(
        keywords=keywords,
        unit_codes=codes,
        role=parse_role(form.get("role")),
        field=parse_field(field) if field else None,
        position=int(position),
    )
