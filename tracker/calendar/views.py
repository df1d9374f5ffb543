"""The working-day calendar for admins: the package's holidays (read-only) and the editable
exceptions (extra days off, make-up working Saturdays) that N-working-day deadlines use."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth.models import ADMIN
from tracker.auth.permissions import roles_required
from tracker.calendar import services
from tracker.calendar.models import EXCEPTION_KINDS, CalendarException
from tracker.calendar.workdays import HOLIDAY, package_entries
from tracker.core import clock
from tracker.core.errors import fail
from tracker.core.formatting import nfc
from tracker.directives.manage_forms import parse_date
from tracker.directives.services import DirectiveError
from tracker.extensions import db

bp = Blueprint("calendar", __name__, url_prefix="/admin/calendar")

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


@bp.before_request
@roles_required(ADMIN)
def _admin_only() -> None:
    """Every page here is for admins; the check runs before any view."""


def _year() -> int:
    raw = (request.values.get("year") or "").strip()
    if not raw:
        return clock.today().year
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        fail(400, "Năm không hợp lệ: chọn một năm từ 2000 đến 2100.")
    return int(raw)


def _render(year: int, values: dict, error: str | None = None, status: int = 200):
    return (
        render_template(
            "calendar/index.html",
            year=year,
            package=package_entries(year),
            exceptions=services.exceptions_of_year(year),
            kinds=EXCEPTION_KINDS,
            weekdays=WEEKDAYS,
            values=values,
            error=error,
            HOLIDAY=HOLIDAY,
        ),
        status,
    )


@bp.route("/")
def index():
    """A year's public holidays and the admin's exceptions."""
    year = _year()
    return _render(year, {"day": "", "kind": HOLIDAY, "note": "", "legal_source": ""})[0]


@bp.route("/exceptions", methods=["POST"])
def add_exception():
    year = _year()
    form = request.form
    limits = {"day": 30, "kind": 20, "note": services.MAX_NOTE,
              "legal_source": services.MAX_NOTE}
    values = {key: nfc(form.get(key) or "")[:limit] for key, limit in limits.items()}
    try:
        day = parse_date(form.get("day"), "Ngày")
        if day is None:
            raise DirectiveError("Hãy nhập ngày (ngày/tháng/năm).")
        row = services.add_exception(
            day, (form.get("kind") or "").strip(), nfc(form.get("note") or ""),
            nfc(form.get("legal_source") or ""), user=current_user,
        )
        db.session.commit()
    except (DirectiveError, services.CalendarError) as exc:
        db.session.rollback()
        return _render(year, values, str(exc), 400)
    flash(f"Đã thêm {EXCEPTION_KINDS[row.kind].lower()} {row.day:%d/%m/%Y}.", "success")
    return redirect(url_for("calendar.index", year=row.day.year))


@bp.route("/exceptions/<int:exception_id>/delete", methods=["POST"])
def delete_exception(exception_id: int):
    row = db.session.get(CalendarException, exception_id)
    if row is None:
        fail(404, "Không tìm thấy ngày ngoại lệ này.")
    day: dt.date = row.day
    services.delete_exception(row, user=current_user)
    db.session.commit()
    flash(f"Đã xóa ngày ngoại lệ {day:%d/%m/%Y}.", "success")
    return redirect(url_for("calendar.index", year=day.year))
