"""What a top-level directive's open work allows, stored on its row and kept by every write.

A top-level directive can be in an open bucket (overdue, in progress, not started, without
deadline) only through an open item it rolls up (status_sql._own_ranks): an assignment of its
own or of a sub-directive, a lead's or anyone's where nobody leads, that is neither withdrawn nor
done; or a directive of the two with no assignment at all, judged by its own deadline. Its row
keeps what those items allow (the "open key"):

- ``open_earliest`` / ``open_latest``: the earliest and the latest of their deadlines and
  extended deadlines (the deadline in force on a day is one of the two);
- ``open_undated``: one of them has no deadline;
- ``done_last``: the latest completion day of its done items: on a day before it such an item
  is not done yet (status.compute_status), so the directive may still be open then.

None of it depends on the day, so it is written with the rows it sums up, in the same
transaction: each flush notes the directives whose assignments or tree changed in a way a bucket
reads (a bulk statement on either table: all of them), and their keys are written once, just
before the transaction commits, or earlier when something reads them (``settle``). open_work.py
reads them as a superset of an open bucket (the bucket computed afterwards decides);
tests/directives/test_open_key.py checks that the stored key equals one computed afresh after
every kind of change.

Two transactions changing work of one directive at once: the second to write its key first
locks the directive's row (FOR UPDATE on PostgreSQL; SQLite writes one at a time) and then
reads the items, so it waits for the first to commit and sums up both changes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, SessionTransaction, aliased

from tracker.constants import DONE, LEAD, NOT_STARTED, WITHDRAWN
from tracker.directives.models import Assignment, Directive

# What an assignment's bucket reads besides its progress (status.compute_status and
# _own_ranks: the role decides whose work counts); a directive's parent and own deadline.
# A change made through the relationship (``assignment.directive = d``) shows in its history,
# not in the column's: the flush copies the new key into the column without one.
ASSIGNMENT_KEYS = frozenset({"state", "deadline", "extended_deadline", "completed_on", "role",
                             "directive_id", "directive"})
DIRECTIVE_KEYS = frozenset({"parent_id", "parent", "deadline"})
_TOUCHED = "tracker.open_key_touched"
_EVERY = "tracker.open_key_every"


def summaries(directive_ids: Collection[int] | None = None) -> sa.Select:
    """(key, open_earliest, open_latest, undated: 1 or 0, done_last) per top-level directive
    key (``coalesce(parent_id, id)``), of these directives' trees or of all."""
    c = aliased(Directive, name="key_c")
    a = aliased(Assignment, name="key_a")
    lead = aliased(Assignment, name="key_lead")
    none = aliased(Assignment, name="key_none")
    key = sa.func.coalesce(c.parent_id, c.id)
    whose = sa.or_(a.role == LEAD, ~sa.exists().where(lead.directive_id == c.id,
                                                        lead.role == LEAD))
    assigned = (
        sa.select(key.label("key"), a.deadline.label("due"), a.extended_deadline.label("ext"),
                  a.state.label("state"), a.completed_on.label("done_on"))
        .join(a, a.directive_id == c.id)
        .where(whose)
    )
    empty = (
        sa.select(key, c.deadline, sa.cast(sa.null(), sa.Date), sa.literal(NOT_STARTED),
                  sa.cast(sa.null(), sa.Date))
        .where(~sa.exists().where(none.directive_id == c.id))
    )
    if directive_ids is not None:
        tree = sa.or_(c.id.in_(directive_ids), c.parent_id.in_(directive_ids))
        assigned, empty = assigned.where(tree), empty.where(tree)
    items = sa.union_all(assigned, empty).subquery("key_items")
    due, ext, state = items.c.due, items.c.ext, items.c.state
    is_open = sa.or_(state.not_in((DONE, WITHDRAWN)),
                     sa.and_(state == DONE, items.c.done_on.is_(None)))
    earliest = sa.case((due.is_(None), ext), (ext.is_(None), due), (ext < due, ext), else_=due)
    latest = sa.case((due.is_(None), ext), (ext.is_(None), due), (ext > due, ext), else_=due)
    return (
        sa.select(
            items.c.key,
            sa.func.min(sa.case((is_open, earliest))).label("open_earliest"),
            sa.func.max(sa.case((is_open, latest))).label("open_latest"),
            sa.func.max(sa.case((sa.and_(is_open, due.is_(None)), 1), else_=0))
            .label("undated"),
            sa.func.max(sa.case((state == DONE, items.c.done_on))).label("done_last"),
        )
        .group_by(items.c.key)
    )


