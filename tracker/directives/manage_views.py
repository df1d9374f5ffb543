"""Managing directives by hand: create and edit, withdraw, assign units (blueprint ``manage``).

Thin views: parse the form (forms.py), call a service, redirect. A mistake re-renders the form
with a Vietnamese message and a 400 (``uow.rerender_on_error``); the unit of work commits or
rolls back, so nothing is written on a refusal.
"""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from tracker.auth.models import User
from tracker.auth.permissions import Action, requires
from tracker.auth.services import active_leaders
from tracker.constants import ASSIGNMENT_ROLES, LEAD, OFFICER, SUPPORT
from tracker.core import clock, uow
from tracker.core.errors import NotFound, UserError, submitted_version
from tracker.core.formatting import fmt_date, nfc
from tracker.core.forms import parse_id
from tracker.core.periods import PeriodKey
from tracker.directives import forms, queries, services
from tracker.directives.fields import DEFAULT_FIELD, FIELD_LABELS, FIELDS
from tracker.directives.models import Assignment, Directive, Period
from tracker.extensions import db
from tracker.organization import services as organization
from tracker.units.models import Unit
from tracker.units.queries import active_units, grouped_by_kind

bp = Blueprint("manage", __name__)


def _directive_url(directive_id: int) -> str:
    return url_for("work.directive", directive_id=directive_id)


def _get_directive(directive_id: int) -> Directive:
    directive = db.session.get(
        Directive,
        directive_id,
        options=[
            selectinload(Directive.assignments).options(
                joinedload(Assignment.unit),
                selectinload(Assignment.updates),
                selectinload(Assignment.extension_requests),
            ),
            selectinload(Directive.children),
        ],
    )
    if directive is None:
        raise NotFound("Không tìm thấy nhiệm vụ.")
    return directive


def _get_assignment(assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("Không tìm thấy phân công.")
    return assignment


class ParentChoice(NamedTuple):
    id: int
    number: str
    title: str
    period_caption: str


def _parent_choices(
    period_id: int | None, exclude_id: int | None, chosen_id: int | None
) -> list[ParentChoice]:
    """Top-level directives of the form's period that may take sub-directives, and the one
    already chosen (from another period, say). Only one period: a province holds tens of
    thousands over ten years, and offering them all made a page of several megabytes that
    took two seconds to build. A sub-directive of another period is added from its parent's
    page ("Thêm nhiệm vụ con")."""
    # a union, not an OR: SQLite answered the OR by reading every directive
    ids = sa.select(Directive.id).where(Directive.period_id == (period_id or 0))
    if chosen_id:
        ids = sa.union_all(ids, sa.select(sa.literal(chosen_id)))
    wanted = Directive.id.in_(ids)
    rows = db.session.execute(
        sa.select(Directive.id, Directive.number, Directive.title, Period.year, Period.month,
                  Period.kind)
        .join(Period, Directive.period_id == Period.id)
        .where(wanted, Directive.parent_id.is_(None), Directive.withdrawn_at.is_(None),
               Directive.id != (exclude_id or 0))
        .order_by(Period.year.desc(), Period.month.desc(), Directive.position)
    ).tuples()
    return [ParentChoice(id_, number, title, PeriodKey(year, month, kind).caption)
            for id_, number, title, year, month, kind in rows]


def _chosen_id(text: str | None) -> int | None:
    """The parent id the form holds, if it is one (the service judges it on saving)."""
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) <= 9 else None


def _form_period_id(values: dict, directive: Directive | None) -> int | None:
    """The period whose directives the parent choice offers: the one the form shows, else
    the directive's, else the default one."""
    try:
        ref = PeriodKey.parse_optional(values.get("period"))
    except UserError:  # the form is shown again because of it
        ref = None
    period = queries.get_period(ref) if ref is not None else None
    if period is not None:
        return period.id
    if directive is not None:
        return directive.period_id
    fallback = queries.default_period()
    return fallback.id if fallback is not None else None


# --- directives by hand ---------------------------------------------------------------------


def _directive_form_values(directive: Directive | None, parent: Directive | None) -> dict:
    if directive is not None:
        return {
            "number": directive.number,
            "title": directive.title,
            "text": directive.text,
            "field": directive.field,
            "deadline_kind": "date" if directive.deadline else "none",
            "deadline": fmt_date(directive.deadline),
            "leader_id": str(directive.leader_id or ""),
            "parent_id": str(directive.parent_id or ""),
            "period": directive.period.label,
            "version": str(directive.version),
        }
    stored = parent.period if parent else queries.default_period()
    period = stored.ref if stored is not None else PeriodKey.of_month(clock.today())
    number = ""
    if parent is not None:
        number = f"{parent.number}.{len(parent.children) + 1}"
    return {
        "number": number,
        "title": "",
        "text": "",
        "field": parent.field if parent else DEFAULT_FIELD,
        "deadline_kind": "date",
        "deadline": fmt_date(parent.deadline if parent else period.last_day),
        "leader_id": str(parent.leader_id or "") if parent else "",
        "parent_id": str(parent.id) if parent else "",
        "period": period.label,
    }


