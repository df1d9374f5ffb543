"""Data versions: tokens that change in every transaction that changes what pages show.

Every ORM session is watched: a flush or a bulk INSERT/UPDATE/DELETE touching a table outside
``UNSHOWN_TABLES`` marks the transaction, and just before it commits the token in the one-row
``data_version`` table is replaced by a random one, in the same transaction. So a page rendered
from data read under token T is still right for as long as the database says T, in any process
(gunicorn workers, the scheduler, CLI commands), and stale the moment the change is committed.

Beside that one token, each part of the data has its own (``scope_version``): a period
(``p:<id>``), a unit (``u:<id>``), a directive (``d:<id>``), and ``base`` for everything no rule
places (units, users, the calendar, the organization, a new or deleted directive, any bulk
statement). The directives package tells which parts a changed row touches (``ScopeRules``,
registered at start-up); a page that shows only some parts is cached under ``base`` and their
tokens (:func:`scope_tokens`), so one unit's progress report leaves another unit's page, and
another period's dashboard, valid.

The writes come last in the transaction (the one row first, then the scopes in sorted order),
so two writers queue for those rows only at commit time and cannot deadlock on them. Writes
that bypass the ORM session (the benchmark's bulk loader, a backup restore) must call
:func:`bump` themselves, which makes everything stale.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from flask import g, has_app_context
from sqlalchemy.orm import Session, SessionTransaction

from tracker.core.models import DataVersion, ScopeVersion

T = TypeVar("T")

# Tables no cached page reads: sign-in bookkeeping, the reminder machinery, notifications being
# read and calendar feeds being fetched write here all the time, and bumping the version for
# them would only empty the cache for nothing. (Import drafts count: the Văn phòng's inbox count,
# on every page, lists the reports waiting for review.)
UNSHOWN_TABLES = frozenset(
    {"data_version", "scope_version", "login_attempt", "reminder_log", "outbox_message",
     "notification", "feed_token"}
)
# Columns no cached page reads: signing in, out and changing one's password or e-mail choices
# must not empty everyone's cache.
UNSHOWN_COLUMNS = {
    "user": frozenset({"session_token", "last_login_at", "password_hash", "password_changed_at",
                       "must_change_password", "api_token_hash", "notify_mode", "event_mail"}),
}
# Written with the change they describe (whose own rows place it); alone, they count as base.
NEUTRAL_TABLES = frozenset({"audit_event"})
BASE = "base"
_CHANGED = "tracker.data_changed"
_NOTES = "tracker.scope_notes"
_UNPLACED = "tracker.scope_unplaced"
ROW_ID = 1
_REMEMBERED = "data_version"


def _shown(table_name: str | None) -> bool:
    return table_name not in UNSHOWN_TABLES


def _table_of(instance: object) -> str | None:
    table = getattr(type(instance), "__table__", None)
    return getattr(table, "name", None)


def _shown_change(session: Session, obj: object, change: str) -> bool:
    """Does adding, changing or deleting ``obj`` change what a cached page may show?"""
    table = _table_of(obj)
    if not _shown(table):
        return False
    if change != "dirty":
        return True
    if not session.is_modified(obj, include_collections=False):
        return False
    unshown = UNSHOWN_COLUMNS.get(table or "")
    if not unshown:
        return True
    state = sa.inspect(obj)
    return any(attr.key not in unshown and attr.history.has_changes() for attr in state.attrs)


def _pending(session: Session):  # noqa: ANN202 - (change, object) pairs
    for change, objects in (("new", session.new), ("dirty", session.dirty),
                            ("deleted", session.deleted)):
        for obj in objects:
            yield change, obj


def _pending_shown_changes(session: Session) -> bool:
    """Are objects added, changed or deleted in this session (flushed or not) shown data?"""
    return any(_shown_change(session, obj, change) for change, obj in _pending(session))


def has_uncommitted_changes(session: Session) -> bool:
    """True when this session's open transaction has written (or is about to write) shown data:
    its own reads must not come from, or go into, a cache keyed by the committed version."""
    return bool(session.info.get(_CHANGED)) or _pending_shown_changes(session)


def current(session: Session) -> str:
    """The committed token (an empty string when the row is missing): the one read with this
    request's user when there is one, else read now."""
    if has_app_context() and _REMEMBERED in g:
        return g.get(_REMEMBERED) or ""
    return committed(session)


def committed(session: Session) -> str:
    """The committed token read now (not the one remembered for the request)."""
    token = session.scalar(sa.select(DataVersion.token).where(DataVersion.id == ROW_ID))
    return token or ""


def remember(token: str | None) -> None:
    """Keep the token read along with the request's user (tracker/__init__.py, load_user)."""
    setattr(g, _REMEMBERED, token or "")


class ScopeRules(Protocol):
    """What a domain package tells about its rows (tracker/directives/cache_scopes.py)."""

    def note(self, obj: object, change: str) -> Iterable[Hashable] | None:
        """While flushing ``obj`` (``change``: new, dirty, deleted): small facts to place it
        later (ids read now, while attribute history is still there), or None: not placed."""

    def scopes(self, session: Session, notes: set[Hashable]) -> set[str]:
        """Just before commit: every scope the noted rows show on."""


_rules: list[ScopeRules | None] = [None]


