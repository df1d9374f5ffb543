"""Each top-level directive's stored open key (tracker/directives/open_key.py) equals the one
computed afresh from its work, after every kind of change, in the transaction that made it, with
two writers at once, and as the migration fills it."""

from __future__ import annotations

import datetime as dt
import importlib.util
import threading
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.directives.test_status_sql import _build
from tracker.directives import open_key
from tracker.directives.models import Assignment, Directive
from tracker.extensions import db

DAY = dt.timedelta(days=1)
MIGRATION = (Path(__file__).resolve().parents[2] / "migrations" / "versions"
             / "0014_directive_open_key.py")


_stored = open_key.stored


def _fresh(connection: sa.Connection) -> dict[int, tuple]:
    """Every directive's key computed now from its work (sub-directives: empty)."""
    keys = {i: (None, None, False, None)
            for i in connection.scalars(sa.select(Directive.__table__.c.id))}
    for key, e, l_, undated, last in connection.execute(open_key.summaries()):
        keys[key] = (e, l_, undated == 1, last)
    return keys


def _assert_kept() -> None:
    open_key.settle(db.session())  # what a reader of the keys does first (open_work.values)
    connection = db.session.connection()
    assert _stored(connection) == _fresh(connection)


def _one(*where) -> Assignment:
    return db.session.scalars(sa.select(Assignment).where(*where).order_by(Assignment.id)).first()


def test_the_keys_follow_every_kind_of_change(app):
    _build(db.session)
    db.session.commit()
    _assert_kept()
    stored = _stored(db.session.connection())
    assert any(k[0] for k in stored.values()) and any(k[2] for k in stored.values())
    assert any(k[3] for k in stored.values())

    open_lead = _one(Assignment.role == "lead", Assignment.state == "in_progress",
                     Assignment.deadline.is_not(None))
    open_lead.deadline -= 40 * DAY  # the deadline moves
    db.session.flush()
    _assert_kept()  # within the transaction that wrote it
    open_lead.extended_deadline = open_lead.deadline + 90 * DAY
    open_lead.extension_approved_on = open_lead.deadline
    db.session.commit()
    _assert_kept()

    open_lead.state, open_lead.completed_on = "done", open_lead.deadline  # completed
    db.session.commit()
    _assert_kept()
    open_lead.completed_on = None  # done without a day: still open
    db.session.commit()
    _assert_kept()

    support = _one(Assignment.role == "support", Assignment.state == "not_started")
    support.role = "lead"  # whose work counts changes
    db.session.commit()
    _assert_kept()

    withdrawn = _one(Assignment.state.in_(("not_started", "in_progress")),
                     Assignment.deadline.is_(None))
    if withdrawn is not None:
        withdrawn.state = "withdrawn"
        db.session.commit()
        _assert_kept()

    # Work taken away, work added to a directive without any.
    gone = _one(Assignment.state == "in_progress")
    db.session.delete(gone)
    db.session.commit()
    _assert_kept()
    empty = db.session.scalars(sa.select(Directive).where(~Directive.assignments.any())
                               .order_by(Directive.id)).first()
    empty.deadline = None  # judged by its own deadline: none
    db.session.commit()
    _assert_kept()
    db.session.add(Assignment(directive=empty, unit_id=gone.unit_id, role="lead",
                              state="not_started", deadline=dt.date(2023, 5, 2)))
    db.session.commit()
    _assert_kept()

    # A sub-directive moved to another parent, then made top-level, then deleted.
    child = db.session.scalars(sa.select(Directive).where(Directive.parent_id.is_not(None))
                               .order_by(Directive.id)).first()
    other_top = db.session.scalars(
        sa.select(Directive).where(Directive.parent_id.is_(None),
                                   Directive.id != child.parent_id)
        .order_by(Directive.id.desc())).first()
    child.parent = other_top
    db.session.commit()
    _assert_kept()
    child.parent = None
    db.session.commit()
    _assert_kept()
    assert _stored(db.session.connection())[child.id] != (None, None, False, None)
    child.parent = other_top
    db.session.commit()
    _assert_kept()
    db.session.delete(child)
    db.session.commit()
    _assert_kept()

    # A new directive with its work, in one flush.
    top = Directive(period_id=other_top.period_id, number="99", position=99, title="Mới",
                    field="chi_dao", deadline=dt.date(2023, 4, 30))
    sub = Directive(period_id=other_top.period_id, number="99.1", position=100, title="Con",
                    field="chi_dao", parent=top)
    sub.assignments.append(Assignment(unit_id=gone.unit_id, role="lead", state="in_progress",
                                      deadline=dt.date(2023, 4, 20)))
    db.session.add_all([top, sub])
    db.session.commit()
    _assert_kept()
    # the sub-directive's work, and the top-level one's own deadline (it has no work of its own)
    assert _stored(db.session.connection())[top.id][:3] == (dt.date(2023, 4, 20),
                                                           dt.date(2023, 4, 30), False)

    # A bulk statement: which rows it changed is not known, every key is written again.
    db.session.execute(sa.update(Assignment).where(Assignment.state == "not_started")
                       .values(deadline=None))
    _assert_kept()
    db.session.commit()
    _assert_kept()


