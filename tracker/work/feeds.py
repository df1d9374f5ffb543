"""Calendar feeds: deadlines in the calendar people already use (Outlook, phone calendars).

Each person may subscribe to "my tasks" (an officer: their unit's work; a leader: the lead work
of the directives they are in charge of; others: the lead work of every directive) and to a
unit's deadlines (an officer: only their own unit). A feed is read through a secret address
``/feeds/<token>.ics`` that calendar apps fetch without signing in, so the token is the only
key: it opens that one calendar and nothing else, is never stored (an HMAC of the row's salt
under SECRET_KEY, so the page can show the address again; the row keeps its SHA-256), and a
revoked token, or one whose owner may no longer see that calendar, answers 404.

One VEVENT per open assignment (not done, not withdrawn, with a deadline): all day on the
deadline in force (an approved extension counts), titled with the task's number and period,
linking back to the task. Its UID is the assignment's, and SEQUENCE its version, so a calendar
moves the event when the deadline moves.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import urlsplit

import icalendar
import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.orm import aliased

from tracker.auth.models import User
from tracker.constants import (
    ASSIGNMENT_ROLES,
    AWAITING_CONFIRMATION,
    IN_PROGRESS,
    LEAD,
    LEADER,
    NOT_STARTED,
    OFFICER,
    STATES,
)
from tracker.core import audit, clock
from tracker.core.errors import Forbidden, NotFound, UserError
from tracker.core.formatting import fmt_date
from tracker.directives.models import Assignment, Directive, Period
from tracker.directives.naming import task_name
from tracker.directives.status import EXTENDED
from tracker.directives.status_sql import deadline_in_force
from tracker.extensions import db
from tracker.units.models import Unit
from tracker.work.models import FEED_MINE, FEED_UNIT, FeedToken

SCOPES = {FEED_MINE: "Việc của tôi", FEED_UNIT: "Nhiệm vụ của đơn vị"}
TOKEN_BYTES = 24
MAX_FEEDS = 20  # active feeds per person
USE_STAMP_EVERY = dt.timedelta(hours=1)  # how often a fetch records "last used"


# --- tokens ----------------------------------------------------------------------------------


def token_of(row: FeedToken) -> str:
    """The secret in the address: an HMAC of the row under SECRET_KEY, never stored."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"feed:{row.id}:{row.salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:TOKEN_BYTES]).decode().rstrip("=")


def hash_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def url_of(row: FeedToken) -> str:
    return url_for("feeds.calendar", feed_token=token_of(row), _external=True)


def label_of(row: FeedToken) -> str:
    if row.scope == FEED_UNIT and row.unit is not None:
        return f"Nhiệm vụ của {row.unit.name}"
    return SCOPES[FEED_MINE]


def may_follow(user: User, scope: str, unit: Unit | None) -> bool:
    """Officers follow their own unit only; everyone else may follow any unit."""
    if not user.active:
        return False
    if scope == FEED_MINE:
        return True
    if unit is None:
        return False
    return user.role != OFFICER or user.unit_id == unit.id


def active_feeds(user: User) -> list[FeedToken]:
    return list(db.session.scalars(
        sa.select(FeedToken).where(FeedToken.user_id == user.id, FeedToken.revoked_at.is_(None))
        .order_by(FeedToken.id)))


def create(user: User, scope: str, unit_id: int | None = None) -> FeedToken:
    """A new secret address (or the person's existing one for the same calendar)."""
    if scope not in SCOPES:
        raise UserError("Vui lòng chọn lịch cần theo dõi.")
    unit = None
    if scope == FEED_UNIT:
        unit = db.session.get(Unit, unit_id) if unit_id is not None else None
        if unit is None:
            raise NotFound("Không tìm thấy đơn vị.")
    if not may_follow(user, scope, unit):
        raise Forbidden("Cán bộ đơn vị chỉ theo dõi được lịch của đơn vị mình.")
    existing = active_feeds(user)
    for row in existing:
        if row.scope == scope and row.unit_id == (unit.id if unit else None):
            return row
    if len(existing) >= MAX_FEEDS:
        raise UserError(f"Mỗi người có tối đa {MAX_FEEDS} lịch; hãy thu hồi lịch không dùng.")
    row = FeedToken(user_id=user.id, scope=scope, unit_id=unit.id if unit else None,
                    salt=secrets.token_hex(16), token_hash=secrets.token_hex(32),
                    created_at=clock.real_now())
    db.session.add(row)
    db.session.flush()
    row.token_hash = hash_of(token_of(row))
    audit.record("feed_token", row.id, "create", None,
                 {"scope": scope, "unit_id": row.unit_id}, user=user)
    db.session.flush()
    return row


