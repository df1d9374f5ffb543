"""The admin's routing table: keywords → proposed units and field (blueprint ``routing``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth.permissions import Action, requires
from tracker.constants import ASSIGNMENT_ROLES, LEAD
from tracker.core import uow
from tracker.core.errors import NotFound, submitted_version
from tracker.directives.fields import FIELD_LABELS, FIELDS
from tracker.extensions import db
from tracker.intake import rules as services
from tracker.intake.models import RoutingRule
from tracker.units.models import Unit
from tracker.units.queries import active_units

bp = Blueprint("routing", __name__, url_prefix="/admin/routing-rules")


def _rule_values(rule: RoutingRule | None) -> dict:
    if rule is None:
        last = db.session.scalar(sa.select(sa.func.max(RoutingRule.position))) or 0
        return {"keywords": "", "unit_codes": "", "role": LEAD, "field": "",
                "position": str(last + 1)}
    return {"keywords": rule.keywords, "unit_codes": rule.unit_codes, "role": rule.role,
            "field": rule.field or "", "position": str(rule.position),
            "version": str(rule.version)}


def _render_form(rule: RoutingRule | None, values: dict, error: str | None = None) -> str:
    return render_template(
        "intake/rule_form.html", rule=rule, values=values, error=error, fields=FIELDS,
        roles=ASSIGNMENT_ROLES, units=active_units(),
    )


def _submitted_values() -> dict:
    keys = ("keywords", "unit_codes", "role", "field", "position", "version")
    return {key: (request.form.get(key) or "")[: services.MAX_KEYWORDS] for key in keys}


def _get_rule(rule_id: int) -> RoutingRule:
    rule = db.session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound("Không tìm thấy quy tắc.")
    return rule


@bp.route("")
@requires(Action.ADMINISTER)
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
        "intake/rules.html", rules=rows, unit_names=names, field_labels=FIELD_LABELS,
        roles=ASSIGNMENT_ROLES, split=services.split_list,
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Action.ADMINISTER)
def new_rule():
    if request.method == "GET":
        return _render_form(None, _rule_values(None))
    values = _submitted_values()
    uow.rerender_on_error(lambda exc: _render_form(None, values, exc.message))
    rule = services.create_rule(services.parse_rule_form(request.form), user=current_user)
    flash(f"Đã thêm quy tắc số {rule.id}.", "success")
    return redirect(url_for("routing.rules"))


@bp.route("/<int:rule_id>/edit", methods=["GET", "POST"])
@requires(Action.ADMINISTER)
def edit_rule(rule_id: int):
    rule = _get_rule(rule_id)
    if request.method == "GET":
        return _render_form(rule, _rule_values(rule))
    values = _submitted_values()
    uow.rerender_on_error(lambda exc: _render_form(_get_rule(rule_id), values, exc.message))
    changed = services.update_rule(
        rule, services.parse_rule_form(request.form), user=current_user,
        expected_version=submitted_version(request.form.get("version")),
    )
    flash(f"Đã lưu quy tắc số {rule.id}." if changed else "Không có thay đổi nào.",
          "success" if changed else "info")
    return redirect(url_for("routing.rules"))


@bp.route("/<int:rule_id>/active", methods=["POST"])
@requires(Action.ADMINISTER)
def toggle_rule(rule_id: int):
    """Deactivate (or reactivate) a rule; rules are never deleted, the audit keeps history."""
    rule = _get_rule(rule_id)
    wanted = request.form.get("active") == "1"
    services.set_rule_active(rule, wanted, user=current_user)
    flash(f"Đã {'bật lại' if wanted else 'tắt'} quy tắc số {rule.id}.", "success")
    return redirect(url_for("routing.rules"))
