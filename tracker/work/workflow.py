"""The officer workflow: progress, evidence, completion, confirmation, extensions.

Services check who may act (the permission table, tracker/auth/permissions.py), change the
assignment, write an AuditEvent and flush; the unit of work commits once. Refusals raise a
UserError kind with a Vietnamese message before anything is written.

Optimistic locking: pages and API clients send the assignment version they loaded
(``expected_version``); a different current version raises StaleVersion (409) carrying what the
other person saved, so nobody overwrites someone else's report without seeing it. The mapper's
``version_id_col`` also turns a race between two transactions into StaleDataError at commit,
which the unit of work answers with a 409 as well.

Every service takes an optional ``at`` (naive UTC) for when it happened; it defaults to the
clock. Only the demo seed passes it, to write March 2023 history whatever today is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask import current_app

from tracker.auth.models import User
from tracker.auth.permissions import Action, require
from tracker.constants import (
    APPROVED,
    AWAITING_CONFIRMATION,
    COMPLETION,
    CONFIRMED,
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    PENDING,
    PROGRESS,
    REJECTED,
    RETURNED,
    STATES,
    WITHDRAWN,
)
from tracker.core import audit, clock
from tracker.core.errors import Conflict, UserError, check_version
from tracker.core.formatting import fmt_date, fmt_datetime
from tracker.directives.models import Assignment, Attachment, ExtensionRequest, ProgressUpdate
from tracker.directives.presenters import assignment_deadline
from tracker.extensions import db
from tracker.work import evidence, notify

MAX_TEXT = 20_000
STALE_MESSAGE = (
    "Nhiệm vụ này vừa được người khác cập nhật sau khi bạn mở biểu mẫu. "
    "Nội dung của bạn chưa được lưu; vui lòng xem thay đổi dưới đây rồi gửi lại."
)
WITHDRAWN_MESSAGE = "Nhiệm vụ đã được rút, không thể thao tác."


def current_values(assignment: Assignment) -> dict[str, Any]:
    """What is saved now: state, percent, deadlines and the latest update (for the 409 page)."""
    latest = db.session.scalar(
        sa.select(ProgressUpdate)
        .where(ProgressUpdate.assignment_id == assignment.id)
        .order_by(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())
        .limit(1)
    )
    values: dict[str, Any] = {
        "assignment_id": assignment.id,
        "directive_id": assignment.directive_id,
        "version": assignment.version,
        "state": assignment.state,
        "state_label": STATES.get(assignment.state, assignment.state),
        "percent": assignment.percent,
        "deadline": fmt_date(assignment.deadline, "Thường xuyên"),
        "extended_deadline": fmt_date(assignment.extended_deadline),
        "last_update": None,
    }
    if latest is not None:
        values["last_update"] = {
            "kind": latest.kind_label,
            "author": latest.author.full_name if latest.author else "",
            "at": fmt_datetime(latest.created_at),
            "percent": latest.percent,
            "result": latest.result,
            "difficulties": latest.difficulties,
            "proposals": latest.proposals,
        }
    return values


# --- checks ----------------------------------------------------------------------------------


def is_withdrawn(assignment: Assignment) -> bool:
    return assignment.state == WITHDRAWN or assignment.directive.is_withdrawn


def _require(user: User, assignment: Assignment, action: Action) -> None:
    """The permission table, then the directive's state: nothing happens once it is withdrawn."""
    require(user, action, assignment)
    if is_withdrawn(assignment):
        raise Conflict(WITHDRAWN_MESSAGE)


def _check_version(assignment: Assignment, expected_version: int | None) -> None:
    """``None`` only from trusted callers (the demo seed); forms always send a version."""
    if expected_version is not None:
        check_version(assignment.version, expected_version, message=STALE_MESSAGE,
                      current_values=current_values(assignment))


# --- helpers ---------------------------------------------------------------------------------


def _now(at: dt.datetime | None) -> dt.datetime:
    return at if at is not None else clock.now()


