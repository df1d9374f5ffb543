"""The reminder log (what was due and recorded, once) and the outbox (what is to be mailed)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db

# Kinds of reminder recorded per assignment.
UPCOMING = "upcoming"
DUE_TODAY = "due_today"
OVERDUE = "overdue"
ESCALATE = "escalate"
DAILY = "daily"
CUTOFF = "cutoff"

KIND_LABELS: dict[str, str] = {
    UPCOMING: "Sắp đến hạn",
    DUE_TODAY: "Đến hạn hôm nay",
    OVERDUE: "Quá hạn",
    ESCALATE: "Báo cáo vượt cấp",
    DAILY: "Tổng hợp hằng ngày",
    CUTOFF: "Nhắc cập nhật trước kỳ báo cáo",
}

# Outbox statuses.
QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
STATUS_LABELS: dict[str, str] = {
    QUEUED: "Chờ gửi",
    SENDING: "Đang gửi",
    SENT: "Đã gửi",
    FAILED: "Gửi lỗi",
}

# Outbox message kinds (what the e-mail is).
MAIL_REMINDER = "reminder"
MAIL_DIGEST = "digest"
MAIL_CUTOFF = "cutoff"
MAIL_EVENT = "event"  # a notice of an event (tracker/work/event_mail.py)
MAIL_EVENT_DIGEST = "event_digest"
MAIL_KIND_LABELS: dict[str, str] = {
    MAIL_REMINDER: "Nhắc việc",
    MAIL_DIGEST: "Tổng hợp tuần",
    MAIL_CUTOFF: "Nhắc cập nhật trước kỳ báo cáo",
    MAIL_EVENT: "Thông báo",
    MAIL_EVENT_DIGEST: "Tổng hợp thông báo trong ngày",
}


class ReminderLog(db.Model):
    """One row per (assignment, kind, occurrence), inserted before anything is sent.

    The unique key is what makes a repeated run, or a second scheduler, harmless: whoever inserts
    second gets an IntegrityError and its whole transaction (log rows and messages) rolls back.
    """

    __tablename__ = "reminder_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assignment.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20))
    occurrence: Mapped[str] = mapped_column(sa.String(40))
    as_of: Mapped[dt.date]
    created_at: Mapped[dt.datetime]

    __table_args__ = (sa.UniqueConstraint("assignment_id", "kind", "occurrence"),)


class OutboxMessage(db.Model):
    """A composed e-mail to one recipient, delivered after commit by `deliver_outbox`."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), default=MAIL_REMINDER)
    as_of: Mapped[dt.date | None]
    recipient: Mapped[str] = mapped_column(sa.String(200), index=True)
    recipient_name: Mapped[str] = mapped_column(sa.String(200), default="")
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default=QUEUED)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    next_attempt_at: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    claimed_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    dedupe_key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    message_id: Mapped[str | None] = mapped_column(sa.String(200))
    eml_path: Mapped[str | None] = mapped_column(sa.String(500))

    __table_args__ = (sa.Index("ix_outbox_message_status_next", "status", "next_attempt_at"),)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def kind_label(self) -> str:
        return MAIL_KIND_LABELS.get(self.kind, self.kind)
