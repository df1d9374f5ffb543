"""E-mail for events, through the reminders' outbox: queued in the action's own transaction,
delivered after it commits; and the daily digest for those who chose one.

Exactly once per event and recipient: each outbox row carries the key
``event:<event key>:<hash of the address>`` under the outbox's unique ``dedupe_key``, and a
recipient appears once per event however many ways they are concerned (officer and unit mailbox
with one address). A rolled-back action rolls its rows back with it: nothing is sent. After the
commit the rows of that transaction are delivered at once (a short SMTP timeout, so a mail
server that hangs cannot hold a person's click for long); whatever fails waits for the
scheduler's outbox job, which retries with backoff as for every reminder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from sqlalchemy.exc import IntegrityError, OperationalError

from tracker.auth.models import EVENT_MAIL_MODES, User
from tracker.calendar.services import load_calendar
from tracker.constants import OFFICER
from tracker.core import clock, uow
from tracker.core.formatting import fmt_date
from tracker.extensions import db
from tracker.reminders import mail
from tracker.reminders.models import MAIL_EVENT, MAIL_EVENT_DIGEST, QUEUED, OutboxMessage
from tracker.work.models import MAIL_DIGEST, MAIL_DIGESTED, MAIL_NONE, Notification

log = logging.getLogger("tracker.work")

EACH_EVENT, DAILY_DIGEST, OFF = "each_event", "daily_digest", "off"
INLINE_SMTP_TIMEOUT = 5.0  # seconds: delivery right after a person's action
SUBJECT_PREFIX = "[Thông báo]"
ATTEMPTS = 5


def mode_of(user: User) -> str:
    """How this person gets events by e-mail; "off" without a usable address."""
    if mail.clean_address(user.email) is None:
        return OFF
    return user.event_mail if user.event_mail in EVENT_MAIL_MODES else EACH_EVENT


def dedupe_key(event_key: str, address: str) -> str:
    tag = hashlib.sha256(address.strip().lower().encode()).hexdigest()[:16]
    return f"event:{event_key}:{tag}"


def render(name: str, **context: Any) -> tuple[str, str]:
    """The text and HTML parts of templates/work/email/<name>.{txt,html}."""
    context.setdefault("org_name", current_app.config.get("ORG_NAME", ""))
    context.setdefault("base_url", str(current_app.config.get("BASE_URL", "")).rstrip("/"))
    return (render_template(f"work/email/{name}.txt", **context),
            render_template(f"work/email/{name}.html", **context))


def _row(kind: str, address: str, name: str, subject: str, bodies: tuple[str, str],
         key: str) -> OutboxMessage:
    now = mail.utcnow()
    return OutboxMessage(
        kind=kind, as_of=clock.today(), recipient=address, recipient_name=mail.clean_header(name),
        subject=mail.clean_header(subject), text_body=bodies[0], html_body=bodies[1],
        status=QUEUED, attempts=0, next_attempt_at=now, created_at=now, dedupe_key=key,
    )


def queue(event: Any, recipients: Iterable[tuple[str, str]]) -> list[OutboxMessage]:
    """One outbox row per distinct address (flushed with the action), sent after commit."""
    wanted: dict[str, tuple[str, str]] = {}
    for address, name in recipients:
        clean = mail.clean_address(address)
        if clean is not None:
            wanted.setdefault(dedupe_key(event.key, clean), (clean, name))
    if not wanted:
        return []
    taken = set(db.session.scalars(
        sa.select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(list(wanted)))))
    subject = f"{SUBJECT_PREFIX} {event.title}"
    rows = []
    for key, (address, name) in wanted.items():
        if key in taken:
            continue
        bodies = render("event", event=event, recipient_name=name, subject=subject)
        rows.append(_row(MAIL_EVENT, address, name, subject, bodies, key))
    db.session.add_all(rows)
    db.session.flush()
    deliver_after_commit([row.id for row in rows])
    return rows


def deliver_after_commit(ids: Sequence[int]) -> None:
    if ids:
        uow.after_commit(partial(deliver_now, list(ids)))


def deliver_now(ids: list[int]) -> None:
    """Send these rows now (after the commit); what fails stays queued for the scheduler."""
    mail.deliver_outbox(only=ids, smtp_timeout=INLINE_SMTP_TIMEOUT)


# --- the daily digest --------------------------------------------------------------------------


def _digest_subject(count: int, as_of: dt.date) -> str:
    return f"{SUBJECT_PREFIX} Tổng hợp {count} thông báo đến ngày {fmt_date(as_of)}"


def queue_digests(as_of: dt.date) -> int:
    """One e-mail per person with the notifications waiting for their digest (flushes); those
    a person may no longer see, or no longer wants by e-mail, are let go without mail."""
    pending = list(db.session.scalars(
        sa.select(Notification).where(Notification.mail == MAIL_DIGEST)
        .order_by(Notification.user_id, Notification.created_at, Notification.id)))
    if not pending:
        return 0
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for item in pending:
        by_user[item.user_id].append(item)
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(by_user)))}
    queued = 0
    for user_id, items in by_user.items():
        user = users[user_id]
        # an officer who moved to another unit is not told about the old unit's work
        shown = [n for n in items if user.role != OFFICER or n.unit_id == user.unit_id]
        if not user.active or mode_of(user) == OFF or not shown:
            for item in items:
                item.mail = MAIL_NONE
            continue
        subject = _digest_subject(len(shown), as_of)
        bodies = render("event_digest", items=shown, recipient_name=user.full_name,
                        subject=subject, as_of=as_of)
        key = f"event-digest:{user.id}:{max(n.id for n in items)}"
        db.session.add(_row(MAIL_EVENT_DIGEST, user.email or "", user.full_name, subject, bodies,
                            key))
        sent = {n.id for n in shown}
        for item in items:
            item.mail = MAIL_DIGESTED if item.id in sent else MAIL_NONE
        queued += 1
    db.session.flush()
    return queued


def run_digests(as_of: dt.date) -> int:
    """The daily job: queue the digests in one transaction (nothing on non-working days; they
    wait for the next working day). A second scheduler loses on the unique key, rolls back and
    finds nothing left. Returns how many e-mails were queued."""
    if not load_calendar().is_working_day(as_of):
        return 0
    for attempt in range(1, ATTEMPTS + 1):
        try:
            count = queue_digests(as_of)
            uow.commit()
            return count
        except (IntegrityError, OperationalError):
            uow.rollback()
            if attempt == ATTEMPTS:
                raise
            log.info("event digests lost a race; planning again")
            time.sleep(0.1 * attempt)
    return 0
