"""Code run in child processes (multiprocessing, spawn) by the concurrency tests."""

from __future__ import annotations

import datetime as dt
from typing import Any


def send_day(database_url: str, overrides: dict[str, Any], day: str, barrier: Any) -> None:
    """One scheduler-like process: wait for the others, then run the whole day and deliver."""
    from config import TestConfig
    from tracker import create_app
    from tracker.extensions import db
    from tracker.reminders.jobs import run_day

    app = create_app(TestConfig(), SQLALCHEMY_DATABASE_URI=database_url, **overrides)
    with app.app_context():
        db.session.execute(db.select(1))  # connect before the start line
        db.session.commit()
        barrier.wait(timeout=60)
        try:
            run_day(dt.date.fromisoformat(day))
        finally:
            db.session.remove()
            db.engine.dispose()
