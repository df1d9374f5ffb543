"""Cross-domain tables: the audit trail and small key/value settings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class AuditEvent(db.Model):
    """Who changed what, when, with the values before and after. Append-only."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    entity: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(sa.String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    directive_id: Mapped[int | None] = mapped_column(index=True)

    __table_args__ = (sa.Index("ix_audit_event_entity", "entity", "entity_id"),)


class Setting(db.Model):
    """Admin-editable settings (reminder policy, report defaults) as JSON values by key."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(sa.JSON)
    updated_at: Mapped[dt.datetime | None]
    # Moved on by every edit through a form (errors.claim_version): a stale form gets a 409.
    version: Mapped[int] = mapped_column(default=1, server_default="1")


class DataVersion(db.Model):
    """One row whose token changes in every transaction that changes what pages show.

    Rendered pages are cached under the token they were computed from (tracker/core/pagecache.py);
    a new token, written in the same transaction as the change, makes every copy stale at once
    in every worker process.
    """

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(sa.String(32))
    changed_at: Mapped[dt.datetime | None]


class ScopeVersion(db.Model):
    """A token per part of the data (a period, a unit, a directive; ``base`` for everything
    else), replaced in the same transaction as a change to that part: a cached page keyed by
    the tokens of the parts it shows stays valid while other parts change
    (tracker/core/versioning.py)."""

    __tablename__ = "scope_version"

    scope: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(32))


class AuditImmutableError(RuntimeError):
    """Raised when code tries to change or delete an audit event: the trail is append-only."""


@sa.event.listens_for(AuditEvent, "before_update")
@sa.event.listens_for(AuditEvent, "before_delete")
def _refuse_audit_change(_mapper: Any, _connection: Any, target: AuditEvent) -> None:
    raise AuditImmutableError(f"Audit event {target.id} is append-only.")


@sa.event.listens_for(sa.orm.Session, "do_orm_execute")
def _refuse_bulk_audit_change(state: sa.orm.ORMExecuteState) -> None:
    """ORM bulk UPDATE/DELETE against AuditEvent (``update(AuditEvent)``) is refused too.

    Core statements on the table object (the test fixture's emptying, a backup restore) are not
    ORM statements and pass; they are not reachable from any request.
    """
    if (state.is_update or state.is_delete) and state.is_orm_statement:
        mapper = state.bind_mapper
        if mapper is not None and mapper.class_ is AuditEvent:
            raise AuditImmutableError("Audit events are append-only.")
