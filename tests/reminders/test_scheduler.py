"""The scheduler: its jobs' configuration (checked without waiting for real time), the web app
never starting it, and the process stopping cleanly on SIGTERM / SIGINT."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from tracker.extensions import db
from tracker.reminders.policy import Policy, save_policy
from tracker.reminders.scheduler import build_scheduler

ROOT = Path(__file__).resolve().parents[2]
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_job_configuration(app):
    early = dt.datetime(2023, 4, 3, 6, 0, tzinfo=VN)
    scheduler = build_scheduler(app, now=early)
    assert isinstance(scheduler, BlockingScheduler)
    assert str(scheduler.timezone) == "Asia/Ho_Chi_Minh"
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"reminders", "weekly_digest", "cutoff_reminder", "event_digest", "outbox",
                         "policy_sync"}
    for job in jobs.values():
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time >= 3600  # hours, not APScheduler's 1-second default
    for name in ("reminders", "weekly_digest", "cutoff_reminder", "event_digest"):
        trigger = jobs[name].trigger
        assert isinstance(trigger, CronTrigger)
        assert str(trigger.timezone) == "Asia/Ho_Chi_Minh"
        # Every day at 07:30 Vietnam time (the jobs themselves skip non-working days; some
        # Saturdays are working days), so the next fire after 06:00 on 03/04 is 07:30 that day.
        assert trigger.get_next_fire_time(None, early) == dt.datetime(2023, 4, 3, 7, 30,
                                                                      tzinfo=VN)
        after = dt.datetime(2023, 4, 3, 7, 31, tzinfo=VN)
        assert trigger.get_next_fire_time(None, after) == dt.datetime(2023, 4, 4, 7, 30,
                                                                      tzinfo=VN)
        saturday = dt.datetime(2023, 4, 7, 8, 0, tzinfo=VN)
        assert trigger.get_next_fire_time(None, saturday).date() == dt.date(2023, 4, 8)
    outbox = jobs["outbox"].trigger
    assert isinstance(outbox, IntervalTrigger) and outbox.interval <= dt.timedelta(minutes=5)


def test_run_time_comes_from_the_policy_and_a_late_start_catches_up(app):
    save_policy(Policy(run_time="06:45"))
    db.session.commit()
    late = dt.datetime(2023, 4, 3, 9, 0, tzinfo=VN)
    scheduler = build_scheduler(app, scheduler_cls=BackgroundScheduler, now=late)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    fields = {f.name: str(f) for f in jobs["reminders"].trigger.fields}
    assert (fields["hour"], fields["minute"]) == ("6", "45")
    # Started after today's run time: the daily jobs run at once (they are level-triggered).
    assert jobs["reminders"].next_run_time == late
    early = dt.datetime(2023, 4, 3, 5, 0, tzinfo=VN)
    jobs = {job.id: job for job in build_scheduler(app, now=early).get_jobs()}
    assert getattr(jobs["reminders"], "next_run_time", None) is None  # waits for 06:45


def test_create_app_starts_no_scheduler_and_no_thread():
    """In a fresh interpreter: create_app() imports no scheduler module and starts no thread."""
    code = (
        "import sys, threading\n"
        "from config import TestConfig\n"
        "from tracker import create_app\n"
        "app = create_app(TestConfig(), SQLALCHEMY_DATABASE_URI='sqlite://')\n"
        "assert 'scheduler' in app.cli.list_commands(None)\n"
        "bad = [m for m in sys.modules if m.startswith('apscheduler') or m == "
        "'tracker.reminders.scheduler']\n"
        "assert not bad, bad\n"
        "assert threading.active_count() == 1, threading.enumerate()\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "SECRET_KEY": "x"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_scheduler_process_stops_cleanly_on_signal(tmp_path, sig):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'sched.db'}",
        "SECRET_KEY": "x",
        "TRACKER_INSTANCE_DIR": str(tmp_path),
        "OUTBOX_DIR": str(tmp_path / "outbox"),
        "SMTP_HOST": "",
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)
    proc = subprocess.Popen([*flask, "scheduler"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "scheduler started" in line or not line:
                break
        assert any("scheduler started" in line for line in lines), "".join(lines)
        proc.send_signal(sig)
        output, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    assert proc.returncode == 0, output
    assert "scheduler stopped" in output
    assert "Traceback" not in output