def revoke(user: User, feed_id: int) -> FeedToken:
    row = db.session.scalar(sa.select(FeedToken).where(
        FeedToken.id == feed_id, FeedToken.user_id == user.id, FeedToken.revoked_at.is_(None)))
    if row is None:
        raise NotFound("Không tìm thấy lịch này (có thể đã được thu hồi).")
    row.revoked_at = clock.real_now()
    audit.record("feed_token", row.id, "revoke", {"revoked_at": None},
                 {"revoked_at": row.revoked_at.isoformat()}, user=user)
    return row


def personal_feed_url(user: User) -> str | None:
    """The address of the person's "my tasks" calendar, when they have one."""
    for row in active_feeds(user):
        if row.scope == FEED_MINE:
            return url_of(row)
    return None


def find(token: str) -> FeedToken | None:
    """The live feed this token opens, or None (unknown, revoked, owner no longer allowed)."""
    if not token or len(token) > 64:
        return None
    row = db.session.scalar(sa.select(FeedToken).where(FeedToken.token_hash == hash_of(token)))
    if row is None or row.revoked_at is not None or row.user is None:
        return None
    if not hmac.compare_digest(token_of(row), token):  # a rotated SECRET_KEY voids every address
        return None
    if not may_follow(row.user, row.scope, row.unit):
        return None
    now = clock.real_now()
    if row.last_used_at is None or now - row.last_used_at > USE_STAMP_EVERY:
        row.last_used_at = now
    return row


# --- the calendar ------------------------------------------------------------------------------


def _rows(row: FeedToken, today: dt.date) -> list[Any]:
    """The open assignments with a deadline that this feed shows, as plain rows."""
    parent = aliased(Directive)
    deadline = deadline_in_force(Assignment, today, EXTENDED)
    query = (
        sa.select(Assignment.id, Assignment.directive_id, Assignment.version, Assignment.role,
                  Assignment.state, Assignment.percent, Assignment.deadline,
                  deadline.label("in_force"), Directive.number, Directive.title, Period.year,
                  Period.month, Unit.name.label("unit"))
        .join(Directive, Directive.id == Assignment.directive_id)
        .join(Period, Period.id == Directive.period_id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .outerjoin(parent, parent.id == Directive.parent_id)
        .where(Directive.withdrawn_at.is_(None), deadline.is_not(None),
               Assignment.state.in_([NOT_STARTED, IN_PROGRESS, AWAITING_CONFIRMATION]))
        .order_by(deadline, Assignment.id)
    )
    user = row.user
    if row.scope == FEED_UNIT:
        query = query.where(Assignment.unit_id == row.unit_id)
    elif user.role == OFFICER:
        query = query.where(Assignment.unit_id == user.unit_id)
    else:
        query = query.where(Assignment.role == LEAD)
        if user.role == LEADER:
            query = query.where(sa.func.coalesce(Directive.leader_id, parent.leader_id) == user.id)
    return list(db.session.execute(query))


def _host() -> str:
    base = str(current_app.config.get("BASE_URL") or "")
    return urlsplit(base).hostname or "tracker.local"


def _event(r: Any, base: str, host: str, stamp: dt.datetime) -> icalendar.Event:
    name = task_name(r.number, r.year, r.month)
    link = f"{base}/directives/{r.directive_id}#a{r.id}"
    role = ASSIGNMENT_ROLES.get(r.role, r.role).lower()
    lines = [r.title, "", f"Đơn vị: {r.unit} ({role})", f"Thời hạn: {fmt_date(r.in_force)}"]
    if r.deadline != r.in_force:
        lines.append(f"Hạn ban đầu: {fmt_date(r.deadline, 'Thường xuyên')} (đã gia hạn)")
    lines += [f"Trạng thái: {STATES.get(r.state, r.state)}, {r.percent}%", "", link]
    event = icalendar.Event()
    event.add("uid", f"assignment-{r.id}@{host}")
    event.add("dtstamp", stamp)
    event.add("sequence", int(r.version))
    event.add("dtstart", r.in_force)
    event.add("dtend", r.in_force + dt.timedelta(days=1))
    event.add("summary", f"{name}: {r.title[:150]} – {r.unit}")
    event.add("description", "\n".join(lines))
    event.add("url", link)
    event.add("transp", "TRANSPARENT")
    event.add("status", "CONFIRMED")
    return event


def calendar_bytes(row: FeedToken) -> bytes:
    """The feed as an iCalendar document (RFC 5545)."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//UBND//Theo doi nhiem vu//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    owner = row.user.full_name if row.scope == FEED_MINE else ""
    cal.add("x-wr-calname", f"{label_of(row)}{' – ' + owner if owner else ''}")
    cal.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    base = str(current_app.config.get("BASE_URL") or "").rstrip("/")
    host = _host()
    stamp = clock.real_now().replace(tzinfo=dt.UTC)
    for r in _rows(row, clock.today()):
        cal.add_component(_event(r, base, host, stamp))
    return cal.to_ical()
