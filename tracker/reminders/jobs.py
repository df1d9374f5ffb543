"""Job bodies shared by the CLI and the scheduler: each plans, queues and commits once.

The unique log rows (and the outbox dedupe keys) are inserted in the same transaction as the
messages they produce. If another process got there first, the insert fails, this transaction
rolls back whole, and the retry plans again from what is now recorded, finding nothing new.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError, OperationalError

from tracker.calendar.services import load_calendar
from tracker.core import uow
from tracker.reminders import digest, services
from tracker.reminders.mail import DeliveryResult, deliver_outbox
from tracker.work.event_mail import run_digests

log = logging.getLogger("tracker.reminders")

ATTEMPTS = 5
Planner = Callable[[dt.date], services.Plan]


def queue_once(planner: Planner, as_of: dt.date, *, dry_run: bool = False) -> services.Plan:
    """Plan and queue in one transaction, retrying when a concurrent run wins the race."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            plan = planner(as_of)
            if dry_run:
                uow.rollback()
                return plan
            services.queue(plan)
            uow.commit()
            return plan
        except (IntegrityError, OperationalError) as exc:
            uow.rollback()
            if attempt == ATTEMPTS:
                raise
            log.info("%s for %s lost a race (%s); planning again", planner.__name__, as_of,
                     type(exc).__name__)
            time.sleep(random.uniform(0.05, 0.3) * attempt)  # noqa: S311 - jitter, not crypto
    raise AssertionError("unreachable")


def run_reminders(as_of: dt.date, *, dry_run: bool = False) -> services.Plan:
    """The daily reminder job (upcoming, due, overdue, escalations, daily digests)."""
    return queue_once(services.plan_reminders, as_of, dry_run=dry_run)


def run_digest(as_of: dt.date, *, dry_run: bool = False) -> services.Plan:
    return queue_once(digest.plan_digest, as_of, dry_run=dry_run)


def run_cutoff(as_of: dt.date, *, dry_run: bool = False) -> services.Plan:
    return queue_once(services.plan_cutoff, as_of, dry_run=dry_run)


def run_day(as_of: dt.date, *, dry_run: bool = False, deliver: bool = True) -> tuple[
    list[services.Plan], DeliveryResult | None
]:
    """Everything due on a day, then delivery: what `reminders send` does."""
    if not load_calendar().is_working_day(as_of):
        log.info("%s is not a working day: nothing to send", as_of.isoformat())
        plans: list[services.Plan] = []
    else:
        plans = [
            run_reminders(as_of, dry_run=dry_run),
            run_digest(as_of, dry_run=dry_run),
            run_cutoff(as_of, dry_run=dry_run),
        ]
        for plan in plans:
            log.info("%s: %s reminders recorded, %s messages queued", as_of.isoformat(),
                     len(plan.due), len(plan.messages))
        if not dry_run:  # the work wing's daily digest of events
            log.info("%s: %s event digests queued", as_of.isoformat(), run_digests(as_of))
    delivery = deliver_outbox() if deliver and not dry_run else None
    return plans, delivery
