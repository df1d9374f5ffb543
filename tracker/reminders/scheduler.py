"""The scheduler process (`flask --app wsgi scheduler`): never imported by create_app().

APScheduler 3 cannot share a job store between processes, and a scheduler inside the web app
would run once per gunicorn worker; so it is its own single process. Every job is level-triggered
("what is due as of today that has no record yet"), so a late, repeated or doubled run is
harmless, and a run missed while the process was down is caught up at start.

Jobs (Asia/Ho_Chi_Minh, coalesced, with a misfire grace of hours, one instance each, run one at a
time by a single worker thread):
- reminders: every day at the policy's run time (default REMINDER_TIME, 07:30); does nothing on
  non-working days;
- weekly_digest: same time; sends the leaders' digest on the digest day (Monday), or on the first
  working day after it when that day is off;
- cutoff_reminder: same time; in the days before the monthly report cut-off (the 14th);
- event_digest: same time on working days; one e-mail per person who chose a daily digest of
  events (tracker/work/event_mail.py);
- outbox: every two minutes, delivers what is queued (retries after backoff included);
- policy_sync: every ten minutes, moves the three daily jobs if an admin changed the run time.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from collections.abc import Callable

from apscheduler.events import EVENT_SCHEDULER_STARTED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from tracker.core import clock, uow
from tracker.extensions import db

log = logging.getLogger("tracker.scheduler")

TIMEZONE = clock.VN_TZ
MISFIRE_GRACE_SECONDS = 6 * 3600  # a job up to six hours late still runs (then coalesced)
OUTBOX_INTERVAL_MINUTES = 2
POLICY_SYNC_MINUTES = 10
DAILY_JOBS = ("reminders", "weekly_digest", "cutoff_reminder", "event_digest")
JOB_OPTIONS = {"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS, "max_instances": 1}


def _in_app(app: Flask, name: str, body: Callable[[], object]) -> Callable[[], None]:
    """Wrap a job: its own app context and session; an error is logged, never kills the process."""

    def job() -> None:
        with app.app_context():
            try:
                body()
            except Exception:
                uow.rollback()
                log.exception("job %s failed", name)
            finally:
                db.session.remove()

    job.__name__ = f"job_{name}"
    return job


def reminders_job() -> None:
    from tracker.calendar.services import load_calendar
    from tracker.reminders.jobs import run_reminders
    from tracker.reminders.mail import deliver_outbox

    today = clock.today()
    if not load_calendar().is_working_day(today):
        log.info("reminders: %s is not a working day, nothing sent", today.isoformat())
        return
    plan = run_reminders(today)
    log.info("reminders %s: %s recorded, %s e-mails queued", today.isoformat(), len(plan.due),
             len(plan.messages))
    deliver_outbox()


def digest_job() -> None:
    from tracker.reminders.jobs import run_digest
    from tracker.reminders.mail import deliver_outbox

    plan = run_digest(clock.today())
    if plan.messages:
        log.info("weekly digest: %s e-mails queued", len(plan.messages))
        deliver_outbox()


def cutoff_job() -> None:
    from tracker.reminders.jobs import run_cutoff
    from tracker.reminders.mail import deliver_outbox

    plan = run_cutoff(clock.today())
    if plan.messages:
        log.info("cut-off reminder: %s recorded, %s e-mails queued", len(plan.due),
                 len(plan.messages))
        deliver_outbox()


def event_digest_job() -> None:
    from tracker.reminders.mail import deliver_outbox
    from tracker.work.event_mail import run_digests

    count = run_digests(clock.today())
    if count:
        log.info("event digests: %s e-mails queued", count)
        deliver_outbox()


def outbox_job() -> None:
    from tracker.reminders.mail import deliver_outbox

    deliver_outbox()


def current_run_time(app: Flask) -> tuple[int, int]:
    """The run time from the stored policy (default REMINDER_TIME)."""
    from tracker.reminders.policy import load_policy

    with app.app_context():
        try:
            return load_policy(app.config.get("REMINDER_TIME")).run_hour_minute
        finally:
            db.session.remove()


def daily_trigger(hour: int, minute: int) -> CronTrigger:
    return CronTrigger(hour=hour, minute=minute, timezone=TIMEZONE)


def build_scheduler(
    app: Flask,
    scheduler_cls: type[BaseScheduler] = BlockingScheduler,
    now: dt.datetime | None = None,
) -> BaseScheduler:
    """The configured scheduler, not started. A start after today's run time runs the daily jobs
    at once (catch-up; they are level-triggered)."""
    scheduler = scheduler_cls(
        timezone=TIMEZONE,
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults=dict(JOB_OPTIONS),
    )
    hour, minute = current_run_time(app)
    now = now or dt.datetime.now(TIMEZONE)
    run_today = now.astimezone(TIMEZONE).replace(hour=hour, minute=minute, second=0,
                                                 microsecond=0)
    catch_up = now >= run_today
    bodies = {"reminders": reminders_job, "weekly_digest": digest_job,
              "cutoff_reminder": cutoff_job, "event_digest": event_digest_job}
    for name in DAILY_JOBS:
        options = dict(JOB_OPTIONS)
        if catch_up:
            options["next_run_time"] = now
        scheduler.add_job(
            _in_app(app, name, bodies[name]), daily_trigger(hour, minute), id=name, name=name,
            **options,
        )
    scheduler.add_job(
        _in_app(app, "outbox", outbox_job),
        IntervalTrigger(minutes=OUTBOX_INTERVAL_MINUTES, timezone=TIMEZONE),
        id="outbox", name="outbox", next_run_time=now, **JOB_OPTIONS,
    )

    def sync_policy() -> None:
        wanted = current_run_time(app)
        for name in DAILY_JOBS:
            job = scheduler.get_job(name)
            if job is None:
                continue
            fields = {f.name: str(f) for f in job.trigger.fields}
            if (int(fields["hour"]), int(fields["minute"])) != wanted:
                job.reschedule(daily_trigger(*wanted))
                log.info("job %s moved to %02d:%02d", name, *wanted)

    scheduler.add_job(
        sync_policy, IntervalTrigger(minutes=POLICY_SYNC_MINUTES, timezone=TIMEZONE),
        id="policy_sync", name="policy_sync", **JOB_OPTIONS,
    )
    return scheduler


def run_scheduler(app: Flask) -> None:
    """Run until SIGINT or SIGTERM; a running job is allowed to finish."""
    scheduler = build_scheduler(app)

    def stop(signum: int, _frame: object) -> None:
        # The handler runs on the main thread, possibly while it holds the (non-reentrant) lock
        # of the scheduler's wake-up Event; shutting down from here could deadlock on it, so a
        # short-lived thread does the shutdown once the main thread lets go.
        log.info("signal %s received: stopping the scheduler", signal.Signals(signum).name)
        if scheduler.running:
            threading.Thread(
                target=scheduler.shutdown, kwargs={"wait": False}, name="scheduler-stop"
            ).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    hour, minute = current_run_time(app)

    def started(_event: object) -> None:
        # Logged once the scheduler is running, so a signal from now on stops it.
        log.info(
            "scheduler started (%s): reminders, weekly digest, cut-off reminder and event "
            "digest daily at "
            "%02d:%02d on working days; outbox every %s minutes",
            TIMEZONE.key, hour, minute, OUTBOX_INTERVAL_MINUTES,
        )

    scheduler.add_listener(started, EVENT_SCHEDULER_STARTED)
    scheduler.start()
    log.info("scheduler stopped")
