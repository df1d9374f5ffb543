"""An independent computation of each task's bucket as of a day, straight from the recorded
rows with plain SQL: no tracker.directives.asof, no status_sql, no presenters. The report must
agree with it for every day the tests ask about.

It reads: progress records up to the end of the day (the last one's kind), extension requests
approved by then, the audit's "before" of deadlines changed after the day, withdrawals, and the
frozen completion flags; working days from the calendar. Deliberately written differently
(one function per question, dictionaries, no dataclasses) from the code it checks.
"""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from tracker.calendar.services import load_calendar
from tracker.core import clock
from tracker.extensions import db

KIND_TO_STATE = {"progress": "open", "returned": "open", "completion": "waiting",
                 "confirmed": "done"}


def _rows(sql: str, **params) -> list:  # noqa: ANN003
    return db.session.execute(sa.text(sql), params).mappings().all()


def _date(value) -> dt.date | None:  # noqa: ANN001
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _stamp(value) -> dt.datetime:  # noqa: ANN001
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def assignment_bucket(a: dict, day: dt.date) -> tuple[str, int]:
    """(bucket, working days late/overdue) of one assignment row on ``day``."""
    eod = clock.end_of_day(day)
    records = [r for r in _rows(
        "SELECT kind, created_at FROM progress_update WHERE assignment_id = :id "
        "ORDER BY created_at, id", id=a["id"]) if _stamp(r["created_at"]) < eod]
    state = KIND_TO_STATE[records[-1]["kind"]] if records else "new"
    deadline = _date(a["deadline"])
    for event in _rows("SELECT at, before FROM audit_event WHERE entity = 'assignment' "
                       "AND entity_id = :id ORDER BY at, id", id=a["id"]):
        before = event["before"]
        before = json.loads(before) if isinstance(before, str) else before
        if _stamp(event["at"]) >= eod and isinstance(before, dict) and "deadline" in before:
            deadline = _date(before["deadline"])
            break
    approved = [r for r in _rows(
        "SELECT proposed_deadline, decided_at FROM extension_request WHERE assignment_id = :id "
        "AND status = 'approved'", id=a["id"]) if r["decided_at"] and _stamp(r["decided_at"]) < eod]
    if approved:
        deadline = _date(max(approved, key=lambda r: _stamp(r["decided_at"]))["proposed_deadline"])
    days = load_calendar().working_days_between
    if state == "done":
        completed = _date(a["completed_on"])
        late = a["on_time"] in (False, 0)
        if late:
            return "done_late", days(deadline, completed)
        return "done_on_time", 0
    if deadline is None:
        return "no_deadline", 0
    if day > deadline:
        return "overdue", days(deadline, day)
    return ("not_started", 0) if state == "new" else ("in_progress", 0)


def task_buckets(year: int, month: int, day: dt.date) -> dict[str, str]:
    """Every task's bucket (number -> bucket) on ``day``: its own lead assignments and its
    sub-tasks together; done only when all are done; the worst open one otherwise."""
    eod = clock.end_of_day(day)
    directives = _rows(
        "SELECT d.id, d.number, d.parent_id, d.withdrawn_at, d.deadline FROM directive d "
        "JOIN period p ON p.id = d.period_id WHERE p.year = :y AND p.month = :m", y=year, m=month)
    buckets: dict[int, str] = {}

    def own(d: dict) -> list[str]:
        rows = _rows("SELECT * FROM assignment WHERE directive_id = :id", id=d["id"])
        leads = [r for r in rows if r["role"] == "lead"] or rows
        return [assignment_bucket(r, day)[0] for r in leads
                if r["assigned_on"] is None or _date(r["assigned_on"]) <= day]

    def combine(items: list[str]) -> str:
        items = [i for i in items if i != "withdrawn"]
        open_ = [i for i in items if i not in ("done_on_time", "done_late")]
        if not open_:
            return "done_late" if "done_late" in items else "done_on_time"
        if "overdue" in open_:
            return "overdue"
        if all(i == "no_deadline" for i in open_):
            return "no_deadline"
        if all(i == "not_started" for i in items):
            return "not_started"
        return "in_progress"

    def bucket(d: dict) -> str:
        if d["withdrawn_at"] is not None and _stamp(d["withdrawn_at"]) < eod:
            return "withdrawn"
        kids = [bucket(c) for c in directives if c["parent_id"] == d["id"]]
        items = own(d) + kids
        return combine(items) if items else "not_started"

    for d in directives:
        buckets[d["id"]] = bucket(d)
    return {d["number"]: buckets[d["id"]] for d in directives}


def later_texts(day: dt.date) -> set[str]:
    """Every text a unit recorded after the end of ``day``."""
    eod = clock.end_of_day(day)
    texts = set()
    for r in _rows("SELECT created_at, result, difficulties, proposals FROM progress_update"):
        if _stamp(r["created_at"]) >= eod:
            texts |= {t.strip() for t in (r["result"], r["difficulties"], r["proposals"]) if t}
    earlier = set()
    for r in _rows("SELECT created_at, result, difficulties, proposals FROM progress_update"):
        if _stamp(r["created_at"]) < eod:
            earlier |= {t.strip() for t in (r["result"], r["difficulties"], r["proposals"]) if t}
    return texts - earlier
