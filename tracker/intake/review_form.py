"""A submitted import preview read back: the same rows with every value as sent, and the plan.

Nothing from the browser but choices is trusted: the tasks, their texts, the groups and the
names the catalogue lacks come from parsing the stored draft again; the form only says which
units, which deadline, which field, and what to do with each unknown name. Every mistake is
collected (not just the first), attached to its row or unknown unit, and the rows keep what
was typed so the page can be shown again as it was sent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar

from tracker.constants import LEAD
from tracker.core.errors import UserError
from tracker.core.forms import parse_date, parse_id
from tracker.directives.fields import FIELD_LABELS
from tracker.directives.forms import parse_field, parse_working_days
from tracker.directives.services import DATE_DEADLINE, NO_DEADLINE, WORKING_DAYS_DEADLINE
from tracker.intake.deadlines import WorkingDays
from tracker.intake.drafts import (
    ImportPlan,
    ItemChoice,
    Named,
    NewUnit,
    check_choice,
    working_days_basis,
)
from tracker.intake.parser import ParsedReport
from tracker.intake.review import (
    CREATE,
    MAP,
    MAX_CODE,
    MAX_ISSUER,
    MAX_UNIT_NAME,
    SKIP,
    Review,
    Row,
    Units,
    UnknownUnit,
    propose_review,
)
from tracker.units.catalogue import UNIT_KINDS

T = TypeVar("T")
DEADLINE_KINDS = (DATE_DEADLINE, WORKING_DAYS_DEADLINE, NO_DEADLINE)
_CODE = re.compile(r"^[A-Za-z0-9_-]+$")
SHOWN_CHARS = 40  # a typed value is kept (and shown again) up to this many characters


class Form(Protocol):
    def get(self, key: str, default: str | None = None) -> str | None: ...

    def getlist(self, key: str) -> list[str]: ...

    def __contains__(self, key: object) -> bool: ...


@dataclass
class Resolved:
    """What an unknown name became: a unit code, or nothing (not assigned, or not decided)."""

    code: str | None = None
    decided: bool = True


def _typed(form: Form, name: str, limit: int = SHOWN_CHARS) -> str:
    return (form.get(name) or "").strip()[:limit]


def _message(exc: UserError) -> str:
    """A message continued after "Nhiệm vụ 3: " (its first letter lowered)."""
    text = exc.message
    return text[:1].lower() + text[1:]


def read_review(parsed: ParsedReport, form: Form, units: Units, calendar: WorkingDays,
                today: dt.date) -> tuple[Review, ImportPlan | None]:
    """The preview as submitted, and the plan to carry out when nothing in it is wrong."""
    review = propose_review(parsed, units, today)
    issuer = _read_issuer(form, review)
    resolved: dict[str, Resolved] = {}
    new_units: list[NewUnit] = []
    for entry in review.unknown:
        resolved[entry.key] = _read_unknown(form, entry, units, new_units)
        review.errors.extend(f"«{entry.name}»: {e}" for e in entry.errors)
    named = {**units.by_code, **{u.code: u for u in new_units}}
    choices: dict[str, ItemChoice] = {}
    for row in review.rows:
        choice = _read_row(form, row, units, resolved, named, calendar, today)
        if choice is not None:
            choices[row.number] = choice
        review.errors.extend(f"Nhiệm vụ {row.number}: {e}" for e in row.errors)
    if issuer is None or review.errors:
        return review, None
    return review, ImportPlan(choices=choices, new_units=new_units, issuer=issuer)


def _read_issuer(form: Form, review: Review) -> str | None:
    if "issuer" not in form:
        return review.issuer
    value = " ".join((form.get("issuer") or "").split())
    review.issuer = value[: MAX_ISSUER + SHOWN_CHARS]
    if not value:
        review.errors.append("Hãy nhập cơ quan ban hành báo cáo.")
        return None
    if len(value) > MAX_ISSUER:
        review.errors.append(f"Tên cơ quan ban hành dài tối đa {MAX_ISSUER} ký tự.")
        return None
    return value


# --- names the catalogue lacks -----------------------------------------------------------------


def _read_unknown(form: Form, entry: UnknownUnit, units: Units,
                  new_units: list[NewUnit]) -> Resolved:
    prefix = f"unknown-{entry.key}"
    entry.action = _typed(form, prefix)
    entry.unit_id = _typed(form, f"{prefix}-unit")
    if f"{prefix}-code" in form:
        entry.code = _typed(form, f"{prefix}-code")
        entry.new_name = " ".join((form.get(f"{prefix}-name") or "").split())[
            : MAX_UNIT_NAME + SHOWN_CHARS
        ]
        entry.kind = _typed(form, f"{prefix}-kind")
    try:
        if entry.action == MAP:
            return Resolved(_mapped(entry, units))
        if entry.action == CREATE:
            new = _new_unit(entry, units, new_units)
            new_units.append(new)
            return Resolved(new.code)
        if entry.action == SKIP:
            return Resolved(None)
        raise UserError(
            "không có trong danh mục đơn vị; hãy chọn: gán cho một đơn vị có sẵn, thêm vào "
            "danh mục, hoặc không giao việc cho đơn vị này."
        )
    except UserError as exc:
        entry.errors.append(_message(exc))
        return Resolved(None, decided=False)


def _mapped(entry: UnknownUnit, units: Units) -> str:
    unit_id = parse_id(entry.unit_id, "đơn vị") if entry.unit_id else None
    unit = units.by_id.get(unit_id) if unit_id is not None else None
    if unit is None:
        raise UserError("hãy chọn đơn vị có sẵn trong danh mục để gán.")
    return unit.code


def _new_unit(entry: UnknownUnit, units: Units, new_units: list[NewUnit]) -> NewUnit:
    code = entry.code.upper()
    if not entry.new_name:
        raise UserError("hãy nhập tên đơn vị mới.")
    if len(entry.new_name) > MAX_UNIT_NAME:
        raise UserError(f"tên đơn vị dài tối đa {MAX_UNIT_NAME} ký tự.")
    if not code:
        raise UserError("hãy nhập mã cho đơn vị mới.")
    if len(code) > MAX_CODE or not _CODE.match(code):
        raise UserError(
            f"mã đơn vị «{code[:MAX_CODE]}» không hợp lệ: tối đa {MAX_CODE} ký tự, chỉ gồm chữ "
            "không dấu, số, _ và -."
        )
    if code in units.taken_codes or any(u.code == code for u in new_units):
        raise UserError(f"mã đơn vị {code} đã có; hãy chọn mã khác.")
    if entry.kind not in UNIT_KINDS:
        raise UserError("loại đơn vị không hợp lệ.")
    return NewUnit(code=code, name=entry.new_name, kind=entry.kind)


# --- one task ------------------------------------------------------------------------------------


def _read_row(form: Form, row: Row, units: Units, resolved: dict[str, Resolved],
              named: Mapping[str, Named], calendar: WorkingDays,
              today: dt.date) -> ItemChoice | None:
    """The row's choices as typed (kept on ``row``), checked; None when something is wrong."""
    n = row.number
    if f"field-{n}" not in form:
        row.errors.append("thiếu lựa chọn của nhiệm vụ này, hãy tải lại trang.")
        return None
    raw_field = _typed(form, f"field-{n}")
    row.field = raw_field if raw_field in FIELD_LABELS else ""
    row.lead_ids = _ids(form.getlist(f"lead-{n}"), units, row)
    row.support_ids = _ids(form.getlist(f"support-{n}"), units, row)
    _read_groups(form, row)
    field_code = _attempt(row, lambda: parse_field(raw_field))
    deadline = _attempt(row, lambda: _read_deadline(form, row, calendar, today))
    if row.errors or field_code is None or deadline is None:
        return None
    leads, supports = _codes(row, units, resolved)
    choice = ItemChoice(field_code, leads, supports, *deadline)
    if all(resolved[m.key].decided for m in row.unknown):
        _attempt(row, lambda: check_choice(n, choice, named))
    return None if row.errors else choice


