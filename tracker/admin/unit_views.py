"""Admin pages for units: the list (by kind, with validity and usage), create, edit (kind,
parent, dates), delete an unused unit, and record merges and renames. Admin only."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.admin import services
from tracker.admin.forms import NewUnitForm, UnitForm
from tracker.admin.views import _refuse_with_form, bp
from tracker.auth.models import User
from tracker.auth.permissions import Action, requires
from tracker.core import clock
from tracker.core.errors import NotFound, UserError
from tracker.core.formatting import fmt_date
from tracker.core.forms import parse_date, parse_id
from tracker.directives.models import Assignment
from tracker.extensions import db
from tracker.units import kinds, lineage
from tracker.units.models import SUCCESSION_KINDS, Unit, UnitSuccession
from tracker.units.queries import grouped_by_kind, groups_present


def _get_unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.")
    return unit


def _all_units() -> list[Unit]:
    return list(db.session.scalars(sa.select(Unit).order_by(Unit.position, Unit.name)))


def _fill_unit_choices(form: UnitForm, unit: Unit | None) -> None:
    form.kind.choices = list(kinds.UNIT_TYPES.items())
    form.parent_id.choices = [("", "— Không có —")] + [
        (str(u.id), f"{u.name} ({u.code})") for u in _all_units()
        if unit is None or u.id != unit.id
    ]


def _counts(column: sa.ColumnElement, model: type) -> dict[int, int]:
    return dict(db.session.execute(
        sa.select(column, sa.func.count()).select_from(model).where(column.is_not(None))
        .group_by(column)
    ).tuples().all())


@bp.route("/units")
@requires(Action.ADMINISTER)
def units():
    """Units by kind, with their validity, parent, users and assignments."""
    group = (request.args.get("kind") or "").strip() or None
    if group is not None and group not in kinds.UNIT_GROUPS:
        raise UserError("Nhóm đơn vị không hợp lệ.")
    rows = _all_units()
    shown = [u for u in rows if group is None or kinds.GROUP_OF_TYPE.get(u.type) == group]
    links = lineage.all_links()
    names = {u.id: u.name for u in rows}
    return render_template(
        "admin/units.html",
        groups=grouped_by_kind(shown),
        total=len(rows),
        names=names,
        successors={lk.predecessor_id: lk for lk in links},
        user_counts=_counts(User.unit_id, User),
        assignment_counts=_counts(Assignment.unit_id, Assignment),
        today=clock.today(),
        group=group,
        group_choices=groups_present([u.type for u in rows]),
    )


def _dates(form: UnitForm) -> tuple:
    return (parse_date(form.valid_from.data, "Hoạt động từ ngày"),
            parse_date(form.ended_on.data, "Ngừng hoạt động từ ngày"))


def _parent_id(form: UnitForm) -> int | None:
    return parse_id(form.parent_id.data, "đơn vị cấp trên")


@bp.route("/units/new", methods=["GET", "POST"])
@requires(Action.ADMINISTER)
def unit_new():
    form = NewUnitForm()
    _fill_unit_choices(form, None)
    if form.validate_on_submit():
        _refuse_with_form("admin/unit_form.html", form=form, unit=None)
        valid_from, ended_on = _dates(form)
        unit = services.create_unit(
            code=form.code.data, name=form.name.data, kind=form.kind.data,
            email=form.email.data, active=bool(form.active.data), parent_id=_parent_id(form),
            valid_from=valid_from, ended_on=ended_on, actor=current_user,
        )
        flash(f"Đã tạo đơn vị {unit.name}.", "success")
        return redirect(url_for("admin.units"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/unit_form.html", form=form, unit=None), status


def _edit_context(unit: Unit) -> dict:
    """What the edit page shows beside the form: usage, merge links, the merge form's units."""
    return {
        "usage": services.unit_usage(unit),
        "replaced_by": lineage.successions_from(unit.id),
        "replaces": lineage.successions_to(unit.id),
        "merge_targets": [u for u in _all_units() if u.id != unit.id],
        "succession_kinds": SUCCESSION_KINDS,
    }


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@requires(Action.ADMINISTER)
def unit_edit(unit_id: int):
    unit = _get_unit(unit_id)
    form = UnitForm(obj=unit) if request.method == "GET" else UnitForm()
    _fill_unit_choices(form, unit)
    if request.method == "GET":
        form.kind.data = unit.type
        form.parent_id.data = str(unit.parent_id) if unit.parent_id else ""
        form.valid_from.data = fmt_date(unit.valid_from)
        form.ended_on.data = fmt_date(unit.ended_on)
        form.version.data = str(unit.version)
    if form.validate_on_submit():
        _refuse_with_form("admin/unit_form.html", form=form, unit=unit, **_edit_context(unit))
        valid_from, ended_on = _dates(form)
        changed = services.update_unit(
            unit, name=form.name.data, kind=form.kind.data, email=form.email.data,
            active=bool(form.active.data), parent_id=_parent_id(form), valid_from=valid_from,
            ended_on=ended_on, expected_version=form.version.data, actor=current_user,
        )
        flash(f"Đã lưu đơn vị {unit.name}." if changed else "Không có thay đổi nào.",
              "success" if changed else "info")
        return redirect(url_for("admin.units"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/unit_form.html", form=form, unit=unit,
                           **_edit_context(unit)), status


@bp.route("/units/<int:unit_id>/delete", methods=["POST"])
@requires(Action.ADMINISTER)
def unit_delete(unit_id: int):
    """Xóa: only a unit nothing refers to; one that was given work is ended with a date."""
    unit = _get_unit(unit_id)
    name = unit.name
    services.delete_unit(unit, actor=current_user)
    flash(f"Đã xóa đơn vị {name}.", "success")
    return redirect(url_for("admin.units"))


@bp.route("/units/<int:unit_id>/successions", methods=["POST"])
@requires(Action.ADMINISTER)
def unit_succession(unit_id: int):
    """Sáp nhập, đổi tên, chia tách: from a day, another unit carries on this unit's work."""
    unit = _get_unit(unit_id)
    successor_id = parse_id(request.form.get("successor_id"), "đơn vị thay thế", required=True)
    successor = db.session.get(Unit, successor_id)
    if successor is None:
        raise UserError("Đơn vị thay thế không tồn tại.")
    effective_on = parse_date(request.form.get("effective_on"), "Từ ngày")
    if effective_on is None:
        raise UserError("Hãy nhập ngày sáp nhập, đổi tên (dd/mm/yyyy).")
    kind = (request.form.get("kind") or "").strip()
    services.record_succession(unit, successor, effective_on, kind, actor=current_user)
    flash(f"Đã ghi nhận: {unit.name} {SUCCESSION_KINDS[kind].lower()} {successor.name} từ "
          f"ngày {fmt_date(effective_on)}.", "success")
    return redirect(url_for("admin.unit_edit", unit_id=unit.id))


@bp.route("/units/<int:unit_id>/successions/remove", methods=["POST"])
@requires(Action.ADMINISTER)
def unit_succession_remove(unit_id: int):
    unit = _get_unit(unit_id)
    link_id = parse_id(request.form.get("link_id"), "liên kết", required=True)
    link = db.session.get(UnitSuccession, link_id)
    if link is None or unit.id not in (link.predecessor_id, link.successor_id):
        raise UserError("Không tìm thấy liên kết sáp nhập, đổi tên này.")
    services.remove_succession(link, actor=current_user)
    flash("Đã bỏ liên kết; ngày ngừng hoạt động của đơn vị cũ giữ nguyên.", "success")
    return redirect(url_for("admin.unit_edit", unit_id=unit.id))