def stored(connection: sa.Connection) -> dict[int, tuple]:
    """Every directive's key as stored: {id: (open_earliest, open_latest, undated, done_last)}
    (what `flask refresh-open-keys` compares before and after, and the tests against a fresh
    computation)."""
    d = Directive.__table__.c
    rows = connection.execute(sa.select(d.id, d.open_earliest, d.open_latest, d.open_undated,
                                        d.done_last))
    return {i: (earliest, latest, bool(undated), last)
            for i, earliest, latest, undated, last in rows}


def refresh(connection: sa.Connection, directive_ids: Iterable[int] | None = None) -> None:
    """Write the open key of the top-level directives of these directives (of every directive
    without ids). A directive that became a sub-directive gets an empty key."""
    table = Directive.__table__
    if directive_ids is None:
        targets = None
    else:
        ids = sorted(set(directive_ids))
        if not ids:
            return
        tops = connection.scalars(
            sa.select(sa.func.coalesce(table.c.parent_id, table.c.id)).where(table.c.id.in_(ids))
        )
        targets = sorted({*ids, *tops})
        # Wait for a transaction writing the same keys to commit, then read what it wrote.
        connection.execute(sa.select(table.c.id).where(table.c.id.in_(targets))
                           .order_by(table.c.id).with_for_update())
    cleared = sa.update(table).values(open_earliest=None, open_latest=None, open_undated=False,
                                      done_last=None)
    connection.execute(cleared if targets is None else cleared.where(table.c.id.in_(targets)))
    sums = summaries(targets).subquery("key_sums")
    connection.execute(
        sa.update(table).where(table.c.id == sums.c.key)
        .values(open_earliest=sums.c.open_earliest, open_latest=sums.c.open_latest,
                open_undated=sums.c.undated == 1, done_last=sums.c.done_last)
    )


def _changed(obj: object, keys: frozenset[str]) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[k].history.has_changes() for k in keys)


def _ids(obj: object, column: str, relationship: str, change: str) -> list[int]:
    """The ids a key column held in this flush, before and after, set directly or through its
    relationship (both load the old value when set: ``active_history`` in models.py)."""
    state = sa.inspect(obj)
    ids = [] if change == "deleted" else [getattr(obj, column)]
    for name in (column, relationship):
        history = state.attrs[name].history
        for value in (*history.added, *history.unchanged, *history.deleted):
            ids.append(value if name == column else getattr(value, "id", None))
    return [i for i in ids if i is not None]


def touched(session: Session) -> set[int]:
    """The directives whose trees this flush changes as a bucket reads them (pre-flush
    collections and attribute history, as in ``after_flush``)."""
    ids: set[int] = set()
    for change, objects in (("new", session.new), ("dirty", session.dirty),
                            ("deleted", session.deleted)):
        for obj in objects:
            if isinstance(obj, Assignment) and (change != "dirty"
                                                or _changed(obj, ASSIGNMENT_KEYS)):
                ids.update(_ids(obj, "directive_id", "directive", change))
            elif isinstance(obj, Directive) and (change != "dirty"
                                                 or _changed(obj, DIRECTIVE_KEYS)):
                ids.update(_ids(obj, "parent_id", "parent", change))
                if obj.id is not None:
                    ids.add(obj.id)
    return ids


def _after_flush(session: Session, _context: Any) -> None:
    ids = touched(session)
    if ids:
        session.info.setdefault(_TOUCHED, set()).update(ids)


def _after_bulk(state: sa.orm.ORMExecuteState) -> Any:
    """A bulk INSERT, UPDATE or DELETE on either table (tests, data fixes): which rows it
    changed is not known here, so every key is written again."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table in (Directive.__tablename__, Assignment.__tablename__):
        state.session.info[_EVERY] = True
    return None


def settle(session: Session) -> None:
    """Write the keys this transaction's changes so far call for. Called before it commits,
    and by a reader of the keys (open_work.py) so that a transaction reads its own writes:
    once per transaction, not after each flush (the demo's seed flushes hundreds of times)."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    every = session.info.pop(_EVERY, False)
    ids = session.info.pop(_TOUCHED, None)
    if every:
        refresh(session.connection())
    elif ids:
        refresh(session.connection(), ids)


def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the whole transaction ended: rolled back, or written
        session.info.pop(_TOUCHED, None)
        session.info.pop(_EVERY, None)


def register() -> None:
    """Keep the keys with every session's writes (called once by the app factory). Before
    the page cache's own writes at commit (tracker/core/versioning.py), so that two writers
    queue on the directive rows first and on nothing else in between."""
    if not sa.event.contains(Session, "after_flush", _after_flush):
        sa.event.listen(Session, "after_flush", _after_flush)
        sa.event.listen(Session, "do_orm_execute", _after_bulk)
        sa.event.listen(Session, "before_commit", settle, insert=True)
        sa.event.listen(Session, "after_transaction_end", _forget)
