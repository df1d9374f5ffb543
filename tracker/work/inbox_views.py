"""Pages of the daily loop (blueprint ``inbox``): "Việc cần xử lý" and the notifications.

The inbox is each person's first page after signing in (leaders, the Văn phòng, officers);
every row links to the page where it is acted on, and acting there removes it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth.permissions import Action, requires
from tracker.core import clock
from tracker.core.forms import parse_int
from tracker.directives.naming import directive_name, task_name
from tracker.work import feeds, inbox, notices

bp = Blueprint("inbox", __name__)

@bp.app_context_processor
def daily_loop_globals() -> dict[str, Any]:
    """The navigation's numbers (computed only when a page shows the navigation)."""

    def inbox_count() -> int:
        if not current_user.is_authenticated:
            return 0
        if "inbox_count" not in g:  # the page shows it twice (menu and phone shortcut)
            g.inbox_count = inbox.count_for(current_user)
        return g.inbox_count

    def unread_count() -> int:
        return notices.unread_count(current_user) if current_user.is_authenticated else 0

    return {"inbox_count": inbox_count, "unread_count": unread_count}


@bp.app_template_filter("task_name")
def task_name_filter(directive: Any) -> str:
    """``{{ directive|task_name }}``: "Nhiệm vụ 3 (tháng 03/2023)"."""
    return directive_name(directive)


@bp.app_template_global("task_label")
def task_label(number: str, year: int, month: int) -> str:
    return task_name(number, year, month)


@bp.route("/inbox")
@requires(Action.READ)
def index():
    """Việc cần xử lý: what waits for the signed-in person today."""
    box = inbox.build(current_user)
    return render_template(
        "work/inbox.html",
        inbox=box,
        as_of=clock.today(),
        feed=feeds.personal_feed_url(current_user),
    )


@bp.route("/notifications")
@requires(Action.ACCOUNT)
def notifications():
    """The bell: notifications addressed to the signed-in person, newest first."""
    page = parse_int(request.args.get("page") or "1", "Số trang không hợp lệ.")
    if not 1 <= page <= 10_000:
        page = 1
    unread_only = request.args.get("unread") == "1"
    items, more = notices.recent(current_user, page=page, unread_only=unread_only)
    return render_template("work/notifications.html", items=items, more=more, page=page,
                           unread_only=unread_only)


def _ids(values: list[str]) -> list[int]:
    ids = []
    for value in values[:200]:
        value = value.strip()
        if value.isdigit() and len(value) <= 9:
            ids.append(int(value))
    return ids


@bp.route("/notifications/read", methods=["POST"])
@requires(Action.ACCOUNT)
def mark_read():
    """Open one notification (marked read, then its page), or mark several or all read."""
    if request.form.get("all") == "1":
        count = notices.mark_read(current_user)
        flash(f"Đã đánh dấu {count} thông báo là đã đọc." if count
              else "Không có thông báo chưa đọc.", "info")
        return redirect(url_for("inbox.notifications"))
    ids = _ids(request.form.getlist("id"))
    notices.mark_read(current_user, ids)
    if request.form.get("open") == "1" and len(ids) == 1:
        item = notices.own(current_user, ids[0])
        if item is not None and item.link.startswith("/") and not item.link.startswith("//"):
            return redirect(item.link)
    return redirect(url_for("inbox.notifications"))
