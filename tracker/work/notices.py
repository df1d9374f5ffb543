"""Reading one's notifications: the bell's unread count, the list, marking as read.

A person sees only notifications addressed to them, and an officer only those about the unit
they belong to now (an officer who moves to another unit no longer sees the old unit's).
The unread count is read in the same query as the signed-in user (tracker/__init__.py), so the
bell costs no query; marking as read does not touch the data version (nothing cached shows it).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import g

from tracker.auth.models import User
from tracker.constants import OFFICER
from tracker.core import clock
from tracker.extensions import db
from tracker.work.models import Notification

PAGE_SIZE = 50
_UNREAD = "unread_notifications"


def _visible_to(user_id: object, role: object, unit_id: object) -> sa.ColumnElement:
    return sa.and_(
        Notification.user_id == user_id,
        sa.or_(role != OFFICER, Notification.unit_id == unit_id),
    )


def visible(user: User) -> sa.ColumnElement:
    """This person's notifications (an officer's: only their unit's)."""
    if user.role == OFFICER:
        return sa.and_(Notification.user_id == user.id, Notification.unit_id == user.unit_id)
    return Notification.user_id == user.id


def unread_count_column() -> sa.ScalarSelect:
    """The signed-in user's unread count as a column of the query that loads the user."""
    return (
        sa.select(sa.func.count(Notification.id))
        .where(_visible_to(User.id, User.role, User.unit_id), Notification.read_at.is_(None))
        .correlate(User)
        .scalar_subquery()
    )


def remember_unread(count: int | None) -> None:
    setattr(g, _UNREAD, int(count or 0))


def unread_count(user: User) -> int:
    """The bell's number: read with the user when there is one, else counted now."""
    if _UNREAD in g:
        return g.get(_UNREAD) or 0
    count = db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        visible(user), Notification.read_at.is_(None))) or 0
    remember_unread(count)
    return count


def recent(user: User, *, page: int = 1, unread_only: bool = False) -> tuple[list[Notification],
                                                                               bool]:
    """One page of notifications, newest first, and whether there are more."""
    query = sa.select(Notification).where(visible(user))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    rows = list(db.session.scalars(
        query.order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark these (or all) of the person's notifications read; others' ids are ignored.
    Returns how many changed."""
    query = sa.update(Notification).where(visible(user), Notification.read_at.is_(None))
    if ids is not None:
        wanted = list(ids)
        if not wanted:
            return 0
        query = query.where(Notification.id.in_(wanted))
    result = db.session.execute(query.values(read_at=clock.real_now()))
    setattr(g, _UNREAD, max(0, unread_count(user) - (result.rowcount or 0)))
    return result.rowcount or 0


def own(user: User, notification_id: int) -> Notification | None:
    return db.session.scalar(sa.select(Notification).where(
        visible(user), Notification.id == notification_id))
