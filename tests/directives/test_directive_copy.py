"""Each assignment's copy of its directive's period and withdrawal (migration 0017's triggers)
equals the directive's after every kind of change, and a unit's facts read from the copy count
what the facts joined to the directive count, today and as of past days."""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
from pathlib import Path

import sqlalchemy as sa

from tests.directives.test_status_sql import AS_OF_DAYS, PATHS, _build
from tracker.core.periods import PeriodKey
from tracker.directives import services
from tracker.directives.models import Assignment, Directive, Period
from tracker.directives.status_sql import assignment_facts
from tracker.extensions import db
from tracker.units.models import Unit

MIGRATION = (Path(__file__).resolve().parents[2] / "migrations" / "versions"
             / "0017_assignment_directive_copy.py")
COPY = Assignment.__table__.c  # period_id and directive_withdrawn_at are not mapped


def _mismatches() -> list[tuple]:
    """Assignments whose copy differs from their directive's values (none, ever)."""
    return db.session.execute(
        sa.select(COPY.id, COPY.period_id, Directive.period_id,
                  COPY.directive_withdrawn_at, Directive.withdrawn_at)
        .join(Directive, Directive.id == COPY.directive_id)
        .where(sa.or_(COPY.period_id.is_(None),
                      COPY.period_id != Directive.period_id,
                      sa.and_(COPY.directive_withdrawn_at.is_(None),
                              Directive.withdrawn_at.is_not(None)),
                      sa.and_(COPY.directive_withdrawn_at.is_not(None),
                              Directive.withdrawn_at.is_(None)),
                      COPY.directive_withdrawn_at != Directive.withdrawn_at))
    ).all()


def _open_directive_with_work() -> Directive:
    return db.session.scalars(
        sa.select(Directive).where(Directive.parent_id.is_(None),
                                   Directive.withdrawn_at.is_(None),
                                   Directive.assignments.any(),
                                   Directive.children.any())
        .order_by(Directive.id)).first()


def test_the_copy_follows_every_change_of_directive_or_assignment(app):
    _build(db.session)
    db.session.commit()
    assert _mismatches() == []
    assert db.session.scalar(sa.select(sa.func.count()).where(
        COPY.directive_withdrawn_at.is_not(None))) > 0

    # Withdrawn through the service, with its sub-directives: seen within the transaction.
    withdrawn = _open_directive_with_work()
    services.withdraw_directive(withdrawn, "Không còn phù hợp")
    db.session.flush()
    assert _mismatches() == []
    db.session.commit()
    assert _mismatches() == []

    # Moved to another period through the edit form's service, sub-directives with it.
    moved = _open_directive_with_work()
    data = services.DirectiveInput(
        number="501", title=moved.title, text=moved.text or "", field=moved.field,
        deadline=moved.deadline, leader_id=None, parent_id=None, period=PeriodKey(2023, 4),
    )
    services.update_directive(moved, data)
    db.session.commit()
    april = db.session.scalar(sa.select(Period.id).where(Period.month == 4))
    assert db.session.scalar(sa.select(sa.func.count()).where(COPY.period_id == april)) > 0
    assert _mismatches() == []

    # An assignment given to another directive, and a new one.
    assignment = db.session.scalars(sa.select(Assignment).order_by(Assignment.id)).first()
    target = db.session.scalars(
        sa.select(Directive).where(Directive.withdrawn_at.is_not(None),
                                   ~Directive.assignments.any(Assignment.unit_id
                                                              == assignment.unit_id))
        .order_by(Directive.id)).first()
    assignment.directive = target
    newcomer = Unit(code="U9", name="Đơn vị mới", kind="ward")
    db.session.add(Assignment(directive=moved, unit=newcomer, role="support",
                              state="not_started"))
    db.session.commit()
    assert _mismatches() == []

    # Statements written by hand: the database keeps the copy, no Python runs.
    db.session.execute(sa.update(Directive).where(Directive.id == moved.id)
                       .values(withdrawn_at=dt.datetime(2023, 4, 2, 8, 30)))
    db.session.execute(sa.update(Directive).where(Directive.withdrawn_at.is_not(None),
                                                  Directive.id != moved.id)
                       .values(withdrawn_at=None))
    assert _mismatches() == []
    db.session.commit()
    assert _mismatches() == []


def test_a_units_facts_from_the_copy_count_what_the_join_counts(app):
    """assignment_facts narrowed to units reads the copy today; narrowed otherwise, or not at
    all, it joins the directive. After directives are withdrawn and moved, both agree."""
    _build(db.session)
    db.session.commit()
    services.withdraw_directive(_open_directive_with_work(), "Không còn phù hợp")
    april = Period(year=2023, month=4)
    db.session.add(april)
    db.session.flush()
    _open_directive_with_work().period_id = april.id
    db.session.commit()
    unit_ids = db.session.scalars(sa.select(Unit.id).order_by(Unit.id)).all()
    seen: set[tuple[bool, str]] = set()
    for today in PATHS.values():
        if today is not None:
            app.config["TRACKER_TODAY"] = today.isoformat()
        for as_of, against in itertools.product(AS_OF_DAYS, ["extended", "original"]):
            facts = assignment_facts(as_of, against)
            joined = {row.id: tuple(row) for row in db.session.execute(sa.select(facts))}
            for units in (unit_ids[:1], unit_ids[1:]):
                scoped = assignment_facts(as_of, against, unit_ids=units, name="unit")
                rows = {row.id: tuple(row) for row in db.session.execute(sa.select(scoped))}
                assert rows == {i: row for i, row in joined.items() if row[3] in units}
                seen |= {(row[2] == april.id, row[5]) for row in rows.values()}
    assert (True, "not_started") in seen  # the moved directive's work, in April
    assert {"withdrawn", "overdue", "done_late"} <= {bucket for _, bucket in seen}


def test_the_migration_fills_the_copy_and_goes_back(app):
    """0017 fills the copy of existing rows; its downgrade removes the columns and triggers,
    its upgrade puts them back, and the triggers work again."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    _build(db.session)
    db.session.commit()
    spec = importlib.util.spec_from_file_location("m0017", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with db.engine.begin() as connection:
        context = MigrationContext.configure(connection)
        with Operations.context(context):
            migration.downgrade()
            columns = {c["name"] for c in sa.inspect(connection).get_columns("assignment")}
            assert "period_id" not in columns and "directive_withdrawn_at" not in columns
            migration.upgrade()
    db.session.remove()
    assert _mismatches() == []
    services.withdraw_directive(_open_directive_with_work(), "Không còn phù hợp")
    db.session.commit()
    assert _mismatches() == []
