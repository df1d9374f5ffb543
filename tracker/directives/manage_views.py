"""Managing directives: import a report (upload, preview, confirm), create and edit directives,
assign units, withdraw, and the admin's routing-rule table.

Thin views: parse the form (manage_forms), call a service, commit once. A mistake re-renders the
form with a Vietnamese message and a 400, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.routing import BuildError

from tracker.auth.models import ADMIN, LEADER
from tracker.auth.permissions import MANAGERS, roles_required
from tracker.core import clock
from tracker.core.errors import fail
from tracker.core.formatting import fmt_date
from tracker.directives import manage_forms as forms
from tracker.directives import queries, services
from tracker.directives.fields import FIELD_LABELS, FIELDS
from tracker.directives.models import (
    LEAD,
    ROLES,
    SUPPORT,
    Assignment,
    Directive,
    ImportDraft,
    Period,
    RoutingRule,
)
from tracker.directives.services import DirectiveError
from tracker.extensions import db
from tracker.intake.parser import ParsedItem, ParsedReport, ReportParseError, parse_report
from tracker.intake.reading import read_report_file
from tracker.units.catalogue import UNIT_KINDS
from tracker.units.models import Unit

bp = Blueprint("manage", __name__)

WITHDRAWERS = (LEADER, ADMIN)
MAX_REPORT_BYTES = 5 * 1024 * 1024


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _directive_url(directive_id: int) -> str:
    """The directive page; the assignment page until the directive page exists."""
    try:
        return url_for("work.directive", directive_id=directive_id)
    except BuildError:
        return url_for("manage.assign", directive_id=directive_id)


def _list_url(period: Period | None = None) -> str:
    try:
        if period is not None:
            return url_for("directives.list", period=period.key)
        return url_for("directives.list")
    except BuildError:
        return url_for("directives.index")


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
        fail(404, "Không tìm thấy nhiệm vụ.")
    return directive


def _get_assignment(assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        fail(404, "Không tìm thấy phân công.")
    return assignment


def _grouped_units(units: list[Unit]) -> list[tuple[str, list[Unit]]]:
    groups: dict[str, list[Unit]] = {}
    for unit in units:
        groups.setdefault(unit.kind, []).append(unit)
    return [(UNIT_KINDS.get(kind, kind), members) for kind, members in groups.items()]


def _parent_choices(exclude_id: int | None = None) -> list[Directive]:
    """Top-level directives that may take sub-directives, latest periods first."""
    return list(
        db.session.scalars(
            sa.select(Directive)
            .join(Period, Directive.period_id == Period.id)
            .where(Directive.parent_id.is_(None), Directive.withdrawn_at.is_(None))
            .where(Directive.id != (exclude_id or 0))
            .options(selectinload(Directive.period))
            .order_by(Period.year.desc(), Period.month.desc(), Directive.position)
        )
    )


# --------------------------------------------------------------------------------------------
# Import: upload → preview → confirm
# --------------------------------------------------------------------------------------------


@bp.route("/imports/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def import_new():
    """Upload a monthly report; a good file is kept as a draft and previewed."""
    if request.method == "GET":
        return render_template("manage/import_upload.html", error=None, period="")
    period_raw = (request.form.get("period") or "").strip()
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise DirectiveError("Hãy chọn tệp báo cáo (.docx, .txt hoặc .md) để tải lên.")
        period = forms.parse_period(period_raw)
        data = upload.read(MAX_REPORT_BYTES + 1)
        text = read_report_file(upload.filename, data, max_bytes=MAX_REPORT_BYTES)
        parse_report(text, period, rules=services.routing_rules())
    except ReportParseError as exc:
        return _upload_error(exc.message, period_raw)
    except DirectiveError as exc:
        return _upload_error(str(exc), period_raw)
    key = f"{period[0]:04d}-{period[1]:02d}" if period else None
    draft = services.create_draft(upload.filename, text, key, user=current_user)
    db.session.commit()
    return redirect(url_for("manage.import_preview", token=draft.token))


def _upload_error(message: str, period_raw: str):
    db.session.rollback()
    return (
        render_template("manage/import_upload.html", error=message, period=period_raw[:20]),
        400,
    )


def _get_draft(token: str) -> ImportDraft:
    draft = services.get_draft(token)
    if draft is None:
        fail(404, "Không tìm thấy bản nhập này (có thể đã quá hạn). Hãy tải tệp lên lại.")
    return draft


def _parse_draft(draft: ImportDraft) -> ParsedReport:
    period = None
    if draft.period_key:
        year, month = draft.period_key.split("-")
        period = (int(year), int(month))
    try:
        return parse_report(draft.text, period, rules=services.routing_rules())
    except ReportParseError as exc:  # only if the parser changed since the upload
        fail(400, exc.message)


@dataclass
class PreviewRow:
    """One parsed item as shown on the preview page, with the reviewer's current choices."""

    item: ParsedItem
    is_child: bool
    field: str
    lead_ids: list[int]
    support_ids: list[int]
    deadline: str
    proposed: str = ""
    errors: list[str] = field(default_factory=list)


