"""The benchmark's data generator at a tiny scale, so `make bench` does not rot unnoticed."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from bench.generate import BASE_COUNTS, BENCH_TODAY, counts_for, generate, synthetic_roles
from tracker.auth.models import User
from tracker.directives.models import Assignment, Directive, ProgressUpdate
from tracker.extensions import db
from tracker.units.models import Unit


def test_generator_writes_the_planned_rows_and_a_usable_dataset(app: Flask, auth) -> None:
    written = generate(db.engine, 0.002, log=lambda _msg: None)
    planned = counts_for(0.002)
    if db.engine.dialect.name == "postgresql":
        # VACUUM left the pages all-visible, as autovacuum keeps a live database's: no open
        # transaction of the generator held it back (else no index-only scan is planned)
        visible = db.session.execute(sa.text(
            "SELECT relname, relpages, relallvisible FROM pg_class "
            "WHERE relname IN ('assignment', 'directive')")).tuples().all()
        assert visible and all(pages > 0 and seen == pages for _, pages, seen in visible)

    for table, expected in planned.items():
        found = db.session.scalar(sa.text(f'SELECT count(*) FROM "{table}"'))
        assert found == expected == written[table], table
    assert written["period"] == 120
    # a province has a dozen leaders and many officers, not the other way round
    roles = dict(
        db.session.execute(sa.select(User.role, sa.func.count()).group_by(User.role)).all()
    )
    assert roles["leader"] == 2 + synthetic_roles(planned["user"] - 7).count("leader")
    at_full_scale = synthetic_roles(BASE_COUNTS["user"] - 7)
    assert at_full_scale.count("leader") == 12
    assert at_full_scale.count("officer") > 1900

    # a lead assignment per directive, no unit twice on one directive
    leads = db.session.scalar(
        sa.select(sa.func.count()).select_from(Assignment).where(Assignment.role == "lead")
    )
    assert leads == planned["directive"]
    # finished work carries its completion facts; nothing completes after "today"
    done = db.session.scalars(sa.select(Assignment).where(Assignment.state == "done")).all()
    assert done and all(a.completed_on and a.completed_on < BENCH_TODAY for a in done)
    assert all(a.on_time is not None for a in done)
    # sub-directives belong to a directive of the same period
    children = db.session.scalars(
        sa.select(Directive).where(Directive.parent_id.is_not(None))
    ).all()
    assert all(c.parent.period_id == c.period_id for c in children)
    # the ORM reads the bulk-written dates back as dates
    update = db.session.scalars(sa.select(ProgressUpdate).limit(1)).one()
    assert update.created_at.year >= 2016
    assert db.session.scalar(sa.select(Unit.id).where(Unit.code == "P9"))

    # the demo accounts log in with the demo password, and new rows get fresh ids
    assert auth.login("chutich").status_code == 302
    db.session.add(Unit(code="NEW", name="Đơn vị mới", kind="department"))
    db.session.commit()
