"""Several processes sending the same day at once (a second scheduler by mistake, a manual run
during the scheduled one): every reminder arrives exactly once. Real OS processes, on SQLite and,
with TRACKER_TEST_DB=postgresql, on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from tests.reminders.smtp import Recorder, smtp_server
from tests.reminders.workers import send_day
from tracker.extensions import db
from tracker.reminders import digest, services
from tracker.reminders.models import SENT, OutboxMessage, ReminderLog

ROOT = Path(__file__).resolve().parents[2]
DAY = dt.date(2023, 4, 14)  # overdue + escalation + cut-off notice all due that Friday


def expected_messages() -> Counter:
    """What one run of the day would send (planned, read-only)."""
    plans = [services.plan_reminders(DAY), digest.plan_digest(DAY), services.plan_cutoff(DAY)]
    db.session.rollback()
    expected = Counter((m.recipient.address, m.subject) for p in plans for m in p.messages)
    assert expected and set(expected.values()) == {1}
    return expected


def check_exactly_once(received, expected: Counter) -> None:
    got = Counter((r.to, r.subject) for r in received)
    assert got == expected
    db.session.rollback()
    rows = db.session.scalars(sa.select(OutboxMessage)).all()
    assert len(rows) == len(expected) and {r.status for r in rows} == {SENT}
    assert all(r.attempts == 1 for r in rows)  # no row was claimed twice
    keys = db.session.execute(
        sa.select(ReminderLog.assignment_id, ReminderLog.kind, ReminderLog.occurrence)
    ).all()
    assert len(keys) == len(set(keys)) > 0


def test_processes_started_together_send_each_reminder_once(demo, database_url, tmp_path):
    expected = expected_messages()
    recorder = Recorder()
    with smtp_server(recorder) as port:
        overrides = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port,
                     "OUTBOX_DIR": str(tmp_path / "outbox")}
        ctx = multiprocessing.get_context("spawn")
        barrier = ctx.Barrier(3)
        procs = [
            ctx.Process(target=send_day, args=(database_url, overrides, DAY.isoformat(), barrier))
            for _ in range(3)
        ]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(timeout=120)
        assert [p.exitcode for p in procs] == [0, 0, 0]
        received = recorder.take()
    check_exactly_once(received, expected)


def test_two_cli_runs_at_once_send_each_reminder_once(demo, database_url, tmp_path):
    expected = expected_messages()
    recorder = Recorder()
    with smtp_server(recorder) as port:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "TRACKER_INSTANCE_DIR": str(tmp_path),
            "OUTBOX_DIR": str(tmp_path / "outbox"),
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(port),
        }
        env.pop("TRACKER_TODAY", None)
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "reminders", "send",
                   "--today", DAY.isoformat()]
        procs = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=120)[0] for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outputs
        received = recorder.take()
    check_exactly_once(received, expected)
    assert any("Hộp thư đi: đã gửi" in out for out in outputs)


def test_a_run_that_loses_the_race_rolls_back_whole(demo):
    """Planned before the other process committed: its insert fails, nothing of it is kept,
    and planning again finds nothing new."""
    from tracker.reminders.jobs import queue_once, run_reminders

    stale = services.plan_reminders(DAY)
    db.session.rollback()
    winner = run_reminders(DAY)
    assert winner.messages and len(stale.messages) == len(winner.messages)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    calls = []

    def planner(day):
        calls.append(day)
        return stale if len(calls) == 1 else services.plan_reminders(day)

    planner.__name__ = "planner"
    second = queue_once(planner, DAY)
    assert len(calls) == 2 and second.messages == [] and second.due == []
    after = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    assert after == before
