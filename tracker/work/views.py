"""Directive page, "Việc của đơn vị", and the officer/leader workflow forms (blueprint ``work``).

Views are thin: they read only the form fields they know (anything else sent, such as unit_id,
state, version of another row or author_id, is ignored), call a service in workflow.py and
redirect; the unit of work commits. A refusal re-renders the directive page with its Vietnamese
message and status (a stale form gets the conflict page), nothing written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from tracker.auth.models import User
from tracker.auth.permissions import Action, can, require, requires
from tracker.constants import AWAITING_CONFIRMATION, DONE, OFFICER, PENDING, WITHDRAWN
from tracker.core import clock, uow
from tracker.core.errors import NotFound, StaleVersion, UserError, submitted_version
from tracker.core.forms import parse_date
from tracker.core.pagecache import render_page
from tracker.directives import cache_scopes
from tracker.directives.fields import FIELD_LABELS
from tracker.directives.history import load_history
from tracker.directives.models import (
    Assignment,
    Attachment,
    Directive,
    ExtensionRequest,
    ProgressUpdate,
)
from tracker.directives.presenters import (
    assignment_deadline,
    assignment_status,
    directive_status,
)
from tracker.extensions import db
from tracker.units.models import Unit
from tracker.work import evidence, workflow
from tracker.work.directive_graph import load_directive_page
from tracker.work.returned import latest_return
from tracker.work.unit_work import unit_work

bp = Blueprint("work", __name__)


# --- loading ---------------------------------------------------------------------------------


def _load_assignment(assignment_id: int) -> Assignment:
    assignment = db.session.scalar(
        sa.select(Assignment)
        .where(Assignment.id == assignment_id)
        .options(joinedload(Assignment.unit), joinedload(Assignment.directive))
    )
    if assignment is None:
        raise NotFound("Không tìm thấy phân công.")
    return assignment


def assigned_unit_ids(directive_id: int) -> set[int]:
    """The units a directive (or its parent) is given to: who may see its evidence."""
    return set(
        db.session.scalars(sa.select(Assignment.unit_id).where(
            Assignment.directive_id == directive_id
        ))
    )


def may_download(user: User, directive_id: int) -> bool:
    """Managers and viewers see every file; an officer only those of directives given to the
    officer's unit (the permission table's object rule)."""
    if user.role != OFFICER:  # no query for the roles the rule does not narrow
        return can(user, Action.DOWNLOAD_EVIDENCE)
    return can(user, Action.DOWNLOAD_EVIDENCE, assigned_unit_ids(directive_id))


# --- the directive page ----------------------------------------------------------------------


def _page_context(directive: Directive) -> dict[str, Any]:
    as_of = clock.today()
    rows = []
    for a in directive.assignments:
        pending = next((r for r in a.extension_requests if r.status == PENDING), None)
        status = assignment_status(a, as_of)
        open_ = not workflow.is_withdrawn(a)
        can_report = open_ and can(current_user, Action.REPORT_PROGRESS, a)
        rows.append(
            {
                "a": a,
                "status": status,
                "status_original": assignment_status(a, as_of, "original"),
                "deadline": assignment_deadline(a, as_of),
                "pending": pending,
                "can_report": can_report and a.state not in (DONE, AWAITING_CONFIRMATION),
                "can_extend": can_report
                and a.state != DONE
                and pending is None
                and assignment_deadline(a, as_of) is not None,
                "can_confirm": open_ and a.state == AWAITING_CONFIRMATION
                and can(current_user, Action.CONFIRM_COMPLETION, a),
                "can_decide": open_ and pending is not None
                and can(current_user, Action.DECIDE_EXTENSION, a),
                "returned": latest_return(a.state, a.updates),
            }
        )
    updates = sorted(
        (u for a in directive.assignments for u in a.updates),
        key=lambda u: (u.created_at, u.id),
        reverse=True,
    )
    requests = sorted(
        (r for a in directive.assignments for r in a.extension_requests),
        key=lambda r: (r.requested_at, r.id),
        reverse=True,
    )
    return {
        "directive": directive,
        "as_of": as_of,
        "status": directive_status(directive, as_of),
        "children": [(c, directive_status(c, as_of)) for c in directive.children],
        "rows": rows,
        "updates": updates,
        "requests": requests,
        "history": load_history(directive.id),
        "field_label": FIELD_LABELS.get(directive.field, directive.field),
        "may_download": may_download(current_user, directive.id),
        "file_note": workflow.file_limit_note(),
        "today_iso": as_of.isoformat(),
        # opened from "Việc cần xử lý": the forms bring the person back there
        "from_inbox": request.args.get("from") == "inbox" or request.form.get("next") == "inbox",
    }


def render_directive(
    directive: Directive,
    *,
    error: str | None = None,
    error_assignment_id: int | None = None,
    submitted: dict[str, str] | None = None,
) -> str:
    context = _page_context(directive)
    context.update(error=error, error_assignment_id=error_assignment_id, submitted=submitted or {})
    return render_template("directives/detail.html", **context)


@bp.route("/directives/<int:directive_id>")
@requires(Action.READ)
def directive(directive_id: int):
    """The directive page: text, units and deadlines, progress timeline, extensions, history."""

    def build() -> dict[str, Any]:
        context = _page_context(load_directive_page(directive_id))
        context.update(error=None, error_assignment_id=None, submitted={})
        return context

    return render_page("directives/detail.html", build,
                       lambda: cache_scopes.directive_page(directive_id))


# --- "Việc của đơn vị" -----------------------------------------------------------------------

@bp.route("/my-unit")
@requires(Action.READ)
def my_unit():
    """An officer's unit's assignments across periods; others pick a unit with ?unit_id=."""
    units = []
    unit = None
    if current_user.role == OFFICER:
        unit = current_user.unit  # an officer sees their own unit; ?unit_id= is ignored
    else:
        units = list(db.session.scalars(sa.select(Unit).order_by(Unit.position, Unit.id)))
        unit_id = request.args.get("unit_id", type=int)
        unit = next((u for u in units if u.id == unit_id), None)
        if unit_id is not None and unit is None:
            raise NotFound("Không tìm thấy đơn vị.")
    as_of = clock.today()
    everything = request.args.get("all") == "1"
    work = unit_work(unit.id, as_of, everything=everything) if unit is not None else None
    return render_template(
        "directives/my_unit.html",
        unit=unit,
        units=units,
        items=work.items if work else [],
        counts=work.counts if work else {},
        work=work,
        everything=everything,
        as_of=as_of,
        soon=as_of + dt.timedelta(days=7),
        WITHDRAWN=WITHDRAWN,
    )


# --- actions ---------------------------------------------------------------------------------


def _on_refusal(assignment: Assignment, submitted: dict[str, str]) -> None:
    """A refusal shows the directive page again with the message beside the assignment's form
    and what the user typed; a stale form gets the conflict page; a 403 the plain page."""
    assignment_id, directive_id = assignment.id, assignment.directive_id

    def render(exc: UserError) -> str | None:
        if isinstance(exc, StaleVersion):
            current = _load_assignment(assignment_id)
            return render_template(
                "directives/conflict.html",
                message=exc.message,
                current=exc.current or workflow.current_values(current),
                submitted=submitted,
                assignment=current,
                directive=current.directive,
            )
        if exc.status == 403:
            return None
        return render_directive(
            load_directive_page(directive_id),
            error=exc.message,
            error_assignment_id=assignment_id,
            submitted=submitted,
        )

    uow.rerender_on_error(render)


def _done(assignment: Assignment, message: str):
    flash(message, "success")
    if request.form.get("next") == "inbox":  # a fixed place, never a URL from the form
        return redirect(url_for("inbox.index"))
    return redirect(url_for(
        "work.directive", directive_id=assignment.directive_id, _anchor=f"a{assignment.id}"
    ))


def _read_files() -> list[tuple[str, bytes]]:
    """Uploaded files as (name, bytes); reading stops one byte past the per-file limit."""
    limit = evidence.file_limit_bytes()
    files = []
    for storage in request.files.getlist("files"):
        if not storage or not storage.filename:
            continue
        files.append((storage.filename, storage.stream.read(limit + 1)))
    return files


def _version() -> int:
    return submitted_version(request.form.get("version"))


@bp.route("/assignments/<int:assignment_id>/progress", methods=["POST"])
@requires(Action.REPORT_PROGRESS)
def post_progress(assignment_id: int):
    assignment = _load_assignment(assignment_id)
    require(current_user, Action.REPORT_PROGRESS, assignment)
    form = request.form
    submitted = {
        key: form.get(key, "") for key in ("percent", "result", "difficulties", "proposals")
    }
    _on_refusal(assignment, submitted)
    report_done = form.get("report_done") in ("1", "on", "true")
    percent_raw = form.get("percent", "").strip().rstrip("%")
    if not percent_raw.isdigit() or len(percent_raw) > 3:
        raise UserError("Tiến độ phải là số phần trăm từ 0 đến 100.")
    workflow.post_progress(
        assignment,
        current_user,
        percent=int(percent_raw),
        result=form.get("result", ""),
        difficulties=form.get("difficulties", ""),
        proposals=form.get("proposals", ""),
        files=_read_files(),
        expected_version=_version(),
        report_done=report_done,
    )
    return _done(assignment, "Đã gửi báo cáo hoàn thành; chờ lãnh đạo xác nhận."
                 if report_done else "Đã lưu báo cáo tiến độ.")


@bp.route("/assignments/<int:assignment_id>/extension", methods=["POST"])
@requires(Action.REPORT_PROGRESS)
def request_extension(assignment_id: int):
    assignment = _load_assignment(assignment_id)
    require(current_user, Action.REPORT_PROGRESS, assignment)
    form = request.form
    _on_refusal(assignment, {key: form.get(key, "") for key in ("reason", "proposed_deadline")})
    workflow.request_extension(
        assignment,
        current_user,
        reason=form.get("reason", ""),
        proposed_deadline=parse_date(form.get("proposed_deadline", ""), "Thời hạn đề nghị"),
        expected_version=_version(),
    )
    return _done(assignment, "Đã gửi đề nghị gia hạn; chờ lãnh đạo quyết định.")


@bp.route("/assignments/<int:assignment_id>/confirm", methods=["POST"])
@requires(Action.CONFIRM_COMPLETION)
def confirm(assignment_id: int):
    assignment = _load_assignment(assignment_id)
    form = request.form
    _on_refusal(assignment, {"comment": form.get("comment", "")})
    if form.get("decision") == "return":
        workflow.return_completion(
            assignment, current_user, comment=form.get("comment", ""),
            expected_version=_version(),
        )
        return _done(assignment, "Đã trả lại cho đơn vị tiếp tục thực hiện.")
    workflow.confirm_completion(
        assignment, current_user, comment=form.get("comment", ""), expected_version=_version(),
    )
    return _done(assignment, "Đã xác nhận hoàn thành.")


@bp.route("/extensions/<int:request_id>/decide", methods=["POST"])
@requires(Action.DECIDE_EXTENSION)
def decide_extension(request_id: int):
    ext = db.session.scalar(
        sa.select(ExtensionRequest)
        .where(ExtensionRequest.id == request_id)
        .options(joinedload(ExtensionRequest.assignment).joinedload(Assignment.directive))
    )
    if ext is None:
        raise NotFound("Không tìm thấy đề nghị gia hạn.")
    assignment = ext.assignment
    form = request.form
    _on_refusal(assignment, {"decision_comment": form.get("comment", "")})
    decision = form.get("decision")
    if decision not in ("approve", "reject"):
        raise UserError("Vui lòng chọn Đồng ý hoặc Không đồng ý.")
    approve = decision == "approve"
    workflow.decide_extension(ext, current_user, approve=approve, comment=form.get("comment", ""))
    return _done(assignment, "Đã đồng ý gia hạn." if approve else "Đã không đồng ý gia hạn.")


# --- evidence download -----------------------------------------------------------------------


@bp.route("/attachments/<int:attachment_id>")
@requires(Action.DOWNLOAD_EVIDENCE)
def attachment(attachment_id: int):
    """Serve an evidence file as a download (never inline), only to those who may see it."""
    item = db.session.scalar(
        sa.select(Attachment)
        .where(Attachment.id == attachment_id)
        .options(joinedload(Attachment.update).joinedload(ProgressUpdate.assignment))
    )
    if item is None:
        raise NotFound("Không tìm thấy tệp.")
    directive_id = item.update.assignment.directive_id
    require(current_user, Action.DOWNLOAD_EVIDENCE, assigned_unit_ids(directive_id))
    try:
        path = evidence.stored_path(item.stored_name)
    except evidence.AttachmentError:
        raise NotFound("Không tìm thấy tệp.") from None
    if not path.is_file():
        raise NotFound("Tệp không còn trên máy chủ. Vui lòng liên hệ quản trị viên.")
    response = send_file(
        path,
        mimetype=item.content_type,
        as_attachment=True,
        download_name=item.original_name,
        max_age=0,
        conditional=False,
        etag=False,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