def test_progress_alone_writes_no_key(app):
    """A report that moves only the percent leaves the directive row alone."""
    _build(db.session)
    db.session.commit()
    written: list[str] = []

    def watch(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("UPDATE DIRECTIVE"):
            written.append(statement)

    work = _one(Assignment.state == "in_progress")
    sa.event.listen(db.engine, "before_cursor_execute", watch)
    try:
        work.percent = 77
        db.session.commit()
        assert written == []
        work.state = "awaiting_confirmation"
        db.session.commit()
        assert written
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", watch)
    _assert_kept()


def test_two_writers_on_one_directive_both_count(app):
    """Two transactions change work of the same directive at once: the key sums up both (the
    second to write its key waits for the first to commit before reading the work)."""
    _build(db.session)
    db.session.commit()
    directive_id, first_id, second_id = db.session.execute(
        sa.select(Assignment.directive_id, sa.func.min(Assignment.id), sa.func.max(Assignment.id))
        .where(Assignment.role == "lead", Assignment.state.in_(("not_started", "in_progress")))
        .group_by(Assignment.directive_id).having(sa.func.count() > 1)
        .order_by(Assignment.directive_id)
    ).first()
    db.session.remove()
    engine = db.engine
    one, two = Session(engine), Session(engine)
    try:
        one.get(Assignment, first_id).deadline = dt.date(2020, 1, 1)
        open_key.settle(one)  # the first has written its key (the row locked), not committed
        failures: list[BaseException] = []

        def second() -> None:
            try:
                two.get(Assignment, second_id).deadline = dt.date(2030, 1, 1)
                two.commit()
            except BaseException as exc:  # reported below
                failures.append(exc)

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive() and not failures  # the second one waits for the first
        one.commit()
        thread.join(30)
        assert not thread.is_alive() and not failures
    finally:
        one.close()
        two.close()
    with engine.connect() as connection:
        stored = _stored(connection)
        assert stored == _fresh(connection)
        assert stored[directive_id][:2] == (dt.date(2020, 1, 1), dt.date(2030, 1, 1))


def test_the_migration_fills_the_keys_by_the_same_rule(app):
    _build(db.session)
    db.session.commit()
    connection = db.session.connection()
    expected = _stored(connection)
    connection.execute(sa.update(Directive.__table__).values(
        open_earliest=None, open_latest=None, open_undated=False, done_last=None))
    spec = importlib.util.spec_from_file_location("migration_0014", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    migration.fill(connection)
    assert _stored(connection) == expected
    db.session.rollback()


def test_the_command_mends_keys_changed_outside_the_application(app, runner):
    """SQL run by hand moves a deadline past the keys; `flask refresh-open-keys` writes them
    again, and the overdue list over every period finds the directive again."""
    from tracker.core import versioning
    from tracker.directives.open_work import AS_OF_PARAM, may_be_in
    from tracker.directives.status import Bucket

    _build(db.session)
    db.session.commit()
    lead = _one(Assignment.role == "lead", Assignment.state == "in_progress",
                Assignment.deadline.is_not(None))
    top = lead.directive.parent_id or lead.directive_id
    past = dt.date(2000, 1, 3)
    connection = db.session.connection()
    connection.execute(sa.update(Assignment.__table__)  # behind the ORM's back
                       .where(Assignment.__table__.c.id == lead.id)
                       .values(deadline=past, extended_deadline=None))
    db.session.commit()
    version = versioning.committed(db.session())

    def overdue_candidates() -> set[int]:
        cut = may_be_in(Bucket.OVERDUE, Directive)
        return set(db.session.scalars(sa.select(Directive.id).where(cut),
                                      {AS_OF_PARAM: dt.date(2000, 2, 1)}))

    assert top not in overdue_candidates()  # the stale key hides it
    result = runner.invoke(args=["refresh-open-keys"])
    assert result.exit_code == 0, result.output
    assert "1 nhiệm vụ có khóa sai đã được sửa" in result.output
    db.session.expire_all()
    assert _stored(db.session.connection()) == _fresh(db.session.connection())
    assert top in overdue_candidates()
    assert versioning.committed(db.session()) != version  # cached pages dropped

    again = runner.invoke(args=["refresh-open-keys"])
    assert "0 nhiệm vụ có khóa sai" in again.output
