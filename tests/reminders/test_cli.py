"""`flask reminders send` and `flask reminders deliver` through Flask's CLI runner."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tracker.extensions import db
from tracker.reminders.models import OutboxMessage, ReminderLog


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_dry_run_prints_who_gets_what_and_writes_nothing(runner, demo):
    result = runner.invoke(args=["reminders", "send", "--today", "2023-04-03", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "[Chạy thử] gddt@travinh.example.vn: [Nhắc việc]" in result.output
    assert "[Chạy thử] chutich@travinh.example.vn: [Tổng hợp tuần]" in result.output
    assert "Hộp thư đi" not in result.output
    assert _count(OutboxMessage) == 0 and _count(ReminderLog) == 0


def test_send_then_send_again(runner, demo, tmp_path):
    demo.config.update(SMTP_HOST="", OUTBOX_DIR=tmp_path / "outbox")
    first = runner.invoke(args=["reminders", "send", "--today", "2023-04-03"])
    assert first.exit_code == 0, first.output
    queued = _count(OutboxMessage)
    assert queued > 0 and f"đã gửi {queued}" in first.output
    again = runner.invoke(args=["reminders", "send", "--today", "2023-04-03"])
    assert "0 nhắc việc, 0 e-mail" in again.output
    assert _count(OutboxMessage) == queued
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == queued
    deliver = runner.invoke(args=["reminders", "deliver"])
    assert "đã gửi 0" in deliver.output


def test_non_working_day_and_bad_date(runner, demo):
    holiday = runner.invoke(args=["reminders", "send", "--today", "2023-05-02"])
    assert "02/05/2023 không phải ngày làm việc" in holiday.output
    assert _count(ReminderLog) == 0
    bad = runner.invoke(args=["reminders", "send", "--today", "02/05/2023"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def test_today_option_sets_the_one_clock(runner, demo):
    """`--today D` runs as if today were D, whatever the real or configured day: the same
    mails, counted the same way, as a server whose day is D."""
    demo.config.update(TRACKER_TODAY="2023-04-03")
    frozen = runner.invoke(args=["reminders", "send", "--today", "2023-04-03", "--dry-run"])
    demo.config.update(TRACKER_TODAY="")  # the real clock, years later
    chosen = runner.invoke(args=["reminders", "send", "--today", "2023-04-03", "--dry-run"])
    assert chosen.exit_code == 0, chosen.output
    assert "[Tổng hợp tuần]" in chosen.output
    assert chosen.output == frozen.output
    assert demo.config["TRACKER_TODAY"] == dt.date(2023, 4, 3)
