"""Directive page, "Việc của đơn vị", and the officer/leader workflow forms (blueprint ``work``).

Views are thin: they read only the form fields they know (anything else sent, such as unit_id,
state, version of another row or author_id, is ignored), call a service in workflow.py, commit
once, and answer a refusal with its Vietnamese message and status, nothing written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker.auth.models import OFFICER, User
from tracker.core import clock
from tracker.core.errors import fail
from tracker.core.formatting import parse_vn_date
from tracker.core.models import AuditEvent
from tracker.core.pagecache import render_page
from tracker.directives import attachments as files_mod
from tracker.directives import workflow
from tracker.directives.fields import FIELD_LABELS
from tracker.directives.history import describe
from tracker.directives.models import (
    AWAITING_CONFIRMATION,
    DONE,
    PENDING,
    WITHDRAWN,
    Assignment,
    Attachment,
    Directive,
    ExtensionRequest,
    ProgressUpdate,
)
from tracker.directives.presenters import assignment_status, directive_status
from tracker.directives.status import Bucket
from tracker.extensions import db
from tracker.units.models import Unit

bp = Blueprint("work", __name__)


# --- loading ---------------------------------------------------------------------------------


def _directive_query(directive_id: int) -> sa.Select:
    """Everything the page shows, in a fixed number of queries whatever the amount of history."""
    return (
        sa.select(Directive)
        .where(Directive.id == directive_id)
        .options(
            joinedload(Directive.period),
            joinedload(Directive.source),
            joinedload(Directive.leader),
            joinedload(Directive.parent),
            selectinload(Directive.children).options(
                selectinload(Directive.children),
                selectinload(Directive.assignments).joinedload(Assignment.unit),
            ),
            selectinload(Directive.assignments).options(
                joinedload(Assignment.unit),
                selectinload(Assignment.updates).options(
                    joinedload(ProgressUpdate.author),
                    selectinload(ProgressUpdate.attachments),
                ),
                selectinload(Assignment.extension_requests).options(
                    joinedload(ExtensionRequest.requested_by),
                    joinedload(ExtensionRequest.decided_by),
                ),
            ),
        )
    )


def _load_directive(directive_id: int) -> Directive:
    directive = db.session.scalar(_directive_query(directive_id))
    if directive is None:
        fail(404, "Không tìm thấy nhiệm vụ.")
    return directive


def _load_assignment(assignment_id: int) -> Assignment:
    assignment = db.session.scalar(
        sa.select(Assignment)
        .where(Assignment.id == assignment_id)
        .options(joinedload(Assignment.unit), joinedload(Assignment.directive))
    )
    if assignment is None:
        fail(404, "Không tìm thấy phân công.")
    return assignment


def may_download(user: Any, directive_id: int) -> bool:
    """Managers and viewers see every file; an officer only those of directives given to the
    officer's unit."""
    if user is None or not user.is_authenticated:
        return False
    if user.role != OFFICER:
        return True
    if user.unit_id is None:
        return False
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(
                    Assignment.directive_id == directive_id, Assignment.unit_id == user.unit_id
                )
            )
        )
    )


# --- the directive page ----------------------------------------------------------------------


def _history(directive_id: int) -> list:
    events = list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.directive_id == directive_id)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        )
    )
    ids = {e.user_id for e in events if e.user_id}
    names = {}
    if ids:
        rows = db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids)))
        names = {row.id: row.full_name for row in rows}
    return [describe(e, names) for e in events]


