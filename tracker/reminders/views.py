"""Admin pages (outbox "Hộp thư đi", reminder policy) and a user's notification preference."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from tracker.auth.models import EVENT_MAIL_MODES, NOTIFY_MODES
from tracker.auth.permissions import Action, requires
from tracker.core import audit
from tracker.core.errors import Conflict, NotFound, submitted_version
from tracker.extensions import db
from tracker.reminders import mail
from tracker.reminders.forms import PolicyForm, PreferencesForm
from tracker.reminders.models import FAILED, STATUS_LABELS, OutboxMessage
from tracker.reminders.policy import (
    WEEKDAYS,
    PolicyError,
    load_policy,
    policy_version,
    save_policy,
    validate,
)

bp = Blueprint("reminders", __name__)

# The stored HTML of an e-mail is shown on its own, locked down: no script, no remote content.
EMAIL_PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'; sandbox"
)


def _message(message_id: int) -> OutboxMessage:
    row = db.session.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound("Không tìm thấy thư.")
    return row


@bp.route("/admin/outbox")
@requires(Action.ADMINISTER)
def outbox():
    """Hộp thư đi: queued, sent and failed messages, newest first."""
    status = request.args.get("status", "")
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in STATUS_LABELS:
        query = query.where(OutboxMessage.status == status)
    else:
        status = ""
    page = db.paginate(query, per_page=50, error_out=False)
    counts = dict(
        db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    return render_template(
        "reminders/outbox.html",
        page=page,
        status=status,
        counts=counts,
        status_labels=STATUS_LABELS,
        smtp_host=current_app.config.get("SMTP_HOST"),
        outbox_dir=current_app.config.get("OUTBOX_DIR"),
    )


@bp.route("/admin/outbox/<int:message_id>")
@requires(Action.ADMINISTER)
def message(message_id: int):
    return render_template("reminders/message.html", row=_message(message_id))


@bp.route("/admin/outbox/<int:message_id>/html")
@requires(Action.ADMINISTER)
def message_html(message_id: int):
    """The e-mail's HTML part as the recipient sees it, under a CSP that allows no script."""
    response = make_response(_message(message_id).html_body)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Security-Policy"] = EMAIL_PREVIEW_CSP
    return response


@bp.route("/admin/outbox/<int:message_id>/resend", methods=["POST"])
@requires(Action.ADMINISTER)
def resend(message_id: int):
    """Put a failed message back in the queue; the scheduler's outbox job sends it."""
    row = _message(message_id)
    if row.status != FAILED:
        raise Conflict("Chỉ gửi lại được thư đang ở trạng thái gửi lỗi.")
    before = {"status": row.status, "attempts": row.attempts, "last_error": row.last_error}
    mail.requeue(row)
    audit.record("outbox_message", row.id, "resend", before, {"status": row.status})
    flash(
        f"Đã đưa thư gửi {row.recipient} vào hàng đợi; thư sẽ được gửi trong vài phút.", "success"
    )
    return redirect(url_for("reminders.message", message_id=row.id))


@bp.route("/admin/reminder-settings", methods=["GET", "POST"])
@requires(Action.ADMINISTER)
def settings():
    """Chính sách nhắc việc: when reminders, escalations, the digest and the cut-off notice go."""
    current = load_policy(current_app.config.get("REMINDER_TIME"))
    form = PolicyForm()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if form.validate_on_submit():
            raw = {name: getattr(form, name).data for name in PolicyForm.FIELDS}
            try:
                policy = validate(raw, current)
            except PolicyError as exc:
                errors = exc.errors
            else:
                before = dataclasses.asdict(current)
                save_policy(policy, submitted_version(request.form.get("version")))
                audit.record("setting", None, "reminder_policy", before, dataclasses.asdict(policy))
                flash("Đã lưu chính sách nhắc việc.", "success")
                return redirect(url_for("reminders.settings"))
        else:
            errors = {"form": "Phiên biểu mẫu không hợp lệ. Vui lòng tải lại trang."}
        for name, text in errors.items():
            if hasattr(form, name):
                getattr(form, name).errors = [text]
        return render_template(
            "reminders/settings.html", form=form, errors=errors, weekdays=WEEKDAYS,
            version=request.form.get("version", "")[:12],
        ), 400
    for name in PolicyForm.FIELDS:
        value = getattr(current, name)
        getattr(form, name).data = value if isinstance(value, bool) else str(value)
    return render_template("reminders/settings.html", form=form, errors=errors, weekdays=WEEKDAYS,
                           version=policy_version())


@bp.route("/account/notifications", methods=["GET", "POST"])
@requires(Action.ACCOUNT)
def preferences():
    """A user's own choices: reminders (each run, a daily digest, escalations only) and events
    such as a new assignment or a returned completion (each event, a daily digest, off)."""
    form = PreferencesForm()
    if request.method == "POST":
        mode = form.notify_mode.data
        events = form.event_mail.data or current_user.event_mail
        if not form.validate_on_submit() or mode not in NOTIFY_MODES:
            form.notify_mode.errors = ["Vui lòng chọn một cách nhận e-mail trong danh sách."]
            return render_template("reminders/preferences.html", form=form), 400
        if events not in EVENT_MAIL_MODES:
            form.event_mail.errors = ["Vui lòng chọn một cách nhận thông báo trong danh sách."]
            return render_template("reminders/preferences.html", form=form), 400
        before = {"notify_mode": current_user.notify_mode, "event_mail": current_user.event_mail}
        current_user.notify_mode = mode
        current_user.event_mail = events
        audit.record("user", current_user.id, "notify_mode", before,
                     {"notify_mode": mode, "event_mail": events})
        flash("Đã lưu cách nhận e-mail nhắc việc và thông báo.", "success")
        return redirect(url_for("reminders.preferences"))
    form.notify_mode.data = current_user.notify_mode
    form.event_mail.data = current_user.event_mail
    return render_template("reminders/preferences.html", form=form)