def _proposal_rows(parsed: ParsedReport, units: dict[str, Unit]) -> list[PreviewRow]:
    last_day = Period(year=parsed.year, month=parsed.month).last_day
    rows = []
    for item, parent in services.walk(parsed.items):
        leads = [units[c] for c in item.lead_units if c in units]
        supports = [units[c] for c in item.support_units if c in units]
        rows.append(
            PreviewRow(
                item=item,
                is_child=parent is not None,
                field=item.field or (parent.field if parent else "") or "chi_dao",
                lead_ids=[u.id for u in leads],
                support_ids=[u.id for u in supports],
                deadline=fmt_date(last_day),
                proposed=", ".join(u.name for u in leads),
            )
        )
    return rows


def _submitted_rows(
    parsed: ParsedReport, units_by_id: dict[int, Unit]
) -> tuple[list[PreviewRow], dict[str, services.ItemChoice], list[str]]:
    """The reviewer's choices from the form, validated item by item."""
    rows: list[PreviewRow] = []
    choices: dict[str, services.ItemChoice] = {}
    errors: list[str] = []
    form = request.form
    by_code = {u.code: u for u in units_by_id.values()}
    for item, parent in services.walk(parsed.items):
        n = item.number
        raw_field = (form.get(f"field-{n}") or "").strip()
        raw_leads = form.getlist(f"lead-{n}")
        raw_supports = form.getlist(f"support-{n}")
        raw_deadline = (form.get(f"deadline-{n}") or "").strip()
        row = PreviewRow(
            item=item,
            is_child=parent is not None,
            field=raw_field if raw_field in FIELD_LABELS else "",
            lead_ids=[],
            support_ids=[],
            deadline=raw_deadline[:30],
            proposed=", ".join(by_code[c].name for c in item.lead_units if c in by_code),
        )
        rows.append(row)
        try:
            if f"field-{n}" not in form:
                raise DirectiveError("thiếu lựa chọn của nhiệm vụ này, hãy tải lại trang.")
            field_code = forms.parse_field(raw_field)
            leads = _unit_ids(raw_leads, units_by_id)
            supports = _unit_ids(raw_supports, units_by_id)
            row.lead_ids = [u.id for u in leads]
            row.support_ids = [u.id for u in supports]
            deadline = forms.parse_date(raw_deadline, "Thời hạn")
            choice = services.ItemChoice(
                field=field_code,
                lead_units=[u.code for u in leads],
                support_units=[u.code for u in supports],
                deadline=deadline,
            )
            services.check_choice(n, choice, by_code)
        except DirectiveError as exc:
            prefix = f"Nhiệm vụ {n}: "
            message = str(exc)
            if message.startswith(prefix):
                message = message.removeprefix(prefix)
            else:  # a generic message ("Lĩnh vực không hợp lệ.") continues the prefix
                message = message[:1].lower() + message[1:]
            row.errors.append(message)
            errors.append(prefix + message)
            continue
        choices[n] = choice
    return rows, choices, errors


