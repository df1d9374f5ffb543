"""The data version: a token that changes in every transaction that changes what pages show.

Every ORM session is watched: a flush or a bulk INSERT/UPDATE/DELETE touching a table outside
``UNSHOWN_TABLES`` marks the transaction, and just before it commits the token in the one-row
``data_version`` table is replaced by a random one, in the same transaction. So a page rendered
from data read under token T is still right for as long as the database says T, in any process
(gunicorn workers, the scheduler, CLI commands), and stale the moment the change is committed.

The write comes last in the transaction, so two writers queue for that row only at commit time
and cannot deadlock on it. Writes that bypass the ORM session (the benchmark's bulk loader, a
backup restore) must call :func:`bump` themselves.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import sqlalchemy as sa
from flask import g, has_app_context
from sqlalchemy.orm import Session, SessionTransaction

from tracker.core.models import DataVersion

# Tables no cached page reads: sign-in bookkeeping, the reminder machinery, notifications being
# read and calendar feeds being fetched write here all the time, and bumping the version for
# them would only empty the cache for nothing. (Import drafts count: the Văn phòng's inbox count,
# on every page, lists the reports waiting for review.)
UNSHOWN_TABLES = frozenset(
    {"data_version", "login_attempt", "reminder_log", "outbox_message", "notification",
     "feed_token"}
)
_CHANGED = "tracker.data_changed"
ROW_ID = 1
_REMEMBERED = "data_version"


def _shown(table_name: str | None) -> bool:
    return table_name not in UNSHOWN_TABLES


def _table_of(instance: object) -> str | None:
    table = getattr(type(instance), "__table__", None)
    return getattr(table, "name", None)


def _pending_shown_changes(session: Session) -> bool:
    """Are objects added, changed or deleted in this session (flushed or not) shown data?"""
    pending = (*session.new, *session.dirty, *session.deleted)
    return any(_shown(_table_of(obj)) for obj in pending)


def has_uncommitted_changes(session: Session) -> bool:
    """True when this session's open transaction has written (or is about to write) shown data:
    its own reads must not come from, or go into, a cache keyed by the committed version."""
    return bool(session.info.get(_CHANGED)) or _pending_shown_changes(session)


def current(session: Session) -> str:
    """The committed token (an empty string when the row is missing): the one read with this
    request's user when there is one, else read now."""
    if has_app_context() and _REMEMBERED in g:
        return g.get(_REMEMBERED) or ""
    token = session.scalar(sa.select(DataVersion.token).where(DataVersion.id == ROW_ID))
    return token or ""


def remember(token: str | None) -> None:
    """Keep the token read along with the request's user (tracker/__init__.py, load_user)."""
    setattr(g, _REMEMBERED, token or "")


def bump(session_or_connection: Session | sa.Connection) -> str:
    """Write a new token (insert the row if it is missing) and return it."""
    token = secrets.token_hex(16)
    values = {"id": ROW_ID, "token": token,
              "changed_at": dt.datetime.now(dt.UTC).replace(tzinfo=None)}
    bind = session_or_connection.get_bind() if isinstance(session_or_connection, Session) \
        else session_or_connection
    dialect = bind.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the product runs on SQLite and PostgreSQL
        raise RuntimeError(f"unsupported database {dialect}")
    statement = insert(DataVersion).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[DataVersion.id],
        set_={"token": token, "changed_at": values["changed_at"]},
    )
    session_or_connection.execute(statement)
    return token


@sa.event.listens_for(Session, "after_flush")
def _mark_flushed_changes(session: Session, _context: Any) -> None:
    if not session.info.get(_CHANGED) and _pending_shown_changes(session):
        session.info[_CHANGED] = True


@sa.event.listens_for(Session, "do_orm_execute")
def _mark_bulk_changes(state: sa.orm.ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if _shown(getattr(table, "name", None)):
        state.session.info[_CHANGED] = True


@sa.event.listens_for(Session, "before_commit")
def _bump_before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # marks the transaction if the pending objects are shown data
    if session.info.get(_CHANGED):
        bump(session)
        if has_app_context():
            g.pop(_REMEMBERED, None)  # what this request remembered is stale now


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_marks(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)