def _render_directive_form(
    directive: Directive | None, values: dict, error: str | None = None
) -> str:
    return render_template(
        "manage/directive_form.html",
        directive=directive,
        values=values,
        error=error,
        fields=FIELDS,
        leaders=active_leaders(),
        parents=_parent_choices(_form_period_id(values, directive),
                                directive.id if directive else None,
                                _chosen_id(values.get("parent_id"))),
    )


def _form_values() -> dict:
    keys = ("number", "title", "text", "field", "deadline_kind", "deadline", "leader_id",
            "parent_id", "period", "version")
    return {key: (request.form.get(key) or "") for key in keys}


@bp.route("/directives/new", methods=["GET", "POST"])
@requires(Action.MANAGE_DIRECTIVES)
def new_directive():
    """A directive (or, with parent_id, a sub-directive) typed in by hand."""
    if request.method == "GET":
        raw_parent = (request.args.get("parent_id") or "").strip()
        parent = db.session.get(Directive, int(raw_parent)) if raw_parent.isdigit() else None
        if parent is not None and (parent.parent_id is not None or parent.is_withdrawn):
            parent = None
        return _render_directive_form(None, _directive_form_values(None, parent))
    values = _form_values()
    uow.rerender_on_error(lambda exc: _render_directive_form(None, values, exc.message))
    directive = services.create_directive(forms.parse_directive_form(request.form),
                                          user=current_user)
    flash(f"Đã thêm nhiệm vụ {directive.number}. Hãy phân công đơn vị thực hiện.", "success")
    return redirect(url_for("manage.assign", directive_id=directive.id))


@bp.route("/directives/<int:directive_id>/edit", methods=["GET", "POST"])
@requires(Action.MANAGE_DIRECTIVES)
def edit_directive(directive_id: int):
    directive = _get_directive(directive_id)
    if directive.is_withdrawn:
        raise UserError("Nhiệm vụ đã rút, không thể sửa.")
    if request.method == "GET":
        return _render_directive_form(directive, _directive_form_values(directive, None))
    values = _form_values()
    uow.rerender_on_error(
        lambda exc: _render_directive_form(_get_directive(directive_id), values, exc.message)
    )
    changed = services.update_directive(
        directive, forms.parse_directive_form(request.form), user=current_user,
        expected_version=submitted_version(request.form.get("version")),
    )
    if changed:
        flash(f"Đã lưu nhiệm vụ {directive.number}.", "success")
    else:
        flash("Không có thay đổi nào.", "info")
    return redirect(_directive_url(directive.id))


@bp.route("/directives/<int:directive_id>/withdraw", methods=["GET", "POST"])
@requires(Action.WITHDRAW)
def withdraw(directive_id: int):
    """Withdraw (rút) a directive with a reason: it leaves the rates, its units stop work."""
    directive = _get_directive(directive_id)
    if request.method == "GET":
        if directive.is_withdrawn:
            flash("Nhiệm vụ này đã được rút trước đó.", "info")
            return redirect(_directive_url(directive.id))
        return render_template("manage/withdraw.html", directive=directive, error=None,
                               reason="")
    reason = nfc(request.form.get("reason") or "")
    uow.rerender_on_error(
        lambda exc: render_template(
            "manage/withdraw.html", directive=_get_directive(directive_id), error=exc.message,
            reason=reason[: services.MAX_REASON],
        )
    )
    count = services.withdraw_directive(directive, reason, user=current_user)
    extra = f" cùng {count - 1} nhiệm vụ con" if count > 1 else ""
    flash(f"Đã rút nhiệm vụ {directive.number}{extra}.", "success")
    return redirect(_directive_url(directive.id))


# --- assignments -----------------------------------------------------------------------------


def _assignment_defaults(directive: Directive) -> dict:
    return {
        "unit_id": "",
        "role": LEAD if not any(a.role == LEAD for a in directive.assignments) else SUPPORT,
        "deadline_kind": "date" if directive.deadline else "none",
        "deadline": fmt_date(directive.deadline),
        "working_days": "",
    }


def _assignment_form_values() -> dict:
    keys = ("unit_id", "officer_id", "role", "deadline_kind", "deadline", "working_days")
    return {key: (request.form.get(key) or "")[:30] for key in keys}


def _officers() -> dict[int, list[User]]:
    """Active officers by unit, where the organization assigns tasks to named officers."""
    if not organization.current().officer_assignees:
        return {}
    by_unit: dict[int, list[User]] = {}
    for user in db.session.scalars(
        sa.select(User).where(User.role == OFFICER, User.active, User.unit_id.is_not(None))
        .order_by(User.full_name)
    ):
        by_unit.setdefault(user.unit_id, []).append(user)
    return by_unit


def _render_assign(directive: Directive, values: dict, error: str | None = None) -> str:
    taken = {a.unit_id for a in directive.assignments}
    units = [u for u in active_units() if u.id not in taken]
    officers = _officers()
    return render_template(
        "manage/assign.html",
        directive=directive,
        values=values,
        error=error,
        unit_groups=grouped_by_kind(units),
        roles=ASSIGNMENT_ROLES,
        locked={a.id: services.assignment_locked(a) for a in directive.assignments},
        field_labels=FIELD_LABELS,
        today=clock.today(),
        officers=officers,
        officer_units=[u for u in units if u.id in officers],
    )


