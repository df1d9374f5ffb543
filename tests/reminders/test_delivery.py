"""Delivering the outbox against a real SMTP server on loopback: retries, failures, outages,
header injection, and .eml files when no SMTP server is configured."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
import sqlalchemy as sa

from tests.reminders.smtp import Recorder, free_port, smtp_server
from tracker.extensions import db
from tracker.reminders import mail
from tracker.reminders.jobs import run_day, run_reminders
from tracker.reminders.models import FAILED, QUEUED, SENT, OutboxMessage, ReminderLog
from tracker.reminders.services import Composed, Plan, Recipient, queue
from tracker.units.models import Unit

DAY = dt.date(2023, 4, 3)  # Monday, first working day after the 31/03 deadlines


def later(minutes: int) -> dt.datetime:
    return mail.utcnow() + dt.timedelta(minutes=minutes)


def statuses() -> dict[str, int]:
    return dict(
        db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
        ).all()
    )


def queue_one(recipient: str = "gddt@travinh.example.vn", subject: str = "[Nhắc việc] Thử",
              name: str = "Phòng Giáo dục và Đào tạo") -> OutboxMessage:
    plan = Plan(DAY)
    plan.messages.append(
        Composed("reminder", Recipient(recipient, name), subject, "Nội dung", "<p>Nội dung</p>",
                 f"test:{recipient}:{subject}")
    )
    (row,) = queue(plan)
    db.session.commit()
    return row


def test_a_550_reply_marks_the_message_failed(app):
    row = queue_one()
    recorder = Recorder(reply=lambda envelope: "550 5.1.1 Không có hộp thư này")
    with smtp_server(recorder) as port:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        result = mail.deliver_outbox()
    assert (result.sent, result.failed, result.retried) == (0, 1, 0)
    db.session.refresh(row)
    assert row.status == FAILED and row.attempts == 1
    assert row.last_error.startswith("550")
    # Nothing retries a permanent failure.
    assert mail.deliver_outbox(now=later(600)).sent == 0


def test_a_451_reply_is_retried_with_backoff_then_sent(app):
    row = queue_one()
    answers = ["451 4.3.0 Thử lại sau"]
    recorder = Recorder(reply=lambda envelope: answers.pop() if answers else None)
    with smtp_server(recorder) as port:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        first = mail.deliver_outbox()
        db.session.refresh(row)
        assert (first.retried, row.status, row.attempts) == (1, QUEUED, 1)
        assert row.last_error.startswith("451")
        assert row.next_attempt_at > mail.utcnow()
        # Not before its time...
        assert mail.deliver_outbox().sent == 0
        # ...then it goes.
        assert mail.deliver_outbox(now=later(2)).sent == 1
    db.session.refresh(row)
    assert (row.status, row.attempts, row.last_error) == (SENT, 2, None)
    assert [r.to for r in recorder.take()] == ["gddt@travinh.example.vn"]


def test_temporary_failures_give_up_after_the_last_attempt(app):
    row = queue_one()
    recorder = Recorder(reply=lambda envelope: "421 4.7.0 Bận")
    with smtp_server(recorder) as port:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        minutes = 0
        for _ in range(mail.MAX_ATTEMPTS):
            mail.deliver_outbox(now=later(minutes))
            minutes += 24 * 60
    db.session.refresh(row)
    assert row.status == FAILED and row.attempts == mail.MAX_ATTEMPTS


def test_server_down_then_up_loses_nothing_and_doubles_nothing(demo):
    port = free_port()
    demo.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TIMEOUT=5)
    plans, down = run_day(DAY)  # nobody listens on the port
    queued = sum(len(p.messages) for p in plans)
    assert queued > 0
    # The first message finds the server down; the rest of the batch waits untried.
    assert (down.sent, down.retried, down.failed, down.waiting) == (0, 1, 0, queued - 1)
    assert statuses() == {QUEUED: queued}
    # A run while it is still down, and a second run of the day: nothing new, nothing lost.
    run_day(DAY)
    assert statuses() == {QUEUED: queued}
    recorder = Recorder()
    with smtp_server(recorder, port=port):
        up = mail.deliver_outbox(now=later(2))
        again = mail.deliver_outbox(now=later(60))
    assert (up.sent, again.sent) == (queued, 0)
    assert statuses() == {SENT: queued}
    received = recorder.take()
    assert len(received) == queued
    assert len({(r.to, r.subject) for r in received}) == queued


def test_header_injection_is_refused(app):
    # CR/LF in the subject: folded into one line, no extra header reaches the server.
    row = queue_one(subject="[Nhắc việc] Thử\r\nBcc: attacker@example.com",
                    name="Phòng A\r\nX-Evil: 1")
    recorder = Recorder()
    with smtp_server(recorder) as port:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        assert mail.deliver_outbox().sent == 1
    (received,) = recorder.take()
    assert received.rcpt_tos == ["gddt@travinh.example.vn"]
    assert received.message["Bcc"] is None and received.message["X-Evil"] is None
    assert "\n" not in received.subject and "Bcc: attacker" in received.subject
    db.session.refresh(row)
    assert row.status == SENT
    # An address that carries a second header is not an address: refused, never sent.
    bad = queue_one(recipient="gddt@travinh.example.vn\r\nBcc: attacker@example.com")
    with smtp_server(recorder) as port:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        assert mail.deliver_outbox().failed == 1
    db.session.refresh(bad)
    assert bad.status == FAILED
    assert recorder.take() == []


def test_header_helpers():
    assert mail.clean_header("a\r\nBcc: b\u2028c") == "a Bcc: b c"
    assert mail.clean_address("x@y.vn") == "x@y.vn"
    for bad in ("x@y.vn\r\nBcc: z@w.vn", "x@y.vn, z@w.vn", "Tên <x@y.vn>", "", None, "x"):
        assert mail.clean_address(bad) is None
    message = OutboxMessage(recipient="x@y.vn\nBcc: z@w.vn", recipient_name="", subject="s",
                            text_body="t", html_body="h")
    with pytest.raises(mail.HeaderInjectionError):
        mail.build_message(message, "Nhắc việc <a@b.vn>")


def test_a_unit_mailbox_with_an_injected_header_is_skipped(demo):
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == "GDDT"))
    unit.email = "gddt@travinh.example.vn\r\nBcc: attacker@example.com"
    db.session.commit()
    plan = run_reminders(DAY)
    assert plan.messages
    assert all("attacker" not in m.recipient.address for m in plan.messages)
    assert all("\n" not in m.recipient.address for m in plan.messages)


def test_without_smtp_host_messages_become_eml_files(demo, tmp_path):
    demo.config.update(SMTP_HOST="", OUTBOX_DIR=tmp_path / "outbox")
    plans, delivery = run_day(DAY)
    count = sum(len(p.messages) for p in plans)
    assert count and delivery.sent == count
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == count
    rows = db.session.scalars(sa.select(OutboxMessage)).all()
    assert {r.eml_path for r in rows} == {str(f) for f in files}
    message = message_from_bytes(files[0].read_bytes(), policy=default_policy)
    assert message["Subject"].startswith(("[Nhắc việc]", "[Báo cáo vượt cấp]", "[Tổng hợp"))
    assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None


def test_email_content_is_vietnamese_escaped_and_linked(demo):
    from tracker.directives.models import Directive

    directive = db.session.scalar(sa.select(Directive).where(Directive.number == "7"))
    directive.title = "Đổi mới <script>alert(1)</script> & chương trình"
    db.session.commit()
    recorder = Recorder()
    with smtp_server(recorder) as port:
        demo.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port,
                           BASE_URL="https://nhiemvu.travinh.example.vn")
        run_day(DAY)
    mails = [r for r in recorder.take() if r.to == "gddt@travinh.example.vn"]
    assert len(mails) == 1
    (got,) = mails
    assert got.subject.startswith("[Nhắc việc]") and "quá hạn" in got.subject
    html, text = got.html(), got.text()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<script>alert(1)</script>" in text  # plain text carries it verbatim, harmlessly
    link = f"https://nhiemvu.travinh.example.vn/directives/{directive.id}"
    assert link in html and link in text
    assert "31/03/2023" in text and "quá hạn 1 ngày làm việc" in text and "(chủ trì)" in text
    assert got.message["Auto-Submitted"] == "auto-generated"
    logged = db.session.scalar(sa.select(sa.func.count()).select_from(ReminderLog))
    assert logged > 0
