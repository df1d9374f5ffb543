"""Timed background work over the whole dataset: one reminder run, one monthly report build.

Both run in-process against the bench database and roll back, so the data stays as generated
and a repeated run measures the same thing.
"""

from __future__ import annotations

import datetime as dt
import time

from flask import Flask

from tracker.extensions import db


def time_reminder_run(app: Flask, as_of: dt.date) -> dict[str, object]:
    """What `flask reminders send --dry-run` does for a day: plan every reminder, digest and
    cut-off notice over all open assignments, without queueing or sending."""
    try:
        from tracker.reminders import jobs
    except ImportError as exc:
        return {"error": f"reminders not available: {exc}"}
    with app.app_context():
        started = time.perf_counter()
        plans, _ = jobs.run_day(as_of, dry_run=True, deliver=False)
        seconds = time.perf_counter() - started
        due = sum(len(plan.due) for plan in plans)
        messages = sum(len(plan.messages) for plan in plans)
        db.session.rollback()
        db.session.remove()
    return {
        "seconds": round(seconds, 3),
        "due": due,
        "messages": messages,
        "detail": f"({due:,} reminders due, {messages:,} messages planned)",
    }


def time_report_build(app: Flask, as_of: dt.date) -> dict[str, object]:
    """Draft the report of the month that just ended and export it as .docx."""
    try:
        from tracker.core.periods import PeriodKey
        from tracker.reports import services
    except ImportError as exc:
        return {"error": f"reports not available: {exc}"}
    ref = PeriodKey(as_of.year, as_of.month).previous()
    with app.app_context():
        started = time.perf_counter()
        report = services.create_report(ref, as_of)
        data, _name, _type = services.export_bytes(report, "docx")
        seconds = time.perf_counter() - started
        db.session.rollback()
        db.session.remove()
    return {
        "seconds": round(seconds, 3),
        "period": ref.key,
        "docx_bytes": len(data),
        "detail": f"(report {ref.label}, {len(data):,} bytes)",
    }
