"""The unit of work: one transaction per request, CLI command or job, committed in one place.

Services change rows and flush; they never commit or roll back. For a request, the response
decides (as indico's ``RH.process`` does): a response below 400 commits, anything else rolls
back, and a commit that loses a race (a unique key, a version counter) becomes the 409 page
instead of a 500. A ``UserError`` rolls back first, then renders (tracker/core/web.py), so the
error page or the re-rendered form reads what is really saved. CLI commands and scheduler jobs
use ``transaction()``. Work that must run only once the data is safely stored (sending mail,
say) is queued with ``after_commit``.

The one exception is the outbox delivery (tracker/reminders/mail.py): it claims, sends and marks
each message in its own short transaction, so no transaction stays open while talking to SMTP.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, g
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.exc import StaleDataError

from tracker.core.errors import StaleVersion
from tracker.extensions import db

log = logging.getLogger("tracker")

_AFTER_COMMIT = "tracker.after_commit"
_KEEP = "uow_keep_on_error"
_RERENDER = "uow_rerender"

RACE_MESSAGE = (
    "Dữ liệu vừa được người khác thay đổi cùng lúc với bạn nên thao tác chưa được lưu. "
    "Vui lòng tải lại trang và thử lại."
)
# Errors a commit raises when another transaction won: answered with 409, never a 500.
RACE_ERRORS = (IntegrityError, StaleDataError)


def commit() -> None:
    """Commit the session, then run what was queued with ``after_commit``."""
    session = db.session()
    callbacks = session.info.pop(_AFTER_COMMIT, [])  # a failed commit runs none of them
    session.commit()
    for callback in callbacks:
        try:
            callback()
        except Exception:  # the data is stored; a failing follow-up must not undo the answer
            log.exception("after-commit callback %r failed", callback)


def rollback() -> None:
    """Throw away everything the current transaction did (and its queued follow-ups)."""
    session = db.session()
    session.info.pop(_AFTER_COMMIT, None)
    session.rollback()


def after_commit(callback: Callable[[], Any]) -> None:
    """Run ``callback`` once the current transaction has committed; never if it rolls back."""
    db.session().info.setdefault(_AFTER_COMMIT, []).append(callback)


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_follow_ups(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ends other than through ``commit()`` (a plain rollback, or a commit
    made around the unit of work) takes its follow-ups with it: they never leak into the next
    transaction. (What they would have done stays safe: queued mail waits in the outbox.)"""
    if transaction.parent is None:
        session.info.pop(_AFTER_COMMIT, None)


@contextmanager
def transaction() -> Iterator[None]:
    """One transaction for a CLI command or a job: commit on success, roll back on any error."""
    try:
        yield
    except BaseException:
        rollback()
        raise
    commit()


def keep_on_error() -> None:
    """This request's writes stand even though it answers with an error status (a failed login
    is recorded although the answer is 401)."""
    g.setdefault(_KEEP, True)


def rerender_on_error(render: Callable[[Any], Any]) -> None:
    """Answer a ``UserError`` raised later in this request with ``render(error)`` (the view's
    form with the message and what the user typed) instead of the plain error page; ``render``
    may return None to leave that error to the plain page (a 403, say)."""
    setattr(g, _RERENDER, render)


def take_rerender() -> Callable[[Any], Any] | None:
    return g.pop(_RERENDER, None)


def on_race(message: str) -> None:
    """The 409 message for this request when its commit loses a race (the default says the
    data changed; a view can say what really happened, e.g. "already imported")."""
    g.uow_race_message = message


# Integrity errors that mean "someone else got there first": a unique key taken, a row we
# refer to deleted meanwhile. Others (NOT NULL, CHECK) are bugs and stay 500s.
RACE_SQLSTATES = {"23505", "23503"}
RACE_SQLITE_MESSAGES = ("UNIQUE constraint failed", "FOREIGN KEY constraint failed")


def is_race(exc: BaseException) -> bool:
    """Lost to another transaction: a version counter moved, a unique key was taken first, or
    a row this transaction refers to was deleted by another one."""
    if isinstance(exc, StaleDataError):
        return True
    if isinstance(exc, IntegrityError):
        if getattr(exc.orig, "sqlstate", None) in RACE_SQLSTATES:
            return True
        return any(text in str(exc.orig) for text in RACE_SQLITE_MESSAGES)
    return False


def race_conflict() -> StaleVersion:
    """A lost race (another transaction changed the row, or took the unique key, first) as
    the user meets it: a 409 like a stale form, with this request's message when it set one."""
    return StaleVersion(g.get("uow_race_message") or RACE_MESSAGE)


# Statements that only read; anything else (INSERT, UPDATE, DELETE, DDL, a CTE that writes)
# marks the transaction as written.
_READS = re.compile(r"\s*(SELECT|PRAGMA|SHOW)\b|\s*WITH\b(?!.*\b(INSERT|UPDATE|DELETE)\b)",
                    re.IGNORECASE | re.DOTALL)
_WROTE = "tracker.uow.wrote"


@sa.event.listens_for(Engine, "begin")
def _new_transaction(conn: sa.Connection) -> None:
    conn.info[_WROTE] = False


@sa.event.listens_for(Engine, "before_cursor_execute")
def _note_write(conn: sa.Connection, _cursor: Any, statement: str, _params: Any,
                _context: Any, _many: bool) -> None:
    if not conn.info.get(_WROTE) and not _READS.match(statement):
        conn.info[_WROTE] = True


def has_written(session: Session) -> bool:
    """The session's open transaction sent a write, or holds changes a commit would flush, or
    queued follow-ups: committing it matters. A request that only read skips the full commit
    (which would expire every object it loaded, a tenth of a cached page's time); its read
    transaction ends through ``end_reading``."""
    if not session.in_transaction():
        return bool(session.info.get(_AFTER_COMMIT))
    if session.info.get(_AFTER_COMMIT) or session.new or session.deleted or session.dirty:
        return True
    return bool(session.connection().info.get(_WROTE, True))


def end_reading(session: Session) -> None:
    """End a transaction that only read. On PostgreSQL with a COMMIT, which for such a
    transaction is the same as a rollback: psycopg forgets its prepared statements at every
    ROLLBACK, so ending each read request with the session's close made the server parse and
    plan every statement of a page anew on every request. Nothing changed, so nothing loaded
    is expired either. Elsewhere the session's close ends it, as before."""
    if not session.in_transaction() or session.get_bind().dialect.name != "postgresql":
        return
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def _finish(response: Response) -> Response:
    if response.status_code >= 400 and not g.get(_KEEP):
        rollback()
        return response
    session = db.session()
    if not has_written(session):
        end_reading(session)
        return response
    try:
        commit()
    except RACE_ERRORS as exc:
        if not is_race(exc):
            raise
        log.info("commit lost a race; answering 409")
        from tracker.core.web import handle_user_error  # the answer lives with the web plumbing

        return current_app.make_response(handle_user_error(race_conflict()))
    return response


def init_app(app: Flask) -> None:
    """Call last in the factory: the last registered after_request handler runs first, so the
    commit decides the answer before the other handlers (security headers) dress it."""
    app.after_request(_finish)