@bp.route("/directives/<int:directive_id>/assignments", methods=["GET", "POST"])
@requires(Action.MANAGE_DIRECTIVES)
def assign(directive_id: int):
    """The directive's units: list them, add one (chủ trì / phối hợp) with its deadline."""
    directive = _get_directive(directive_id)
    if request.method == "GET":
        return _render_assign(directive, _assignment_defaults(directive))
    values = _assignment_form_values()
    uow.rerender_on_error(
        lambda exc: _render_assign(_get_directive(directive_id), values, exc.message)
    )
    officer = _officer(request.form.get("officer_id"))
    unit_id = parse_id(request.form.get("unit_id"), "đơn vị", required=officer is None)
    unit = db.session.get(Unit, unit_id or officer.unit_id)  # type: ignore[union-attr]
    if unit is None:
        raise UserError("Đơn vị đã chọn không tồn tại.")
    role = forms.parse_role(request.form.get("role"))
    spec = forms.parse_deadline_spec(request.form)
    assignment = services.assign_unit(directive, unit, role, spec, user=current_user,
                                      officer=officer)
    deadline = fmt_date(assignment.deadline, "thường xuyên")
    flash(
        f"Đã giao {unit.name} ({assignment.role_label.lower()}), thời hạn {deadline}.", "success"
    )
    return redirect(url_for("manage.assign", directive_id=directive.id))


def _assignment_values(assignment: Assignment) -> dict:
    basis = assignment.deadline_basis or ""
    working_days = basis.split(" ", 1)[0] if basis else ""
    if basis and working_days.isdigit():
        kind = "working_days"
    elif assignment.deadline:
        kind = "date"
    else:
        kind = "none"
    return {
        "role": assignment.role,
        "deadline_kind": kind,
        "deadline": fmt_date(assignment.deadline),
        "working_days": working_days if kind == "working_days" else "",
        "version": str(assignment.version),
    }


@bp.route("/assignments/<int:assignment_id>/edit", methods=["GET", "POST"])
@requires(Action.MANAGE_DIRECTIVES)
def edit_assignment(assignment_id: int):
    """Change the role or deadline of an assignment no unit has reported on yet."""
    assignment = _get_assignment(assignment_id)
    locked = services.assignment_locked(assignment) or assignment.directive.is_withdrawn
    if request.method == "GET":
        return render_template(
            "manage/assignment_form.html", assignment=assignment,
            values=_assignment_values(assignment), error=None, roles=ASSIGNMENT_ROLES,
            locked=locked, current=None,
        )
    values = {**_assignment_form_values(), "version": request.form.get("version", "")[:12]}

    def rerender(exc: UserError) -> str:
        current = _get_assignment(assignment_id)
        return render_template(
            "manage/assignment_form.html", assignment=current, values=values,
            error=exc.message, roles=ASSIGNMENT_ROLES, locked=locked,
            current=current if exc.status == 409 else None,
        )

    uow.rerender_on_error(rerender)
    role = forms.parse_role(request.form.get("role"))
    spec = forms.parse_deadline_spec(request.form)
    changed = services.update_assignment(
        assignment, role, spec, expected_version=submitted_version(request.form.get("version")),
        user=current_user,
    )
    flash("Đã lưu phân công." if changed else "Không có thay đổi nào.",
          "success" if changed else "info")
    return redirect(url_for("manage.assign", directive_id=assignment.directive_id))


def _officer(raw: str | None) -> User | None:
    officer_id = parse_id(raw, "công chức")
    if officer_id is None:
        return None
    officer = db.session.get(User, officer_id)
    if officer is None:
        raise UserError("Công chức đã chọn không tồn tại.")
    return officer


@bp.route("/assignments/<int:assignment_id>/officer", methods=["POST"])
@requires(Action.MANAGE_DIRECTIVES)
def assignment_officer(assignment_id: int):
    """Name (or clear) the officer who carries a unit's assignment."""
    assignment = _get_assignment(assignment_id)
    officer = _officer(request.form.get("officer_id"))
    changed = services.set_officer(assignment, officer, user=current_user)
    if changed:
        flash(f"Đã giao {assignment.unit.name}: "
              f"{officer.full_name if officer else 'cả đơn vị (không giao đích danh)'}.", "success")
    return redirect(url_for("manage.assign", directive_id=assignment.directive_id))


@bp.route("/assignments/<int:assignment_id>/remove", methods=["POST"])
@requires(Action.MANAGE_DIRECTIVES)
def remove_assignment(assignment_id: int):
    assignment = _get_assignment(assignment_id)
    directive_id, name = assignment.directive_id, assignment.unit.name
    services.remove_assignment(assignment, user=current_user)
    flash(f"Đã bỏ phân công {name}.", "success")
    return redirect(url_for("manage.assign", directive_id=directive_id))

