"""The working-day calendar for admins: the package's holidays (read-only) and the editable
exceptions (extra days off, make-up working Saturdays) that N-working-day deadlines use."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth.permissions import Action, requires
from tracker.calendar import services
from tracker.calendar.models import EXCEPTION_KINDS, CalendarException
from tracker.calendar.workdays import HOLIDAY, package_entries
from tracker.core import clock, uow
from tracker.core.errors import NotFound, UserError
from tracker.core.formatting import nfc
from tracker.core.forms import parse_required_date
from tracker.extensions import db

bp = Blueprint("calendar", __name__, url_prefix="/admin/calendar")

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


def _year() -> int:
    raw = (request.values.get("year") or "").strip()
    if not raw:
        return clock.today().year
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise UserError("Năm không hợp lệ: chọn một năm từ 2000 đến 2100.")
    return int(raw)


def _render(year: int, values: dict, error: str | None = None) -> str:
    return render_template(
        "calendar/index.html",
        year=year,
        package=package_entries(year),
        exceptions=services.exceptions_of_year(year),
        kinds=EXCEPTION_KINDS,
        weekdays=WEEKDAYS,
        values=values,
        error=error,
        HOLIDAY=HOLIDAY,
    )


@bp.route("/")
@requires(Action.ADMINISTER)
def index():
    """A year's public holidays and the admin's exceptions."""
    year = _year()
    return _render(year, {"day": "", "kind": HOLIDAY, "note": "", "legal_source": ""})


@bp.route("/exceptions", methods=["POST"])
@requires(Action.ADMINISTER)
def add_exception():
    year = _year()
    form = request.form
    limits = {"day": 30, "kind": 20, "note": services.MAX_NOTE,
              "legal_source": services.MAX_NOTE}
    values = {key: nfc(form.get(key) or "")[:limit] for key, limit in limits.items()}
    uow.rerender_on_error(lambda exc: _render(year, values, exc.message))
    day = parse_required_date(form.get("day"), "Ngày")
    row = services.add_exception(
        day, (form.get("kind") or "").strip(), nfc(form.get("note") or ""),
        nfc(form.get("legal_source") or ""), user=current_user,
    )
    flash(f"Đã thêm {EXCEPTION_KINDS[row.kind].lower()} {row.day:%d/%m/%Y}.", "success")
    return redirect(url_for("calendar.index", year=row.day.year))


@bp.route("/exceptions/<int:exception_id>/delete", methods=["POST"])
@requires(Action.ADMINISTER)
def delete_exception(exception_id: int):
    row = db.session.get(CalendarException, exception_id)
    if row is None:
        raise NotFound("Không tìm thấy ngày ngoại lệ này.")
    day: dt.date = row.day
    services.delete_exception(row, user=current_user)
    flash(f"Đã xóa ngày ngoại lệ {day:%d/%m/%Y}.", "success")
    return redirect(url_for("calendar.index", year=day.year))
