"""seed-demo is idempotent; the migrations build an empty database that matches the models."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from tests.conftest import build_app, make_database
from tracker.demo.accounts import DEMO_USERS
from tracker.demo.progress import DEMO_OFFICERS
from tracker.extensions import db


def _row_counts() -> dict[str, int]:
    return {
        t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
        for t in db.metadata.sorted_tables
    }


def test_seed_demo_twice_gives_same_rows(runner, app):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = _row_counts()
    assert counts["unit"] == 31
    # The 7 accounts of the README plus one officer per unit that reports in the demo.
    assert counts["user"] == len(DEMO_USERS) + len(DEMO_OFFICERS)
    assert counts["directive"] == 17  # 15 tasks, item 6 with two sub-items
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert _row_counts() == counts
    assert "Demo@TraVinh2023" in first.output


def test_migration_upgrades_empty_database_and_matches_models(tmp_path):
    url, drop = make_database(tmp_path)
    try:
        app = build_app(url, tmp_path)
        with app.app_context():
            upgrade()
            # as `flask db migrate` compares: without the text index, which is no model
            opts = {
                "compare_type": True,
                "include_name": app.extensions["migrate"].configure_args["include_name"],
            }
            with db.engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn, opts=opts), db.metadata)
                tables = set(sa.inspect(conn).get_table_names())
            db.engine.dispose()
        assert diff == [], diff
        assert {"unit", "user", "directive", "assignment", "progress_update"} <= tables
        assert "alembic_version" in tables
    finally:
        drop()


def test_period_kind_migration_keeps_months_and_admits_quarters(tmp_path):
    """0003_period_kind: existing periods become months; a quarter beside its first month fits."""
    from flask_migrate import downgrade

    url, drop = make_database(tmp_path)
    try:
        app = build_app(url, tmp_path)
        with app.app_context():
            upgrade(revision="0002")
            with db.engine.begin() as conn:
                conn.execute(sa.text("INSERT INTO period (id, year, month) VALUES (1, 2023, 3)"))
                conn.execute(sa.text("INSERT INTO period (id, year, month) VALUES (2, 2025, 10)"))
            upgrade(revision="0003_period_kind")
            with db.engine.begin() as conn:
                kinds = conn.execute(sa.text("SELECT id, kind FROM period ORDER BY id")).all()
                assert [tuple(row) for row in kinds] == [(1, "month"), (2, "month")]
                conn.execute(sa.text(
                    "INSERT INTO period (id, year, month, kind) VALUES (3, 2025, 10, 'quarter')"
                ))
            for bad in ("(4, 2025, 10, 'quarter')", "(5, 2025, 1, 'week')"):
                try:
                    with db.engine.begin() as conn:
                        conn.execute(sa.text(
                            f"INSERT INTO period (id, year, month, kind) VALUES {bad}"
                        ))
                except sa.exc.IntegrityError:
                    pass
                else:
                    raise AssertionError(f"{bad} was accepted")
            with db.engine.begin() as conn:
                conn.execute(sa.text("DELETE FROM period WHERE kind <> 'month'"))
            downgrade(revision="0002")
            with db.engine.connect() as conn:
                rows = conn.execute(sa.text("SELECT id, year, month FROM period ORDER BY id"))
                assert [tuple(row) for row in rows] == [(1, 2023, 3), (2, 2025, 10)]
            db.engine.dispose()
    finally:
        drop()


def test_notifications_migration_keeps_the_demo_and_goes_back(tmp_path):
    """Down to 0002 and up again on a database holding the demo: the new tables and column go
    and come back, every existing user then gets e-mail for each event, nothing else moves."""
    from flask_migrate import downgrade

    from tracker.demo.seed import seed_demo

    url, drop = make_database(tmp_path)
    try:
        app = build_app(url, tmp_path)
        with app.app_context():
            upgrade()
            seed_demo()
            db.session.commit()
            users = db.session.execute(sa.text("SELECT COUNT(*) FROM \"user\"")).scalar()
            db.session.remove()  # no transaction of ours may hold a lock the migration needs
            downgrade(revision="0002")
            inspector = sa.inspect(db.engine)
            assert "notification" not in inspector.get_table_names()
            assert "event_mail" not in {c["name"] for c in inspector.get_columns("user")}
            upgrade()
            with db.engine.connect() as conn:
                modes = conn.execute(sa.text("SELECT DISTINCT event_mail FROM \"user\"")).all()
                count = conn.execute(sa.text("SELECT COUNT(*) FROM \"user\"")).scalar()
                notices = conn.execute(sa.text("SELECT COUNT(*) FROM notification")).scalar()
            assert modes == [("each_event",)] and count == users > 0 and notices == 0
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
