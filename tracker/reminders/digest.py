"""The leaders' weekly digest: counts per bucket, overdue lead work by unit, silent units.

Read-only planning like services.plan_reminders; the job queues what it returns.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from tracker.calendar.services import load_calendar
from tracker.constants import LEAD
from tracker.core import clock
from tracker.core.formatting import fmt_date
from tracker.directives.models import Assignment, Directive, ProgressUpdate
from tracker.directives.status import BUCKET_LABELS, BUCKET_ORDER, Bucket, Status, Summary
from tracker.directives.status_sql import directive_buckets
from tracker.extensions import db
from tracker.reminders import open_work, selection
from tracker.reminders.models import MAIL_DIGEST, OVERDUE, OutboxMessage
from tracker.reminders.policy import Policy
from tracker.reminders.services import (
    Composed,
    Directory,
    Letters,
    MailItem,
    Plan,
    current_policy,
    mail_item,
)


@dataclass
class DigestData:
    """The weekly digest's content, the same for every leader."""

    as_of: dt.date
    counts: list[tuple[str, str, int]]
    total: int
    overdue_by_unit: list[tuple[str, list[MailItem]]]
    stale_units: list[tuple[str, dt.date | None]]
    since: dt.date


def digest_data(as_of: dt.date, policy: Policy, calendar: selection.Calendar) -> DigestData:
    """Counts per bucket, overdue lead assignments by unit, units silent since the last cut-off."""
    # Counted in SQL (the dashboard's mirror of the bucket rules), not by loading every
    # directive of every period into Python.
    buckets = directive_buckets(as_of)
    summary = Summary()
    for value, count in db.session.execute(
        sa.select(buckets.c.bucket, sa.func.count())
        .join(Directive, Directive.id == buckets.c.directive_id)
        .where(Directive.parent_id.is_(None))
        .group_by(buckets.c.bucket)
    ):
        summary.counts[Bucket(value)] += count
    counts = [
        (bucket.value, BUCKET_LABELS[bucket], summary.counts[bucket])
        for bucket in BUCKET_ORDER
        if bucket is not Bucket.WITHDRAWN
    ]
    assignments = open_work.open_assignments(as_of)
    statuses = open_work.statuses(assignments, as_of, load_calendar())
    overdue: dict[str, list[MailItem]] = defaultdict(list)
    for assignment in assignments:
        status = statuses[assignment.id]
        if assignment.role == LEAD and status.bucket is Bucket.OVERDUE:
            due = selection.Due(assignment.id, OVERDUE, "", status.deadline, status.days_overdue)
            overdue[assignment.unit.name].append(mail_item(assignment, OVERDUE, due, status))
    since = selection.previous_cutoff(as_of, policy, calendar)
    stale_units = _stale_units(assignments, statuses, as_of, since)
    return DigestData(
        as_of=as_of,
        counts=counts,
        total=summary.total,
        overdue_by_unit=[
            (unit, sorted(items, key=lambda i: (-i.days_overdue, i.number_key)))
            for unit, items in sorted(overdue.items())
        ],
        stale_units=stale_units,
        since=since,
    )


def _stale_units(
    assignments: list[open_work.OpenAssignment], statuses: dict[int, Status], as_of: dt.date,
    since: dt.date,
) -> list[tuple[str, dt.date | None]]:
    """Units with open work and no progress update from `since` up to `as_of`."""
    open_by_unit: dict[int, open_work.UnitRow] = {}
    for assignment in assignments:
        if statuses[assignment.id].bucket not in selection.SKIPPED_BUCKETS:
            open_by_unit[assignment.unit_id] = assignment.unit
    if not open_by_unit:
        return []
    end_utc = clock.end_of_day(as_of)
    # Which units reported since the cut-off: the index on created_at reads that month only.
    # The last day of the others (the few listed) is then looked up for them alone, rather
    # than the latest of ten years of updates for every unit.
    start_utc = clock.end_of_day(since - dt.timedelta(days=1))
    recent = set(db.session.scalars(
        sa.select(Assignment.unit_id).distinct()
        .join(ProgressUpdate, ProgressUpdate.assignment_id == Assignment.id)
        .where(Assignment.unit_id.in_(list(open_by_unit)),
               ProgressUpdate.created_at >= start_utc, ProgressUpdate.created_at < end_utc)
    ))
    silent = [unit_id for unit_id in open_by_unit if unit_id not in recent]
    if not silent:
        return []
    rows = db.session.execute(
        sa.select(Assignment.unit_id, sa.func.max(ProgressUpdate.created_at))
        .join(ProgressUpdate, ProgressUpdate.assignment_id == Assignment.id)
        .where(Assignment.unit_id.in_(silent), ProgressUpdate.created_at < end_utc)
        .group_by(Assignment.unit_id)
    ).all()
    last = {unit_id: clock.local_date(at) for unit_id, at in rows if at is not None}
    stale = [
        (open_by_unit[unit_id], last.get(unit_id))
        for unit_id in silent
        if last.get(unit_id) is None or last[unit_id] < since
    ]
    stale.sort(key=lambda pair: (pair[0].position, pair[0].name))
    return [(unit.name, day) for unit, day in stale]


def plan_digest(as_of: dt.date, policy: Policy | None = None) -> Plan:
    """The weekly digest to leaders, once per ISO week per leader (by the outbox dedupe key)."""
    policy = policy or current_policy()
    calendar = load_calendar()
    plan = Plan(as_of)
    week = selection.digest_occurrence(as_of, policy, calendar)
    if week is None:
        return plan
    leaders = Directory().digest_leaders()
    keys = {r.address.lower(): f"digest:{week}:{r.address.lower()}" for r in leaders}
    already = set(
        db.session.scalars(
            sa.select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys.values()))
        )
    )
    pending = [r for r in leaders if keys[r.address.lower()] not in already]
    if not pending:
        return plan
    data = digest_data(as_of, policy, calendar)
    overdue_count = dict((key, n) for key, _, n in data.counts)[Bucket.OVERDUE.value]
    subject = (
        f"[Tổng hợp tuần] Tình hình thực hiện nhiệm vụ đến ngày {fmt_date(as_of)}: "
        f"{overdue_count} nhiệm vụ quá hạn"
    )
    letters = Letters("digest")  # the same for every leader but the greeting: rendered once
    seen: set[str] = set()
    for recipient in pending:
        address = recipient.address.lower()
        if address in seen:
            continue
        seen.add(address)
        _, text, html = letters.render(
            recipient, "digest", lambda: {"subject": subject, "data": data}
        )
        plan.messages.append(
            Composed(MAIL_DIGEST, recipient, subject, text, html, keys[address])
        )
    return plan
