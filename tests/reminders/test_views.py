"""Admin pages (Hộp thư đi, chính sách nhắc việc) and the user's notification preference."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tracker.auth.models import User
from tracker.core.models import AuditEvent
from tracker.extensions import db
from tracker.reminders.jobs import run_day
from tracker.reminders.models import FAILED, QUEUED, SENT, OutboxMessage
from tracker.reminders.policy import load_policy

DAY = dt.date(2023, 4, 3)


def _fill_outbox(app, tmp_path) -> list[OutboxMessage]:
    app.config.update(SMTP_HOST="", OUTBOX_DIR=tmp_path / "outbox")
    run_day(DAY)
    rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    rows[0].status, rows[0].last_error = FAILED, "550 5.1.1 Hộp thư không tồn tại"
    db.session.commit()
    return rows


def test_outbox_lists_messages_with_status_and_error(client, demo, auth, tmp_path):
    rows = _fill_outbox(demo, tmp_path)
    auth.login("admin")
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "Hộp thư đi" in page and "Chưa cấu hình máy chủ thư" in page
    assert "Gửi lỗi" in page and "550 5.1.1 Hộp thư không tồn tại" in page
    assert rows[1].subject in page
    failed_only = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert rows[0].recipient in failed_only and failed_only.count("badge text-bg-danger") == 1


def test_view_message_and_its_html_under_a_strict_csp(client, demo, auth, tmp_path):
    rows = _fill_outbox(demo, tmp_path)
    auth.login("admin")
    page = client.get(f"/admin/outbox/{rows[1].id}").get_data(as_text=True)
    assert "Kính gửi" in page and "Xem bản HTML" in page and rows[1].eml_path in page
    response = client.get(f"/admin/outbox/{rows[1].id}/html")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "script-src" not in csp
    assert "Kính gửi" in response.get_data(as_text=True)
    assert client.get("/admin/outbox/999999").status_code == 404


def test_resend_a_failed_message(client, demo, auth, tmp_path):
    rows = _fill_outbox(demo, tmp_path)
    auth.login("admin")
    sent = next(r for r in rows if r.status == SENT)
    assert client.post(f"/admin/outbox/{sent.id}/resend").status_code == 409
    response = client.post(f"/admin/outbox/{rows[0].id}/resend", follow_redirects=True)
    assert "Đã đưa thư gửi" in response.get_data(as_text=True)
    db.session.refresh(rows[0])
    assert rows[0].status == QUEUED and rows[0].attempts == 0
    assert db.session.scalar(
        sa.select(sa.func.count()).where(AuditEvent.entity == "outbox_message")
    ) == 1


def test_admin_pages_are_for_admins_only(client, demo, auth):
    auth.login("chutich")
    for url in ("/admin/outbox", "/admin/reminder-settings"):
        assert client.get(url).status_code == 403
    assert client.post("/admin/reminder-settings", data={"upcoming_days": "1"}).status_code == 403
    assert client.get("/account/notifications").status_code == 200


def test_settings_form_saves_and_refuses_bad_values(client, demo, auth):
    auth.login("admin")
    page = client.get("/admin/reminder-settings").get_data(as_text=True)
    assert "Chính sách nhắc việc" in page and 'value="3"' in page and "07:30" in page
    good = {
        "upcoming_days": "2", "on_due_day": "y", "overdue_every_days": "2",
        "escalate_after_days": "4", "escalate_every_days": "0", "digest_weekday": "4",
        "cutoff_day": "12", "cutoff_notice_days": "2", "run_time": "06:45",
    }
    response = client.post("/admin/reminder-settings", data=good, follow_redirects=True)
    assert "Đã lưu chính sách nhắc việc" in response.get_data(as_text=True)
    policy = load_policy()
    assert (policy.upcoming_days, policy.digest_weekday, policy.cutoff_day, policy.run_time) == (
        2, 4, 12, "06:45"
    )
    bad = {**good, "upcoming_days": "hai", "cutoff_day": "31", "run_time": "25:00"}
    response = client.post("/admin/reminder-settings", data=bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "vui lòng nhập một số nguyên" in html
    assert "giá trị phải từ 1 đến 28" in html
    assert "HH:MM" in html
    assert load_policy().upcoming_days == 2  # nothing written


def test_user_chooses_how_to_be_notified(client, demo, auth):
    auth.login("gddt")
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "Một e-mail tổng hợp mỗi ngày" in page and "gddt@travinh.example.vn" in page
    response = client.post("/account/notifications", data={"notify_mode": "daily_digest"},
                           follow_redirects=True)
    assert "Đã lưu cách nhận e-mail" in response.get_data(as_text=True)
    user = db.session.scalar(sa.select(User).where(User.username == "gddt"))
    assert user.notify_mode == "daily_digest"
    response = client.post("/account/notifications", data={"notify_mode": "spam"})
    assert response.status_code == 400
    assert "Vui lòng chọn một cách nhận e-mail" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.notify_mode == "daily_digest"


def test_notify_mode_changes_who_gets_what(demo, tmp_path):
    """each_run: the run's reminders; daily_digest: one daily list; escalations_only: only
    escalations. The unit mailbox always gets the unit's reminders."""
    gddt = db.session.scalar(sa.select(User).where(User.username == "gddt"))
    gddt.email = "lan.pham@travinh.example.vn"  # her own address, not the unit's mailbox
    me = gddt.email
    demo.config.update(SMTP_HOST="", OUTBOX_DIR=tmp_path / "outbox")

    def subjects(day: dt.date) -> dict[str, list[str]]:
        before = db.session.scalar(sa.select(sa.func.max(OutboxMessage.id))) or 0
        run_day(day)
        found: dict[str, list[str]] = {}
        for row in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id > before)):
            found.setdefault(row.recipient, []).append(row.subject)
        return found

    gddt.notify_mode = "escalations_only"
    db.session.commit()
    day3 = subjects(dt.date(2023, 4, 3))
    assert me not in day3 and "gddt@travinh.example.vn" in day3  # the mailbox still hears
    gddt.notify_mode = "daily_digest"
    db.session.commit()
    day4 = subjects(dt.date(2023, 4, 4))  # no reminder point that day, but a daily list
    assert len(day4[me]) == 1 and "quá hạn" in day4[me][0]
    assert "gddt@travinh.example.vn" not in day4
    assert me not in subjects(dt.date(2023, 4, 4))  # once a day
    gddt.notify_mode = "escalations_only"
    db.session.commit()
    day7 = subjects(dt.date(2023, 4, 7))  # 5 working days overdue: escalation
    assert len(day7[me]) == 1 and day7[me][0].startswith("[Báo cáo vượt cấp]")
    assert any(s.startswith("[Báo cáo vượt cấp]") for s in day7["chutich@travinh.example.vn"])
