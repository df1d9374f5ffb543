"""The SQL CASE expressions agree with the pure bucket rules on every boundary case."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.directives.models import Assignment, Directive, Period
from tracker.directives.presenters import status_book
from tracker.directives.status_sql import (
    assignment_bucket,
    assignment_facts,
    directive_buckets,
    period_board,
    top_level_counts,
)
from tracker.extensions import db
from tracker.units.models import Unit

D = dt.date(2023, 3, 31)
DAY = dt.timedelta(days=1)
AS_OF_DAYS = [D - 6 * DAY, D - DAY, D, D + DAY, D + 5 * DAY, D + 30 * DAY]
STATES = ["not_started", "in_progress", "awaiting_confirmation", "done", "withdrawn"]
# The day the rules run on: a real today after every AS_OF_DAYS (each one rebuilt from the
# history, none recorded here), or the first of them (each one judged from the rows as stored).
PATHS = {"history": None, "today": AS_OF_DAYS[0]}


@pytest.fixture(params=list(PATHS))
def path(request, app) -> str:  # noqa: ANN001
    today = PATHS[request.param]
    if today is not None:
        app.config["TRACKER_TODAY"] = today.isoformat()
    return request.param


# One assignment's facts per bucket it is in on D (some of them move on later days).
ON_D = {
    "withdrawn": dict(state="withdrawn", deadline=D + 5 * DAY),
    "done_on_time": dict(state="done", deadline=D, completed_on=D - DAY, on_time=True,
                         on_time_original=True),
    "done_late": dict(state="done", deadline=D - 3 * DAY, completed_on=D - DAY, on_time=False,
                      on_time_original=False),
    "not_started": dict(state="not_started", deadline=D + 5 * DAY),
    "in_progress": dict(state="in_progress", deadline=D + 5 * DAY),
    "no_deadline": dict(state="in_progress", deadline=None),
    "overdue": dict(state="in_progress", deadline=D - 2 * DAY),
}
# Own assignments as (role, bucket on D): none, only support ones, leads beside support ones
# (the leads alone count, even when they are all withdrawn), everything withdrawn.
OWN_CASES = [
    [], [("support", "not_started")], [("support", "done_on_time"), ("support", "not_started")],
    [("lead", "withdrawn"), ("support", "done_on_time")], [("lead", "withdrawn")],
    [("lead", "not_started"), ("support", "done_late")],
    [("lead", "done_late"), ("lead", "done_on_time"), ("support", "overdue")],
    [("lead", "no_deadline"), ("lead", "done_on_time")], [("lead", "in_progress")],
    [("support", "withdrawn"), ("support", "withdrawn")],
]
# Sub-directives, each as its own assignments' buckets on D (None: withdrawn sub-directive).
CHILD_CASES = [
    [], [["not_started"]], [None], [["done_on_time"], ["done_late"]], [[]],
    [["withdrawn"], None], [["no_deadline"], ["done_on_time"]], [["overdue", "not_started"]],
]


def _assignment_variants() -> list[dict]:
    """Every state × deadline × completion day × frozen flag × extension timing."""
    variants = []
    completions = [None, D - DAY, D, D + DAY, D + 12 * DAY]
    extensions = [(None, None), (D + 10 * DAY, D - 5 * DAY), (D + 10 * DAY, D + 3 * DAY),
                  (D + 10 * DAY, None)]
    flags = [None, True, False]
    for state, deadline, completed, (ext, approved), flag in itertools.product(
        STATES, [None, D], completions, extensions, flags
    ):
        if state != "done" and (completed is not None or flag is not None):
            continue
        variants.append(dict(
            state=state, deadline=deadline, completed_on=completed, extended_deadline=ext,
            extension_approved_on=approved, on_time=flag,
            on_time_original=None if flag is None else (not flag if ext else flag),
        ))
    return variants


def _build(session) -> None:
    rng = random.Random(20230405)
    units = [Unit(code=f"U{i}", name=f"Đơn vị {i}", kind="department") for i in range(4)]
    period = Period(year=2023, month=3)
    session.add_all([*units, period])
    session.flush()
    counter = itertools.count(1)

    def directive(parent=None, deadline=D, withdrawn=False) -> Directive:
        n = next(counter)
        d = Directive(
            period_id=period.id, parent=parent, number=str(n), position=n, title=f"Nhiệm vụ {n}",
            field="chi_dao", deadline=deadline,
            withdrawn_at=dt.datetime(2023, 3, 20) if withdrawn else None,
        )
        session.add(d)
        return d

    variants = _assignment_variants()
    # One leaf directive per variant: the assignment rule alone.
    for v in variants:
        directive().assignments.append(Assignment(unit=units[0], role="lead", **v))
    # Directives with no assignment: their own deadline decides.
    for deadline in (None, D - DAY, D, D + DAY):
        directive(deadline=deadline)
    directive(withdrawn=True)
    # Mixed groups: lead and support, no lead at all, withdrawn directives.
    for i in range(150):
        d = directive(withdrawn=(i % 25 == 0))
        for unit in rng.sample(units, rng.randint(1, 4)):
            d.assignments.append(
                Assignment(unit=unit, role=rng.choice(["lead", "support"]), **rng.choice(variants))
            )
    # Every own case with every set of sub-directives, under a parent withdrawn or not.
    for own, kids, withdrawn in itertools.product(OWN_CASES, CHILD_CASES, (False, True)):
        if withdrawn and (own or kids) and len(own) + len(kids) != 2:
            continue
        parent = directive(withdrawn=withdrawn)
        for unit, (role, bucket) in zip(units, own, strict=False):
            parent.assignments.append(Assignment(unit=unit, role=role, **ON_D[bucket]))
        for kid in kids:
            child = directive(parent=parent, withdrawn=kid is None, deadline=D + DAY)
            for unit, bucket in zip(units, kid or [], strict=False):
                child.assignments.append(Assignment(unit=unit, role="lead", **ON_D[bucket]))
    # Parents rolling up from sub-directives (some of them withdrawn or without assignments).
    for i in range(80):
        parent = directive(withdrawn=(i % 20 == 0))
        if i % 3 == 0:
            parent.assignments.append(
                Assignment(unit=units[1], role="lead", **rng.choice(variants))
            )
        for _ in range(rng.randint(1, 3)):
            child = directive(parent=parent, withdrawn=rng.random() < 0.15,
                              deadline=rng.choice([None, D, D + 2 * DAY]))
            for unit in rng.sample(units, rng.randint(0, 3)):
                child.assignments.append(
                    Assignment(unit=unit, role=rng.choice(["lead", "lead", "support"]),
                               **rng.choice(variants))
                )
    session.commit()


def test_sql_buckets_match_pure_rules(app, path):
    _build(db.session)
    directives = db.session.scalars(
        sa.select(Directive).options(
            selectinload(Directive.assignments).selectinload(Assignment.directive),
            selectinload(Directive.children).selectinload(Directive.assignments),
        )
    ).all()
    assignments = [a for d in directives for a in d.assignments]
    period_id = directives[0].period_id
    assert len(assignments) > 500
    seen_assignment, seen_directive = set(), set()
    for as_of, against in itertools.product(AS_OF_DAYS, ["extended", "original"]):
        book = status_book(directives, as_of, against)
        expr = assignment_bucket(as_of, against)
        sql = dict(db.session.execute(
            sa.select(Assignment.id, expr).join(Directive, Directive.id == Assignment.directive_id)
        ).all())
        facts = assignment_facts(as_of, against)
        counted = dict(db.session.execute(sa.select(facts.c.id, facts.c.bucket)).all())
        assert counted == sql
        for a in assignments:
            pure = book.assignment(a).bucket.value
            assert sql[a.id] == pure, (a.id, as_of, against)
            seen_assignment.add(pure)
        for scope in (None, period_id):
            sub = directive_buckets(as_of, against, period_id=scope)
            sql_d = dict(db.session.execute(sa.select(sub.c.directive_id, sub.c.bucket)).all())
            assert len(sql_d) == len(directives)
            for d in directives:
                pure = book.directive(d).bucket.value
                assert sql_d[d.id] == pure, (d.id, d.number, as_of, against)
                seen_directive.add(pure)
    # The cases cover every bucket, for assignments and for directives.
    everything = {"done_on_time", "done_late", "in_progress", "not_started", "overdue",
                  "no_deadline", "withdrawn"}
    assert seen_assignment == everything
    assert seen_directive == everything


def test_period_scope_leaves_other_periods_out(app):
    _build(db.session)
    other = Period(year=2023, month=4)
    db.session.add(other)
    db.session.flush()
    db.session.add(Directive(period_id=other.id, number="1", title="Khác", field="chi_dao"))
    db.session.commit()
    march = db.session.scalar(sa.select(Period.id).where(Period.month == 3))
    sub = directive_buckets(D, period_id=march)
    ids = db.session.scalars(sa.select(sub.c.directive_id)).all()
    periods = set(db.session.scalars(sa.select(Directive.period_id).where(Directive.id.in_(ids))))
    assert periods == {march}


def test_scoped_shapes_bind_their_ids_and_agree_with_the_whole(app, path):
    """directive_ids and unit_ids narrow the compiled shapes without changing any bucket; a
    shape is compiled once and bound again for another day or other ids."""
    from tracker.directives import sql_shapes

    _build(db.session)
    unit_ids = db.session.scalars(sa.select(Unit.id).order_by(Unit.id)).all()
    top = db.session.scalars(
        sa.select(Directive.id).where(Directive.parent_id.is_(None)).order_by(Directive.id)
    ).all()
    for as_of, against in itertools.product(AS_OF_DAYS, ["extended", "original"]):
        everything = directive_buckets(as_of, against)
        whole = dict(db.session.execute(
            sa.select(everything.c.directive_id, everything.c.bucket)).all())
        facts = assignment_facts(as_of, against)
        all_facts = {row.id: row for row in db.session.execute(sa.select(facts)).all()}
        for picked in (top[::7], top[3:5], []):
            sub = directive_buckets(as_of, against, directive_ids=picked)
            got = dict(db.session.execute(sa.select(sub.c.directive_id, sub.c.bucket)).all())
            children = set(db.session.scalars(
                sa.select(Directive.id).where(Directive.parent_id.in_(picked))))
            assert set(got) == set(picked) | children
            assert all(whole[i] == bucket for i, bucket in got.items())
        for units in (unit_ids[:1], unit_ids[1:3], []):
            scoped = assignment_facts(as_of, against, unit_ids=units, name="scoped")
            rows = db.session.execute(sa.select(scoped.c.id, scoped.c.unit_id,
                                                scoped.c.bucket)).all()
            assert {r.id for r in rows} == {i for i, r in all_facts.items() if r.unit_id in units}
            assert all(all_facts[r.id].bucket == r.bucket for r in rows)
    shapes = len(sql_shapes._SHAPES)
    directive_buckets(D + DAY, "original", directive_ids=top[:2])
    assert len(sql_shapes._SHAPES) == shapes


def test_period_board_counts_what_the_separate_statements_count(app, path):
    """period_board (the dashboard's one statement) = directive_buckets per field of the
    top-level directives + assignment_facts per unit, every day and deadline."""
    _build(db.session)
    period_id = db.session.scalar(sa.select(Period.id))
    for as_of, against in itertools.product(AS_OF_DAYS, ["extended", "original"]):
        board = period_board(as_of, against, period_id=period_id)
        rows = db.session.execute(sa.select(board)).all()
        per_field = {(r.field, r.bucket): r.n for r in rows if r.unit_id is None}
        per_unit = {(r.unit_id, r.bucket): r.n for r in rows if r.unit_id is not None}
        sub = directive_buckets(as_of, against, period_id=period_id)
        assert per_field == {(f, b): n for f, b, n in db.session.execute(
            sa.select(Directive.field, sub.c.bucket, sa.func.count())
            .join(sub, sub.c.directive_id == Directive.id)
            .where(Directive.parent_id.is_(None))
            .group_by(Directive.field, sub.c.bucket)
        ).all()}, (as_of, against)
        facts = assignment_facts(as_of, against, period_id=period_id)
        assert per_unit == {(u, b): n for u, b, n in db.session.execute(
            sa.select(facts.c.unit_id, facts.c.bucket, sa.func.count())
            .group_by(facts.c.unit_id, facts.c.bucket)
        ).all()}, (as_of, against)


def test_top_level_counts_count_the_top_level_buckets(app, path):
    """top_level_counts = directive_buckets of the top-level directives counted per bucket."""
    _build(db.session)
    period_id = db.session.scalar(sa.select(Period.id))
    for as_of, against in itertools.product(AS_OF_DAYS, ["extended", "original"]):
        for scope in (None, period_id):
            counts = top_level_counts(as_of, against, period_id=scope)
            got = dict(db.session.execute(sa.select(counts.c.bucket, counts.c.n)).all())
            sub = directive_buckets(as_of, against, period_id=scope)
            assert got == dict(db.session.execute(
                sa.select(sub.c.bucket, sa.func.count())
                .join(Directive, Directive.id == sub.c.directive_id)
                .where(Directive.parent_id.is_(None))
                .group_by(sub.c.bucket)
            ).all()), (as_of, against, scope)