def _page_context(directive: Directive) -> dict[str, Any]:
    as_of = clock.today()
    rows = []
    for a in directive.assignments:
        pending = next((r for r in a.extension_requests if r.status == PENDING), None)
        can_report = workflow.can_act_on(current_user, a, workflow.REPORT)
        rows.append(
            {
                "a": a,
                "status": assignment_status(a, as_of),
                "status_original": assignment_status(a, as_of, "original"),
                "pending": pending,
                "can_report": can_report and a.state not in (DONE, AWAITING_CONFIRMATION),
                "can_extend": can_report
                and a.state != DONE
                and pending is None
                and a.deadline_in_force is not None,
                "can_confirm": a.state == AWAITING_CONFIRMATION
                and workflow.can_act_on(current_user, a, workflow.CONFIRM),
                "can_decide": pending is not None
                and workflow.can_act_on(current_user, a, workflow.DECIDE),
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
        "history": _history(directive.id),
        "field_label": FIELD_LABELS.get(directive.field, directive.field),
        "may_download": may_download(current_user, directive.id),
        "file_note": workflow.file_limit_note(),
        "today_iso": as_of.isoformat(),
    }


def render_directive(
    directive: Directive,
    *,
    error: str | None = None,
    error_assignment_id: int | None = None,
    submitted: dict[str, str] | None = None,
    status: int = 200,
):
    context = _page_context(directive)
    context.update(error=error, error_assignment_id=error_assignment_id, submitted=submitted or {})
    return render_template("directives/detail.html", **context), status


@bp.route("/directives/<int:directive_id>")
def directive(directive_id: int):
    """The directive page: text, units and deadlines, progress timeline, extensions, history."""

    def build() -> dict[str, Any]:
        context = _page_context(_load_directive(directive_id))
        context.update(error=None, error_assignment_id=None, submitted={})
        return context

    return render_page("directives/detail.html", build)


# --- "Việc của đơn vị" -----------------------------------------------------------------------

_GROUP_OVERDUE, _GROUP_OPEN, _GROUP_NO_DEADLINE, _GROUP_DONE, _GROUP_WITHDRAWN = range(5)


def sort_key(assignment: Assignment, status: Any) -> tuple:
    """Open work first: overdue (most days overdue first), then by nearest deadline, then work
    without a deadline, then done (latest first), withdrawn last."""
    if status.bucket is Bucket.WITHDRAWN:
        return (_GROUP_WITHDRAWN, 0, assignment.id)
    if status.is_done:
        done = assignment.completed_on or dt.date.min
        return (_GROUP_DONE, -done.toordinal(), assignment.id)
    if status.bucket is Bucket.OVERDUE:
        return (_GROUP_OVERDUE, -status.days_overdue, assignment.id)
    if status.bucket is Bucket.NO_DEADLINE:
        return (_GROUP_NO_DEADLINE, 0, assignment.id)
    return (_GROUP_OPEN, status.deadline.toordinal() if status.deadline else 0, assignment.id)


@bp.route("/my-unit")
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
            fail(404, "Không tìm thấy đơn vị.")
    as_of = clock.today()
    items = []
    if unit is not None:
        assignments = db.session.scalars(
            sa.select(Assignment)
            .where(Assignment.unit_id == unit.id)
            .options(
                joinedload(Assignment.directive).options(
                    joinedload(Directive.period), joinedload(Directive.parent)
                ),
                selectinload(Assignment.extension_requests),
            )
        ).all()
        for a in assignments:
            st = assignment_status(a, as_of)
            pending = any(r.status == PENDING for r in a.extension_requests)
            items.append({"a": a, "status": st, "pending_extension": pending})
        items.sort(key=lambda item: sort_key(item["a"], item["status"]))
    counts = {
        "open": sum(1 for i in items if not i["status"].is_done
                    and i["status"].bucket is not Bucket.WITHDRAWN),
        "overdue": sum(1 for i in items if i["status"].bucket is Bucket.OVERDUE),
        "awaiting": sum(1 for i in items if i["a"].state == AWAITING_CONFIRMATION),
        "done": sum(1 for i in items if i["status"].is_done),
    }
    return render_template(
        "directives/my_unit.html",
        unit=unit,
        units=units,
        items=items,
        counts=counts,
        as_of=as_of,
        soon=as_of + dt.timedelta(days=7),
        is_officer=current_user.role == OFFICER,
        WITHDRAWN=WITHDRAWN,
    )


# --- actions ---------------------------------------------------------------------------------


def _version() -> int | None:
    """The version the form was loaded with; a missing or garbled one counts as stale (0)."""
    raw = request.form.get("version")
    if raw is None or raw == "":
        return 0
    try:
        return int(raw)
    except ValueError:
        return 0


def _conflict(assignment_id: int, message: str, current: dict[str, Any] | None,
              submitted: dict[str, str]):
    db.session.rollback()  # also deletes files written for this request (attachments.py)
    if current is None:
        current = workflow.current_values(_load_assignment(assignment_id))
    assignment = _load_assignment(assignment_id)
    return (
        render_template(
            "directives/conflict.html",
            message=message,
            current=current,
            submitted=submitted,
            assignment=assignment,
            directive=assignment.directive,
        ),
        409,
    )


def _run(assignment: Assignment, action, submitted: dict[str, str], success: str):
    """Call a service, commit once; refusals re-render with the message, stale forms get 409."""
    assignment_id = assignment.id
    directive_id = assignment.directive_id
    try:
        action()
        db.session.commit()
    except workflow.StaleVersion as exc:
        return _conflict(assignment_id, exc.message, exc.current, submitted)
    except StaleDataError:
        return _conflict(
            assignment_id,
            "Nhiệm vụ này vừa được người khác cập nhật cùng lúc với bạn. "
            "Nội dung của bạn chưa được lưu; vui lòng xem thay đổi dưới đây rồi gửi lại.",
            None,
            submitted,
        )
    except workflow.WorkflowError as exc:
        db.session.rollback()
        if exc.status == 403:
            fail(403, exc.message)
        return render_directive(
            _load_directive(directive_id),
            error=exc.message,
            error_assignment_id=assignment_id,
            submitted=submitted,
            status=exc.status,
        )
    except Exception:
        db.session.rollback()
        raise
    flash(success, "success")
    return redirect(
        url_for("work.directive", directive_id=directive_id, _anchor=f"a{assignment_id}")
    )


def _read_files() -> list[tuple[str, bytes]]:
    """Uploaded files as (name, bytes); reading stops one byte past the per-file limit."""
    limit = files_mod.file_limit_bytes()
    files = []
    for storage in request.files.getlist("files"):
        if not storage or not storage.filename:
            continue
        files.append((storage.filename, storage.stream.read(limit + 1)))
    return files


@bp.route("/assignments/<int:assignment_id>/progress", methods=["POST"])
def post_progress(assignment_id: int):
    assignment = _load_assignment(assignment_id)
    if not workflow.can_act_on(current_user, assignment, workflow.REPORT):
        fail(403, "Chỉ cán bộ của đơn vị được giao mới được cập nhật nhiệm vụ này.")
    form = request.form
    submitted = {
        key: form.get(key, "") for key in ("percent", "result", "difficulties", "proposals")
    }
    report_done = form.get("report_done") in ("1", "on", "true")
    files = _read_files()
    percent_raw = form.get("percent", "").strip().rstrip("%")

    def action() -> None:
        try:
            percent = int(percent_raw)
        except ValueError:
            raise workflow.WorkflowError(
                "Tiến độ phải là số phần trăm từ 0 đến 100.", 400
            ) from None
        workflow.post_progress(
            assignment,
            current_user,
            percent=percent,
            result=form.get("result", ""),
            difficulties=form.get("difficulties", ""),
            proposals=form.get("proposals", ""),
            files=files,
            expected_version=_version(),
            report_done=report_done,
        )

    message = (
        "Đã gửi báo cáo hoàn thành; chờ lãnh đạo xác nhận."
        if report_done
        else "Đã lưu báo cáo tiến độ."
    )
    return _run(assignment, action, submitted, message)


@bp.route("/assignments/<int:assignment_id>/extension", methods=["POST"])
def request_extension(assignment_id: int):
    assignment = _load_assignment(assignment_id)
    if not workflow.can_act_on(current_user, assignment, workflow.REPORT):
        fail(403, "Chỉ cán bộ của đơn vị được giao mới được đề nghị gia hạn.")
    form = request.form
    submitted = {key: form.get(key, "") for key in ("reason", "proposed_deadline")}

    def action() -> None:
        workflow.request_extension(
            assignment,
            current_user,
            reason=form.get("reason", ""),
            proposed_deadline=parse_vn_date(form.get("proposed_deadline", "")),
            expected_version=_version(),
        )

    return _run(assignment, action, submitted, "Đã gửi đề nghị gia hạn; chờ lãnh đạo quyết định.")


@bp.route("/assignments/<int:assignment_id>/confirm", methods=["POST"])
def confirm(assignment_id: int):
    assignment = _load_assignment(assignment_id)
    if not workflow.can_act_on(current_user, assignment, workflow.CONFIRM):
        fail(403, "Chỉ lãnh đạo hoặc Văn phòng mới được xác nhận hoàn thành.")
    form = request.form
    submitted = {"comment": form.get("comment", "")}
    returning = form.get("decision") == "return"

    def action() -> None:
        if returning:
            workflow.return_completion(
                assignment, current_user, comment=form.get("comment", ""),
                expected_version=_version(),
            )
        else:
            workflow.confirm_completion(
                assignment, current_user, comment=form.get("comment", ""),
                expected_version=_version(),
            )

    message = "Đã trả lại cho đơn vị tiếp tục thực hiện." if returning else (
        "Đã xác nhận hoàn thành."
    )
    return _run(assignment, action, submitted, message)


@bp.route("/extensions/<int:request_id>/decide", methods=["POST"])
def decide_extension(request_id: int):
    ext = db.session.scalar(
        sa.select(ExtensionRequest)
        .where(ExtensionRequest.id == request_id)
        .options(joinedload(ExtensionRequest.assignment).joinedload(Assignment.directive))
    )
    if ext is None:
        fail(404, "Không tìm thấy đề nghị gia hạn.")
    assignment = ext.assignment
    if not workflow.can_act_on(current_user, assignment, workflow.DECIDE):
        fail(403, "Chỉ lãnh đạo UBND mới được quyết định gia hạn.")
    form = request.form
    submitted = {"decision_comment": form.get("comment", "")}
    approve = form.get("decision") == "approve"
    if form.get("decision") not in ("approve", "reject"):
        return render_directive(
            _load_directive(assignment.directive_id),
            error="Vui lòng chọn Đồng ý hoặc Không đồng ý.",
            error_assignment_id=assignment.id,
            submitted=submitted,
            status=400,
        )

    def action() -> None:
        workflow.decide_extension(
            ext, current_user, approve=approve, comment=form.get("comment", "")
        )

    message = "Đã đồng ý gia hạn." if approve else "Đã không đồng ý gia hạn."
    return _run(assignment, action, submitted, message)


# --- evidence download -----------------------------------------------------------------------


@bp.route("/attachments/<int:attachment_id>")
def attachment(attachment_id: int):
    """Serve an evidence file as a download (never inline), only to those who may see it."""
    item = db.session.scalar(
        sa.select(Attachment)
        .where(Attachment.id == attachment_id)
        .options(joinedload(Attachment.update).joinedload(ProgressUpdate.assignment))
    )
    if item is None:
        fail(404, "Không tìm thấy tệp.")
    if not may_download(current_user, item.update.assignment.directive_id):
        fail(403, "Bạn không có quyền tải tệp của nhiệm vụ này.")
    try:
        path = files_mod.stored_path(item.stored_name)
    except files_mod.AttachmentError:
        fail(404, "Không tìm thấy tệp.")
    if not path.is_file():
        fail(404, "Tệp không còn trên máy chủ. Vui lòng liên hệ quản trị viên.")
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
