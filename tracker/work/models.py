"""What the daily loop keeps: in-app notifications and calendar feed tokens.

The inbox ("Việc cần xử lý") keeps nothing: it is computed from the work itself, so acting on
an item is what removes it.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.extensions import db
from tracker.units.models import Unit

# What happened (Notification.kind); the Vietnamese words live in tracker/work/notify.py.
ASSIGNED = "assigned"
COMPLETION_REPORTED = "completion_reported"
COMPLETION_CONFIRMED = "completion_confirmed"
COMPLETION_RETURNED = "completion_returned"
EXTENSION_REQUESTED = "extension_requested"
EXTENSION_DECIDED = "extension_decided"
WITHDRAWN = "withdrawn"

# How a notification travels by e-mail (Notification.mail).
MAIL_NONE = "none"  # the person chose no e-mail for events, or has no address
MAIL_QUEUED = "queued"  # its own e-mail is in the outbox
MAIL_DIGEST = "digest"  # waiting for the person's daily digest
MAIL_DIGESTED = "digested"  # went out in a daily digest

# Calendar feeds (FeedToken.scope).
FEED_MINE = "mine"
FEED_UNIT = "unit"


class Notification(db.Model):
    """One event told to one person ("Giao nhiệm vụ mới", "Trả lại báo cáo hoàn thành", ...).

    ``event_key`` names the event (kind and the id of the row that records it), so the same
    event is never told twice to the same person. ``unit_id`` is the unit the event concerns:
    an officer sees only notifications of the unit they belong to now.
    """

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    event_key: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(30))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    directive_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("directive.id", ondelete="CASCADE"), index=True
    )
    assignment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("assignment.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    read_at: Mapped[dt.datetime | None]
    mail: Mapped[str] = mapped_column(sa.String(10), default=MAIL_NONE)

    unit: Mapped[Unit | None] = relationship()
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])

    __table_args__ = (
        sa.UniqueConstraint("user_id", "event_key"),
        sa.Index("ix_notification_user_read", "user_id", "read_at"),
        sa.Index("ix_notification_mail", "mail", "user_id"),
    )


class FeedToken(db.Model):
    """A secret calendar address (.ics) of one person for one calendar, revocable.

    The token itself is never stored: it is an HMAC of the row's salt under SECRET_KEY (so the
    page can show the address again), and the row keeps its SHA-256 to find it.
    """

    __tablename__ = "feed_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(sa.String(10))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    salt: Mapped[str] = mapped_column(sa.String(64))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()
    unit: Mapped[Unit | None] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None
