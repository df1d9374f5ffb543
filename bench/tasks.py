"""Timed background work over the whole dataset: one reminder run, one monthly report build.

The reminder run is timed as the real command (`flask --app wsgi reminders send --dry-run`) in a
fresh process with the benchmark's environment (bench/standalone.py): what it costs on its own,
whatever the benchmark's own process did before. The report build runs in-process. Both leave
the data as generated (a dry run; the report is rolled back), so a repeated run measures the
same thing.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time

from flask import Flask

from bench.server import ROOT, app_env
from tracker.extensions import db


def time_reminder_run(url: str, as_of: dt.date) -> dict[str, object]:
    """What `flask reminders send --dry-run --today <as_of>` does: plan every reminder, digest
    and cut-off notice over all open assignments, without queueing or sending."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.standalone", "--today", as_of.isoformat()],
        cwd=ROOT, env=app_env(url), capture_output=True, text=True, timeout=600,
    )
    lines = output.stdout.strip().splitlines()
    if output.returncode != 0 or not lines:
        return {"error": f"bench.standalone failed: {output.stderr.strip()[-300:]}"}
    run = json.loads(lines[-1])
    if run["exit_code"] != 0:
        return {"error": f"reminders send exited {run['exit_code']}: {run['error']}"}
    due, messages = run["due"], run["messages"]
    return {
        "seconds": run["seconds"],
        "startup_s": run["startup_s"],
        "due": due,
        "messages": messages,
        "detail": f"({due:,} reminders due, {messages:,} messages planned; the command alone "
                  f"in a fresh process, +{run['startup_s']:.1f} s to start it)",
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