def _unit_ids(values: list[str], units_by_id: dict[int, Unit]) -> list[Unit]:
    if len(values) > len(units_by_id):
        raise DirectiveError("chọn quá nhiều đơn vị.")
    found = []
    for value in values:
        unit_id = forms.parse_id(value, "đơn vị")
        unit = units_by_id.get(unit_id) if unit_id is not None else None
        if unit is None:
            raise DirectiveError(f"đơn vị không hợp lệ (mã số «{value.strip()[:20]}»).")
        if unit not in found:
            found.append(unit)
    return found


def _render_preview(draft: ImportDraft, parsed: ParsedReport, rows: list[PreviewRow],
                    errors: list[str], status: int = 200):
    units = services.active_units()
    existing = services.imported_source(draft.text)
    return (
        render_template(
            "manage/import_preview.html",
            draft=draft,
            parsed=parsed,
            rows=rows,
            errors=errors,
            unit_groups=_grouped_units(units),
            fields=FIELDS,
            existing=existing,
            period_label=f"{parsed.month:02d}/{parsed.year}",
            top_count=len(parsed.items),
            child_count=sum(len(i.children) for i in parsed.items),
        ),
        status,
    )


@bp.route("/imports/<token>")
@roles_required(*MANAGERS)
def import_preview(token: str):
    """The parsed items with the proposed field, units and deadline, all editable."""
    draft = _get_draft(token)
    parsed = _parse_draft(draft)
    rows = _proposal_rows(parsed, {u.code: u for u in services.active_units()})
    return _render_preview(draft, parsed, rows, [])


@bp.route("/imports/<token>/confirm", methods=["POST"])
@roles_required(*MANAGERS)
def import_confirm(token: str):
    """Create the directives with the reviewed choices, once."""
    draft = _get_draft(token)
    if draft.source_id is not None or services.imported_source(draft.text) is not None:
        flash("Báo cáo này đã được nhập trước đây; không tạo thêm nhiệm vụ nào.", "info")
        return redirect(_list_url(draft.source.period if draft.source else None))
    parsed = _parse_draft(draft)
    units_by_id = {u.id: u for u in services.active_units()}
    rows, choices, errors = _submitted_rows(parsed, units_by_id)
    if errors:
        return _render_preview(draft, parsed, rows, errors, 400)
    try:
        result = services.confirm_draft(
            draft, parsed, choices, user=current_user, assigned_on=clock.today()
        )
        db.session.commit()
    except DirectiveError as exc:
        db.session.rollback()
        return _render_preview(draft, parsed, rows, [str(exc)], 400)
    except IntegrityError:  # a concurrent confirm of the same report won the race
        db.session.rollback()
        flash("Báo cáo này đã được nhập trước đây; không tạo thêm nhiệm vụ nào.", "info")
        return redirect(_list_url())
    if result.already_imported:
        flash("Báo cáo này đã được nhập trước đây; không tạo thêm nhiệm vụ nào.", "info")
    else:
        subs = sum(1 for d in result.created if d.parent_id is not None)
        flash(
            f"Đã nhập {len(result.created)} nhiệm vụ kỳ {result.source.period.label} "
            f"({len(result.created) - subs} nhiệm vụ, {subs} nhiệm vụ con).",
            "success",
        )
    return redirect(_list_url(result.source.period))


# --------------------------------------------------------------------------------------------
# Directives by hand
# --------------------------------------------------------------------------------------------


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
        }
    period = parent.period if parent else queries.default_period()
    if period is None:
        today = clock.today()
        period = Period(year=today.year, month=today.month)
    number = ""
    if parent is not None:
        number = f"{parent.number}.{len(parent.children) + 1}"
    return {
        "number": number,
        "title": "",
        "text": "",
        "field": parent.field if parent else "chi_dao",
        "deadline_kind": "date",
        "deadline": fmt_date(parent.deadline if parent else period.last_day),
        "leader_id": str(parent.leader_id or "") if parent else "",
        "parent_id": str(parent.id) if parent else "",
        "period": period.label,
    }


