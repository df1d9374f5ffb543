"""A request that only read skips the commit; anything that wrote still commits. Facts kept per
data version are read again after any change and never shared with a transaction that wrote."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tracker.core import uow, versioning
from tracker.core.models import DataVersion
from tracker.directives import queries
from tracker.directives.models import Directive, Period
from tracker.extensions import db
from tracker.units.models import Unit


def _fresh() -> sa.orm.Session:
    db.session.remove()
    return db.session()


def test_reads_alone_do_not_need_a_commit(app, demo):
    session = _fresh()
    assert not uow.has_written(session)  # no transaction at all
    session.scalar(sa.select(sa.func.count(Unit.id)))
    session.execute(sa.text("WITH u AS (SELECT id FROM unit) SELECT count(*) FROM u")).all()
    assert not session.new and not session.dirty
    assert not uow.has_written(session)


def test_every_kind_of_write_needs_the_commit(app, demo):
    unit_id = _fresh().scalar(sa.select(Unit.id).limit(1))
    writes = [
        lambda s: s.execute(sa.update(Unit).where(Unit.id == unit_id).values(email="a@b.vn")),
        lambda s: s.execute(sa.text("UPDATE unit SET email = 'c@d.vn' WHERE id = :id"),
                            {"id": unit_id}),
        lambda s: s.execute(sa.text(
            "WITH x AS (SELECT id FROM unit WHERE id = :id) "
            "UPDATE unit SET email = 'e@f.vn' WHERE id IN (SELECT id FROM x)"), {"id": unit_id}),
        lambda s: setattr(s.get(Unit, unit_id), "email", "g@h.vn"),  # dirty, not flushed
        lambda s: s.add(DataVersion(id=999, token="x")),  # new, not flushed
        lambda s: uow.after_commit(lambda: None),
    ]
    for write in writes:
        session = _fresh()
        session.scalar(sa.select(Unit.id).limit(1))
        write(session)
        assert uow.has_written(session), write
        session.rollback()


def test_a_page_view_leaves_the_data_as_it_was_and_a_form_still_saves(client, demo, auth):
    auth.login("vanphong")
    before = _fresh().scalar(sa.select(DataVersion.token))
    assert client.get("/").status_code == 200
    assert client.get("/dashboard").status_code == 200
    assert _fresh().scalar(sa.select(DataVersion.token)) == before
    # signing out writes (a new session token): it still commits after the read-only pages
    token = sa.text("SELECT session_token FROM \"user\" WHERE username = 'vanphong'")
    signed_in = _fresh().scalar(token)
    assert auth.logout().status_code in (302, 303)
    assert _fresh().scalar(token) != signed_in


def test_periods_are_read_again_after_a_change(app, demo):
    session = _fresh()
    keys = {row.ref.key for row in queries.period_rows()}
    assert "2023-03" in keys and "2031-01" not in keys
    period = Period(year=2031, month=1)
    session.add(period)
    session.flush()
    session.add(Directive(period_id=period.id, number="1", position=1, title="Mới",
                          text="Mới", search_text="moi", field="kinh_te"))
    session.flush()  # in this transaction, not committed
    assert versioning.has_uncommitted_changes(session)
    assert "2031-01" in {row.ref.key for row in queries.period_rows()}  # never the kept list
    uow.commit()
    session = _fresh()
    assert "2031-01" in {row.ref.key for row in queries.period_rows()}
    assert [r.id for r in queries.period_rows()] == [
        p.id for p in queries.periods_with_directives()
    ]


def test_page_reads_keep_their_prepared_statements_on_postgresql(client, demo, auth):
    """psycopg prepares a statement run five times on a connection and forgets them all at a
    ROLLBACK: a read request ends with a COMMIT there, so the server stops planning the same
    page's statements anew on every request (and the data stays as it was)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    demo.extensions.pop("page_cache", None)  # the page computed each time
    auth.login("vanphong")
    before = _fresh().scalar(sa.select(DataVersion.token))
    db.session.remove()
    db.engine.dispose()  # one connection from here on: every request and the check share it
    for _ in range(6):
        assert client.get("/dashboard").status_code == 200
    with db.engine.connect() as connection:
        prepared = connection.scalars(sa.text("SELECT statement FROM pg_prepared_statements"))
        statements = list(prepared)
    assert any("period_board" in statement for statement in statements), statements  # the page's
    assert _fresh().scalar(sa.select(DataVersion.token)) == before
