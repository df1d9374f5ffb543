"""Write audit events. Services call this; it flushes with the caller's transaction."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from tracker.core import clock
from tracker.core.models import AuditEvent
from tracker.extensions import db


def _actor_id(user: Any = None) -> int | None:
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
    user: Any = None,
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