def _render_directive_form(directive: Directive | None, values: dict, error: str | None = None,
                           status: int = 200):
    return (
        render_template(
            "manage/directive_form.html",
            directive=directive,
            values=values,
            error=error,
            fields=FIELDS,
            leaders=services.leaders(),
            parents=_parent_choices(directive.id if directive else None),
        ),
        status,
    )


def _form_values() -> dict:
    keys = ("number", "title", "text", "field", "deadline_kind", "deadline", "leader_id",
            "parent_id", "period")
    return {key: (request.form.get(key) or "") for key in keys}


@bp.route("/directives/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new_directive():
    """A directive (or, with parent_id, a sub-directive) typed in by hand."""
    if request.method == "GET":
        raw_parent = (request.args.get("parent_id") or "").strip()
        parent = db.session.get(Directive, int(raw_parent)) if raw_parent.isdigit() else None
        if parent is not None and (parent.parent_id is not None or parent.is_withdrawn):
            parent = None
        return _render_directive_form(None, _directive_form_values(None, parent))[0]
    try:
        data = forms.parse_directive_form(request.form)
        directive = services.create_directive(data, user=current_user)
        db.session.commit()
    except DirectiveError as exc:
        db.session.rollback()
        return _render_directive_form(None, _form_values(), str(exc), 400)
    flash(f"Đã thêm nhiệm vụ {directive.number}. Hãy phân công đơn vị thực hiện.", "success")
    return redirect(url_for("manage.assign", directive_id=directive.id))


@bp.route("/directives/<int:directive_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_directive(directive_id: int):
    directive = _get_directive(directive_id)
    if directive.is_withdrawn:
        fail(400, "Nhiệm vụ đã rút, không thể sửa.")
    if request.method == "GET":
        return _render_directive_form(directive, _directive_form_values(directive, None))[0]
    try:
        data = forms.parse_directive_form(request.form)
        changed = services.update_directive(directive, data, user=current_user)
        db.session.commit()
    except DirectiveError as exc:
        db.session.rollback()
        return _render_directive_form(directive, _form_values(), str(exc), 400)
    if changed:
        flash(f"Đã lưu nhiệm vụ {directive.number}.", "success")
    else:
        flash("Không có thay đổi nào.", "info")
    return redirect(_directive_url(directive.id))


@bp.route("/directives/<int:directive_id>/withdraw", methods=["GET", "POST"])
@roles_required(*WITHDRAWERS)
def withdraw(directive_id: int):
    """Withdraw (rút) a directive with a reason: it leaves the rates, its units stop work."""
    directive = _get_directive(directive_id)
    if request.method == "GET":
        if directive.is_withdrawn:
            flash("Nhiệm vụ này đã được rút trước đó.", "info")
            return redirect(_directive_url(directive.id))
        return render_template("manage/withdraw.html", directive=directive, error=None,
                               reason="")
    reason = forms.nfc(request.form.get("reason") or "")
    try:
        count = services.withdraw_directive(directive, reason, user=current_user)
        db.session.commit()
    except DirectiveError as exc:
        db.session.rollback()
        return (
            render_template("manage/withdraw.html", directive=directive, error=str(exc),
                            reason=reason[: services.MAX_REASON]),
            400,
        )
    extra = f" cùng {count - 1} nhiệm vụ con" if count > 1 else ""
    flash(f"Đã rút nhiệm vụ {directive.number}{extra}.", "success")
    return redirect(_directive_url(directive.id))


# --------------------------------------------------------------------------------------------
# Assignments
# --------------------------------------------------------------------------------------------


def _assignment_defaults(directive: Directive) -> dict:
    return {
        "unit_id": "",
        "role": LEAD if not any(a.role == LEAD for a in directive.assignments) else SUPPORT,
        "deadline_kind": "date" if directive.deadline else "none",
        "deadline": fmt_date(directive.deadline),
        "working_days": "",
    }


def _assignment_form_values() -> dict:
    keys = ("unit_id", "role", "deadline_kind", "deadline", "working_days")
    return {key: (request.form.get(key) or "")[:30] for key in keys}


def _render_assign(directive: Directive, values: dict, error: str | None = None,
                   status: int = 200):
    taken = {a.unit_id for a in directive.assignments}
    units = [u for u in services.active_units() if u.id not in taken]
    return (
        render_template(
            "manage/assign.html",
            directive=directive,
            values=values,
            error=error,
            unit_groups=_grouped_units(units),
            roles=ROLES,
            locked={a.id: services.assignment_locked(a) for a in directive.assignments},
            field_labels=FIELD_LABELS,
            today=clock.today(),
        ),
        status,
    )


@bp.route("/directives/<int:directive_id>/assignments", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def assign(directive_id: int):
    """The directive's units: list them, add one (chủ trì / phối hợp) with its deadline."""
    directive = _get_directive(directive_id)
    if request.method == "GET":
        return _render_assign(directive, _assignment_defaults(directive))[0]
    try:
        unit_id = forms.parse_id(request.form.get("unit_id"), "đơn vị", required=True)
        unit = db.session.get(Unit, unit_id)
        if unit is None:
            raise DirectiveError("Đơn vị đã chọn không tồn tại.")
        role = forms.parse_role(request.form.get("role"))
        spec = forms.parse_deadline_spec(request.form)
        assignment = services.assign_unit(directive, unit, role, spec, user=current_user)
        db.session.commit()
    except DirectiveError as exc:
        db.session.rollback()
        directive = _get_directive(directive_id)
        return _render_assign(directive, _assignment_form_values(), str(exc), 400)
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
@roles_required(*MANAGERS)
def edit_assignment(assignment_id: int):
    """Change the role or deadline of an assignment no unit has reported on yet."""
    assignment = _get_assignment(assignment_id)
    locked = services.assignment_locked(assignment) or assignment.directive.is_withdrawn
    if request.method == "GET":
        return render_template(
            "manage/assignment_form.html", assignment=assignment,
            values=_assignment_values(assignment), error=None, roles=ROLES, locked=locked,
            current=None,
        )
    values = {**_assignment_form_values(), "version": request.form.get("version", "")[:12]}
    status = 400
    try:
        version = forms.parse_id(request.form.get("version"), "phiên bản")
        role = forms.parse_role(request.form.get("role"))
        spec = forms.parse_deadline_spec(request.form)
        changed = services.update_assignment(
            assignment, role, spec, expected_version=version, user=current_user
        )
        db.session.commit()
    except services.ConflictError as exc:
        db.session.rollback()
        error, status = str(exc), 409
    except DirectiveError as exc:
        db.session.rollback()
        error = str(exc)
    else:
        flash("Đã lưu phân công." if changed else "Không có thay đổi nào.",
              "success" if changed else "info")
        return redirect(url_for("manage.assign", directive_id=assignment.directive_id))
    assignment = _get_assignment(assignment_id)
    return (
        render_template(
            "manage/assignment_form.html", assignment=assignment, values=values, error=error,
            roles=ROLES, locked=locked, current=assignment if status == 409 else None,
        ),
        status,
    )


@bp.route("/assignments/<int:assignment_id>/remove", methods=["POST"])
@roles_required(*MANAGERS)
def remove_assignment(assignment_id: int):
    assignment = _get_assignment(assignment_id)
    directive_id, name = assignment.directive_id, assignment.unit.name
    try:
        services.remove_assignment(assignment, user=current_user)
        db.session.commit()
    except DirectiveError as exc:
        db.session.rollback()
        fail(400, str(exc))
    flash(f"Đã bỏ phân công {name}.", "success")
    return redirect(url_for("manage.assign", directive_id=directive_id))


# --------------------------------------------------------------------------------------------
# Routing rules (admin)
# --------------------------------------------------------------------------------------------


def _rule_values(rule: RoutingRule | None) -> dict:
    if rule is None:
        last = db.session.scalar(sa.select(sa.func.max(RoutingRule.position))) or 0
        return {"keywords": "", "unit_codes": "", "role": LEAD, "field": "",
                "position": str(last + 1)}
    return {"keywords": rule.keywords, "unit_codes": rule.unit_codes, "role": rule.role,
            "field": rule.field or "", "position": str(rule.position)}


def _render_rule_form(rule: RoutingRule | None, values: dict, error: str | None = None,
                      status: int = 200):
    return (
        render_template(
            "manage/rule_form.html", rule=rule, values=values, error=error, fields=FIELDS,
            roles=ROLES, units=services.active_units(),
        ),
        status,
    )


def _rule_form_values() -> dict:
    keys = ("keywords", "unit_codes", "role", "field", "position")
    return {key: (request.form.get(key) or "")[: services.MAX_KEYWORDS] for key in keys}


@bp.route("/admin/routing-rules")
@roles_required(ADMIN)
def rules():
    """The keyword → unit table the importer proposes units and fields from."""
    rows = list(
        db.session.scalars(
            sa.select(RoutingRule).order_by(
                RoutingRule.active.desc(), RoutingRule.position, RoutingRule.id
            )
        )
    )
    names = {u.code: u.name for u in db.session.scalars(sa.select(Unit))}
    return render_template(
        "manage/rules.html", rules=rows, unit_names=names, field_labels=FIELD_LABELS,
        roles=ROLES, split=services.split_list,
    )


@bp.route("/admin/routing-rules/new", methods=["GET", "POST"])
@roles_required(ADMIN)
def new_rule():
    if request.method == "GET":
        return _render_rule_form(None, _rule_values(None))[0]
    try:
        rule = services.create_rule(forms.parse_rule_form(request.form), user=current_user)
        db.session.commit()
    except DirectiveError as exc:
        db.session.rollback()
        return _render_rule_form(None, _rule_form_values(), str(exc), 400)
    flash(f"Đã thêm quy tắc số {rule.id}.", "success")
    return redirect(url_for("manage.rules"))


def _get_rule(rule_id: int) -> RoutingRule:
    rule = db.session.get(RoutingRule, rule_id)
    if rule is None:
        fail(404, "Không tìm thấy quy tắc.")
    return rule


@bp.route("/admin/routing-rules/<int:rule_id>/edit", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit_rule(rule_id: int):
    rule = _get_rule(rule_id)
    if request.method == "GET":
        return _render_rule_form(rule, _rule_values(rule))[0]
    try:
        changed = services.update_rule(rule, forms.parse_rule_form(request.form),
                                       user=current_user)
        db.session.commit()
    except DirectiveError as exc:
        db.session.rollback()
        return _render_rule_form(_get_rule(rule_id), _rule_form_values(), str(exc), 400)
    flash(f"Đã lưu quy tắc số {rule.id}." if changed else "Không có thay đổi nào.",
          "success" if changed else "info")
    return redirect(url_for("manage.rules"))


@bp.route("/admin/routing-rules/<int:rule_id>/active", methods=["POST"])
@roles_required(ADMIN)
def toggle_rule(rule_id: int):
    """Deactivate (or reactivate) a rule; rules are never deleted, the audit keeps history."""
    rule = _get_rule(rule_id)
    wanted = request.form.get("active") == "1"
    services.set_rule_active(rule, wanted, user=current_user)
    db.session.commit()
    flash(
        f"Đã {'bật lại' if wanted else 'tắt'} quy tắc số {rule.id}.", "success"
    )
    return redirect(url_for("manage.rules"))


@bp.app_context_processor
def _manage_helpers() -> dict:
    """Lets shared templates (nav, directive page) ask what the user may do here."""

    def may_manage() -> bool:
        return bool(current_user and current_user.is_authenticated
                    and current_user.role in MANAGERS)

    def may_withdraw() -> bool:
        return bool(current_user and current_user.is_authenticated
                    and current_user.role in WITHDRAWERS)

    return {
        "may_manage": may_manage,
        "may_withdraw": may_withdraw,
        "manage_directive_url": _directive_url,
    }