def register_scope_rules(rules: ScopeRules) -> None:
    _rules[0] = rules


def _dialect_insert(bind: Any):  # noqa: ANN202 - the dialect's INSERT construct
    dialect = bind.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the product runs on SQLite and PostgreSQL
        raise RuntimeError(f"unsupported database {dialect}")
    return insert


def bump_scopes(session: Session | sa.Connection, scopes: Iterable[str]) -> None:
    """New tokens for these scopes (in sorted order: concurrent writers lock rows alike)."""
    rows = [{"scope": scope, "token": secrets.token_hex(16)} for scope in sorted(set(scopes))]
    if not rows:
        return
    bind = session.get_bind() if isinstance(session, Session) else session
    statement = _dialect_insert(bind)(ScopeVersion).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=[ScopeVersion.scope], set_={"token": statement.excluded.token}
    )
    session.execute(statement)


_SCOPE_TOKENS = sa.select(ScopeVersion.scope, ScopeVersion.token).where(
    ScopeVersion.scope.in_(sa.bindparam("scopes", expanding=True))
)


def scope_tokens(session: Session, scopes: Iterable[str]) -> tuple[str, ...]:
    """The committed tokens of ``base`` and these scopes, in that order ("" when never set):
    what a page showing only those parts is cached under. One query."""
    wanted = [BASE, *scopes]
    found = dict(session.execute(_SCOPE_TOKENS, {"scopes": wanted}).tuples().all())
    return tuple(found.get(scope, "") for scope in wanted)


_PER_VERSION: dict[str, tuple[str, Any]] = {}


def per_version(session: Session, name: str, load: Callable[[], T]) -> T:
    """``load()``, kept per process under the committed data version (which every change
    moves): small, often read facts (the periods, the units' successions) are read once per
    change instead of once per request. Never shared with a transaction that has written."""
    if has_uncommitted_changes(session):
        return load()
    token = current(session)
    kept = _PER_VERSION.get(name)
    if kept is not None and kept[0] == token:
        return kept[1]
    value = load()
    _PER_VERSION[name] = (token, value)
    return value


def note_row(session: Session, obj: object) -> None:
    """A row changed by a statement the ORM does not see as a change to it (a version claim):
    place it like a flushed change."""
    _note(session, obj, "dirty", claimed=True)


def _note(session: Session, obj: object, change: str, *, claimed: bool = False) -> None:
    table = _table_of(obj)
    if not (_shown(table) if claimed else _shown_change(session, obj, change)):
        return
    session.info[_CHANGED] = True
    if table in NEUTRAL_TABLES:
        session.info.setdefault(_NOTES, set())
        return
    rules = _rules[0]
    notes = rules.note(obj, change) if rules is not None else None
    if notes is None:
        session.info[_UNPLACED] = True
    else:
        session.info.setdefault(_NOTES, set()).update(notes)


def _changed_scopes(session: Session) -> set[str]:
    notes = session.info.get(_NOTES) or set()
    rules = _rules[0]
    if session.info.get(_UNPLACED) or not notes or rules is None:
        return {BASE}
    return rules.scopes(session, notes)


def bump(session_or_connection: Session | sa.Connection, *, everything: bool = True) -> str:
    """Write a new data version token (insert the row if it is missing) and return it; with
    ``everything`` (the default, for writes the ORM does not see) ``base`` too, so that every
    cached page, scoped or not, is stale."""
    token = secrets.token_hex(16)
    values = {"id": ROW_ID, "token": token,
              "changed_at": dt.datetime.now(dt.UTC).replace(tzinfo=None)}
    if isinstance(session_or_connection, Session):
        bind, has_scopes = session_or_connection.get_bind(), True
    else:
        bind = session_or_connection
        has_scopes = sa.inspect(bind).has_table(ScopeVersion.__tablename__)
    insert = _dialect_insert(bind)
    statement = insert(DataVersion).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[DataVersion.id],
        set_={"token": token, "changed_at": values["changed_at"]},
    )
    session_or_connection.execute(statement)
    if everything and has_scopes:
        base = insert(ScopeVersion).values(scope=BASE, token=token)
        session_or_connection.execute(
            base.on_conflict_do_update(index_elements=[ScopeVersion.scope], set_={"token": token})
        )
    return token


@sa.event.listens_for(Session, "after_flush")
def _mark_flushed_changes(session: Session, _context: Any) -> None:
    # still the pre-flush collections and attribute history here
    for change, obj in _pending(session):
        _note(session, obj, change)


@sa.event.listens_for(Session, "do_orm_execute")
def _mark_bulk_changes(state: sa.orm.ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if _shown(getattr(table, "name", None)):
        state.session.info[_CHANGED] = True
        if not state.execution_options.get("row_noted"):  # errors.claim_version notes its row
            state.session.info[_UNPLACED] = True


@sa.event.listens_for(Session, "before_commit")
def _bump_before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # marks the transaction if the pending objects are shown data
    if session.info.get(_CHANGED):
        bump(session, everything=False)
        bump_scopes(session, _changed_scopes(session))
        if has_app_context():
            g.pop(_REMEMBERED, None)  # what this request remembered is stale now


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_marks(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        for key in (_CHANGED, _NOTES, _UNPLACED):
            session.info.pop(key, None)
