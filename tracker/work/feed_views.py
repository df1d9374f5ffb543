"""Calendar feeds (blueprint ``feeds``): one's secret .ics addresses, and the feed itself.

``feeds.calendar`` is reached without a session (calendar apps cannot sign in): it is in
PUBLIC_ENDPOINTS and checks its own token (tracker/work/feeds.py), answering 404 to anything
but a live token.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth.permissions import Action, requires
from tracker.constants import OFFICER
from tracker.core.errors import NotFound
from tracker.core.forms import parse_id
from tracker.extensions import db
from tracker.units.models import Unit
from tracker.work import feeds
from tracker.work.models import FEED_MINE, FEED_UNIT

bp = Blueprint("feeds", __name__)


def _units() -> list[Unit]:
    if current_user.role == OFFICER:
        return [current_user.unit] if current_user.unit is not None else []
    return list(db.session.scalars(sa.select(Unit).where(Unit.active.is_(True))
                                   .order_by(Unit.position, Unit.name)))


@bp.route("/account/calendar")
@requires(Action.ACCOUNT)
def manage():
    """Lịch (.ics): the person's secret calendar addresses, to add to Outlook or a phone."""
    wanted = request.args.get("unit_id", type=int)
    rows = feeds.active_feeds(current_user)
    return render_template(
        "work/feeds.html",
        feeds=[(row, feeds.label_of(row), feeds.url_of(row)) for row in rows],
        units=_units(),
        wanted=wanted,
        has_mine=any(row.scope == FEED_MINE for row in rows),
        FEED_MINE=FEED_MINE,
        FEED_UNIT=FEED_UNIT,
    )


@bp.route("/account/calendar", methods=["POST"])
@requires(Action.ACCOUNT)
def create():
    scope = request.form.get("scope", "")
    unit_id = None
    if scope == FEED_UNIT:
        unit_id = parse_id(request.form.get("unit_id", ""), "đơn vị", required=True)
    row = feeds.create(current_user, scope, unit_id)
    flash(f"Địa chỉ lịch “{feeds.label_of(row)}” đã sẵn sàng; sao chép và thêm vào ứng dụng "
          "lịch của bạn.", "success")
    return redirect(url_for("feeds.manage", _anchor=f"feed{row.id}"))


@bp.route("/account/calendar/revoke", methods=["POST"])
@requires(Action.ACCOUNT)
def revoke():
    feed_id = parse_id(request.form.get("id", ""), "lịch cần thu hồi", required=True)
    row = feeds.revoke(current_user, feed_id or 0)
    flash(f"Đã thu hồi địa chỉ lịch “{feeds.label_of(row)}”; địa chỉ cũ không còn dùng được.",
          "success")
    return redirect(url_for("feeds.manage"))


@bp.route("/feeds/<feed_token>.ics")
def calendar(feed_token: str):
    """The calendar behind a secret address (public endpoint, its own token check)."""
    row = feeds.find(feed_token)
    if row is None:
        raise NotFound("Không tìm thấy lịch này (địa chỉ sai hoặc đã bị thu hồi).")
    response = make_response(feeds.calendar_bytes(row))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="nhiem-vu.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