def _attempt(row: Row, read: Callable[[], T]) -> T | None:
    """``read()``, or None with its refusal noted on the row."""
    try:
        return read()
    except UserError as exc:
        prefix = f"Nhiệm vụ {row.number}: "
        if exc.message.startswith(prefix):  # the rest names units: keep their capitals
            row.errors.append(exc.message.removeprefix(prefix))
        else:  # a generic message ("Lĩnh vực không hợp lệ.") continues the prefix
            row.errors.append(_message(exc))
        return None


def _ids(values: list[str], units: Units, row: Row) -> list[int]:
    found: list[int] = []
    if len(values) > len(units.by_id):
        row.errors.append("chọn quá nhiều đơn vị.")
        return found
    for value in values:
        try:
            unit_id = parse_id(value, "đơn vị")
        except UserError:
            unit_id = None
        if unit_id is None or unit_id not in units.by_id:
            row.errors.append(f"đơn vị không hợp lệ (mã số «{value.strip()[:20]}»).")
        elif unit_id not in found:
            found.append(unit_id)
    return found


def _read_groups(form: Form, row: Row) -> None:
    for group in row.groups:
        values = form.getlist(f"group-{row.number}-{group.index}")
        members = set(group.member_ids)
        chosen: list[int] = []
        for value in values[: len(group.member_ids) + 1]:
            unit_id = int(value) if value.strip().isdigit() and len(value) < 12 else None
            if unit_id not in members:
                row.errors.append(f"đơn vị không thuộc nhóm «{group.label}».")
            elif unit_id not in chosen:
                chosen.append(unit_id)
        group.selected = chosen
        if group.count is not None and not chosen:
            row.errors.append(
                f"văn bản giao cho «{group.label}»: hãy đánh dấu các đơn vị cụ thể trong nhóm."
            )