def _text(value: str | None, label: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise UserError(f"Vui lòng nhập {label}.")
    if len(text) > MAX_TEXT:
        raise UserError(f"Nội dung {label} quá dài (tối đa {MAX_TEXT} ký tự).")
    return text


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _snapshot(assignment: Assignment) -> dict[str, Any]:
    return {
        "unit": assignment.unit.name,
        "state": assignment.state,
        "percent": assignment.percent,
        "extended_deadline": _iso(assignment.extended_deadline),
    }


def _audit(
    assignment: Assignment,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
    user: User,
    at: dt.datetime,
    entity: str = "assignment",
    entity_id: int | None = None,
) -> None:
    event = audit.record(
        entity,
        entity_id if entity_id is not None else assignment.id,
        action,
        before,
        after,
        user=user,
        directive_id=assignment.directive_id,
    )
    event.at = at


def _open(assignment: Assignment) -> None:
    if is_withdrawn(assignment):
        raise Conflict(WITHDRAWN_MESSAGE)
    if assignment.state == DONE:
        raise Conflict("Nhiệm vụ đã được xác nhận hoàn thành.")


# --- progress and completion ---------------------------------------------------------------


def post_progress(
    assignment: Assignment,
    author: User,
    *,
    percent: int,
    result: str,
    difficulties: str = "",
    proposals: str = "",
    files: Sequence[tuple[str, bytes]] = (),
    expected_version: int | None = None,
    report_done: bool = False,
    at: dt.datetime | None = None,
) -> ProgressUpdate:
    """A unit's progress report, with evidence; report_done asks the leader to confirm.

    Moves "chưa triển khai" to "đang thực hiện"; report_done moves to "chờ xác nhận" and records
    when the unit said it was done (that day is the completion day if the leader confirms).
    Files are checked before anything is written, and written last.
    """
    _require(author, assignment, Action.REPORT_PROGRESS)
    _check_version(assignment, expected_version)
    _open(assignment)
    if assignment.state == AWAITING_CONFIRMATION:
        raise Conflict(
            "Đơn vị đã báo cáo hoàn thành, đang chờ lãnh đạo xác nhận; "
            "chưa thể gửi thêm báo cáo."
        )
    try:
        value = int(percent)
    except (TypeError, ValueError):
        raise UserError("Tiến độ phải là số phần trăm từ 0 đến 100.") from None
    if not 0 <= value <= 100:
        raise UserError("Tiến độ phải là số phần trăm từ 0 đến 100.")
    result_text = _text(result, "kết quả đạt được", required=True)
    difficulties_text = _text(difficulties, "khó khăn, vướng mắc")
    proposals_text = _text(proposals, "đề xuất, kiến nghị")
    checked = evidence.check_files(files)
    when = _now(at)
    before = _snapshot(assignment)
    if report_done:
        value = 100
        assignment.state = AWAITING_CONFIRMATION
        assignment.reported_done_at = when
    elif assignment.state == NOT_STARTED:
        assignment.state = IN_PROGRESS
    assignment.percent = value
    assignment.last_update_at = when
    update = ProgressUpdate(
        assignment=assignment,
        author_id=author.id,
        created_at=when,
        kind=COMPLETION if report_done else PROGRESS,
        percent=value,
        result=result_text,
        difficulties=difficulties_text,
        proposals=proposals_text,
    )
    db.session.add(update)
    db.session.flush()
    stored = evidence.store(checked)
    _remember_written(stored)
    for item, name in zip(checked, stored, strict=True):
        db.session.add(
            Attachment(
                update=update,
                original_name=item.display_name,
                stored_name=name,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                created_at=when,
            )
        )
    after = _snapshot(assignment)
    if checked:
        after["attachments"] = [item.display_name for item in checked]
    _audit(assignment, "report_done" if report_done else "progress", before, after, author, when)
    db.session.flush()
    if report_done:
        notify.completion_reported(update, author)
    return update


def _remember_written(names: list[str]) -> None:
    """Note files written in this transaction: a rollback deletes them (see attachments)."""
    if names:
        db.session.info.setdefault(evidence.SESSION_KEY, []).extend(names)


def confirm_completion(
    assignment: Assignment,
    leader: User,
    *,
    comment: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> ProgressUpdate:
    """Confirm a reported completion and freeze its timeliness.

    The completion day is the Vietnam date on which the unit reported the work done, not the day
    the leader got round to confirming it: a unit that finished on the deadline day is on time
    even if the confirmation comes a week later. on_time is judged against the deadline in force
    (an approved extension), on_time_original against the original deadline; both are frozen
    here and never recomputed.
    """
    _require(leader, assignment, Action.CONFIRM_COMPLETION)
    _check_version(assignment, expected_version)
    _open(assignment)
    if assignment.state != AWAITING_CONFIRMATION:
        raise Conflict("Đơn vị chưa báo cáo hoàn thành nhiệm vụ này.")
    when = _now(at)
    comment_text = _text(comment, "ý kiến")
    before = _snapshot(assignment)
    reported = assignment.reported_done_at or when
    completed_on = clock.local_date(reported)
    # Judged as it stands when the leader confirms: an extension approved by then counts.
    in_force = assignment_deadline(assignment, clock.local_date(when))
    assignment.state = DONE
    assignment.percent = 100
    assignment.completed_at = when
    assignment.completed_on = completed_on
    assignment.on_time = in_force is None or completed_on <= in_force
    assignment.on_time_original = assignment.deadline is None or completed_on <= assignment.deadline
    note = ProgressUpdate(
        assignment=assignment,
        author_id=leader.id,
        created_at=when,
        kind=CONFIRMED,
        percent=100,
        result=comment_text or "Xác nhận đơn vị đã hoàn thành nhiệm vụ.",
    )
    db.session.add(note)
    after = _snapshot(assignment) | {
        "completed_on": completed_on.isoformat(),
        "on_time": assignment.on_time,
        "on_time_original": assignment.on_time_original,
    }
    if comment_text:
        after["comment"] = comment_text
    _audit(assignment, "confirm", before, after, leader, when)
    db.session.flush()
    notify.completion_confirmed(note, leader)
    return note


def return_completion(
    assignment: Assignment,
    leader: User,
    *,
    comment: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> ProgressUpdate:
    """Send a reported completion back to the unit with the leader's comment."""
    _require(leader, assignment, Action.CONFIRM_COMPLETION)
    _check_version(assignment, expected_version)
    _open(assignment)
    if assignment.state != AWAITING_CONFIRMATION:
        raise Conflict("Đơn vị chưa báo cáo hoàn thành nhiệm vụ này.")
    comment_text = _text(comment, "lý do trả lại", required=True)
    when = _now(at)
    before = _snapshot(assignment)
    assignment.state = IN_PROGRESS
    assignment.reported_done_at = None
    note = ProgressUpdate(
        assignment=assignment,
        author_id=leader.id,
        created_at=when,
        kind=RETURNED,
        percent=assignment.percent,
        result=comment_text,
    )
    db.session.add(note)
    _audit(assignment, "return", before, _snapshot(assignment) | {"comment": comment_text},
           leader, when)
    db.session.flush()
    notify.completion_returned(note, leader)
    return note


# --- extensions ----------------------------------------------------------------------------


def pending_extension(assignment: Assignment) -> ExtensionRequest | None:
    return db.session.scalar(
        sa.select(ExtensionRequest).where(
            ExtensionRequest.assignment_id == assignment.id, ExtensionRequest.status == PENDING
        )
    )


def request_extension(
    assignment: Assignment,
    officer: User,
    *,
    reason: str,
    proposed_deadline: dt.date | None,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> ExtensionRequest:
    """Ask for a later deadline; the original one stays for scoring. One pending at a time."""
    _require(officer, assignment, Action.REPORT_PROGRESS)
    _check_version(assignment, expected_version)
    _open(assignment)
    reason_text = _text(reason, "lý do đề nghị gia hạn", required=True)
    in_force = assignment_deadline(assignment, clock.today())
    if in_force is None:
        raise UserError("Nhiệm vụ thường xuyên (không có thời hạn) không cần gia hạn.")
    if not isinstance(proposed_deadline, dt.date):
        raise UserError("Vui lòng nhập thời hạn đề nghị (dd/mm/yyyy).")
    if proposed_deadline <= in_force:
        raise UserError(
            f"Thời hạn đề nghị phải sau thời hạn hiện hành ({fmt_date(in_force)})."
        )
    if pending_extension(assignment) is not None:
        raise Conflict("Đã có một đề nghị gia hạn đang chờ lãnh đạo quyết định.")
    when = _now(at)
    request = ExtensionRequest(
        assignment=assignment,
        requested_by_id=officer.id,
        requested_at=when,
        reason=reason_text,
        proposed_deadline=proposed_deadline,
        status=PENDING,
    )
    db.session.add(request)
    db.session.flush()
    _audit(
        assignment,
        "extension_request",
        {"unit": assignment.unit.name},
        {
            "unit": assignment.unit.name,
            "deadline_in_force": _iso(in_force),
            "proposed_deadline": proposed_deadline.isoformat(),
            "reason": reason_text,
        },
        officer,
        when,
        entity="extension_request",
        entity_id=request.id,
    )
    db.session.flush()
    notify.extension_requested(request, officer)
    return request


def decide_extension(
    request: ExtensionRequest,
    leader: User,
    *,
    approve: bool,
    comment: str = "",
    at: dt.datetime | None = None,
) -> ExtensionRequest:
    """Approve or reject an extension request.

    Approval puts the proposed date beside the original deadline (extended_deadline) and records
    the approval day, so status as of earlier days still uses the original deadline.
    """
    assignment = request.assignment
    _require(leader, assignment, Action.DECIDE_EXTENSION)
    if request.status != PENDING:
        raise Conflict(
            f"Đề nghị gia hạn này đã được quyết định ({request.status_label.lower()})."
        )
    _open(assignment)
    comment_text = _text(comment, "ý kiến")
    if not approve and not comment_text:
        raise UserError("Vui lòng nêu lý do không đồng ý gia hạn.")
    when = _now(at)
    before = _snapshot(assignment) | {"status": request.status}
    request.status = APPROVED if approve else REJECTED
    request.decided_by_id = leader.id
    request.decided_at = when
    request.decision_comment = comment_text or None
    if approve:
        assignment.extended_deadline = request.proposed_deadline
        assignment.extension_approved_on = clock.local_date(when) if at else clock.today()
    after = _snapshot(assignment) | {"status": request.status}
    if approve:
        after["extension_approved_on"] = _iso(assignment.extension_approved_on)
    if comment_text:
        after["comment"] = comment_text
    _audit(
        assignment,
        "extension_approve" if approve else "extension_reject",
        before,
        after,
        leader,
        when,
        entity="extension_request",
        entity_id=request.id,
    )
    db.session.flush()
    notify.extension_decided(request, leader)
    return request


def file_limit_note() -> str:
    """The limits shown beside the upload field."""
    request_mb = int(current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    text = f"{evidence.ALLOWED_LABEL}; mỗi tệp tối đa {evidence.file_limit_mb()} MB"
    if request_mb:
        text += f", tổng cộng tối đa {request_mb} MB mỗi lần gửi"
    return text + "."
