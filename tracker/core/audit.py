"""Write audit events. Services call this; it flushes with the caller's transaction."""

from __future__ import annotations

from typing import Any, Protocol

from flask_login import current_user

from tracker.core import clock
from tracker.core.models import AuditEvent
from tracker.extensions import db


class User(Protocol):
    """The acting user (tracker.auth.models.User; core imports no domain)."""

    id: int


def _actor_id(user: User | None = None) -> int | None:
    if user is not None:
        return user.id
    # Outside a request (CLI, jobs) current_user is None.
    if current_user and current_user.is_authenticated:
        return current_user.id
    return None


def record(
    entity: str,
    entity_id: int | None,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    *,
    user: User | None = None,
    directive_id: int | None = None,
) -> AuditEvent:
    event = AuditEvent(
        at=clock.now(),
        user_id=_actor_id(user),
        entity=entity,
        entity_id=entity_id,
        action=action,
        before=before,
        after=after,
        directive_id=directive_id,
    )
    db.session.add(event)
    return event


def record_changes(
    entity: str,
    entity_id: int,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    user: User | None = None,
    directive_id: int | None = None,
) -> bool:
    """Record only the keys that changed; False (and no event) when nothing did."""
    changed = [key for key in after if before.get(key) != after[key]]
    if not changed:
        return False
    db.session.flush()
    record(
        entity,
        entity_id,
        action,
        {key: before.get(key) for key in changed},
        {key: after[key] for key in changed},
        user=user,
        directive_id=directive_id,
    )
    return True