def _codes(row: Row, units: Units, resolved: dict[str, Resolved]) -> tuple[list[str], list[str]]:
    """Lead and support codes: ticked units, ticked group members, resolved unknown names.

    A unit ticked in a list keeps the role it was ticked for; a group member or a resolved
    name joins its role only when the task does not have it yet.
    """
    leads = [units.by_id[i].code for i in row.lead_ids]
    supports = [units.by_id[i].code for i in row.support_ids]
    for group in row.groups:
        target = leads if group.role == LEAD else supports
        target.extend(units.by_id[i].code for i in group.selected)
    for mention in row.unknown:
        code = resolved[mention.key].code
        if code is None or code in leads or code in supports:
            continue
        (leads if mention.role == LEAD else supports).append(code)
    return list(dict.fromkeys(leads)), [c for c in dict.fromkeys(supports)]


def _read_deadline(form: Form, row: Row, calendar: WorkingDays,
                   today: dt.date) -> tuple[dt.date | None, str | None]:
    n, shown = row.number, row.deadline
    kind = _typed(form, f"deadline_kind-{n}")
    shown.kind = kind if kind in DEADLINE_KINDS else shown.kind
    shown.date = _typed(form, f"deadline-{n}")
    shown.working_days = _typed(form, f"working_days-{n}", 10)
    if kind == NO_DEADLINE:
        return None, None
    if kind == WORKING_DAYS_DEADLINE:
        days = parse_working_days(shown.working_days)
        return calendar.add_working_days(today, days), working_days_basis(days, today)
    if kind == DATE_DEADLINE:
        day = parse_date(form.get(f"deadline-{n}"), "Thời hạn")
        if day is None:
            raise UserError("hãy nhập ngày thời hạn (ngày/tháng/năm) hoặc chọn “thường xuyên”.")
        item = row.item
        if day == item.deadline and item.working_days and item.deadline_from is not None:
            return day, working_days_basis(item.working_days, item.deadline_from)
        return day, None
    raise UserError("hãy chọn thời hạn: một ngày, số ngày làm việc, hoặc thường xuyên.")

