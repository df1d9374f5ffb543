"""Fixtures: a real database per test session (SQLite, or PostgreSQL with TRACKER_TEST_DB),
built by the migrations, emptied after every test; app, client, runner and login helpers."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from config import TestConfig, normalize_db_url
from tracker import create_app
from tracker.extensions import db

ON_POSTGRES = os.environ.get("TRACKER_TEST_DB") == "postgresql"


def _admin_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.fail("TRACKER_TEST_DB=postgresql needs TEST_DATABASE_URL")
    return url.replace("postgresql+psycopg://", "postgresql://")


def make_database(tmp_dir: Path) -> tuple[str, Callable[[], None]]:
    """A new empty database: a SQLite file, or a fresh PostgreSQL database with a random name."""
    if not ON_POSTGRES:
        path = tmp_dir / f"t-{uuid.uuid4().hex[:8]}.db"
        return f"sqlite:///{path}", lambda: None
    admin = _admin_url()
    name = f"tracker_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = sa.engine.make_url(normalize_db_url(admin))
    url = base.set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url, drop


def build_app(database_url: str, tmp_dir: Path, **overrides) -> Flask:
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_DIR": tmp_dir / "uploads",
        "OUTBOX_DIR": tmp_dir / "outbox",
        "SERVER_NAME": "localhost",
    }
    settings.update(overrides)
    return create_app(TestConfig(), **settings)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated database for the whole session."""
    tmp = tmp_path_factory.mktemp("db")
    url, drop = make_database(tmp)
    app = build_app(url, tmp)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    drop()


def _empty_all_tables() -> None:
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


@contextlib.contextmanager
def running(app: Flask) -> Iterator[Flask]:
    """An app context that leaves the shared database empty and closes every connection."""
    with app.app_context():
        try:
            yield app
        finally:
            db.session.rollback()
            _empty_all_tables()
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    with running(build_app(database_url, tmp_path)) as app:
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


_DEMO_SNAPSHOT: tuple[dict[str, list[dict]], dict[Path, bytes]] | None = None


def _reset_sequences() -> None:
    """After inserting explicit ids on PostgreSQL, move each id sequence past them."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.autoincrement and table.c.id.primary_key:
            db.session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                )
            )


@pytest.fixture
def demo(app: Flask) -> Flask:
    """Units, demo users, routing rules, the 15 directives of March 2023 and their progress.

    The first test in a process runs the real seed (importer and workflow services); later
    tests get the same rows and evidence files copied back, which is much faster.
    """
    global _DEMO_SNAPSHOT
    upload_dir = Path(app.config["UPLOAD_DIR"])
    if _DEMO_SNAPSHOT is None:
        from tracker.demo.seed import seed_demo

        seed_demo()
        db.session.commit()
        rows = {
            t.name: [
                dict(r._mapping)
                for r in db.session.execute(t.select().order_by(*t.primary_key.columns))
            ]
            for t in db.metadata.sorted_tables
        }
        files = {
            p.relative_to(upload_dir): p.read_bytes()
            for p in (upload_dir.rglob("*") if upload_dir.exists() else [])
            if p.is_file()
        }
        _DEMO_SNAPSHOT = (rows, files)
        return app
    rows, files = _DEMO_SNAPSHOT
    for table in db.metadata.sorted_tables:
        # the data version rows are written by every commit (tracker/core/versioning.py)
        if rows.get(table.name) and table.name not in ("data_version", "scope_version"):
            db.session.execute(table.insert(), rows[table.name])
    _reset_sequences()
    db.session.commit()
    for relative, data in files.items():
        target = upload_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return app


class Auth:
    """Log a client in and out as any user."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, username: str, password: str | None = None):
        from tracker.demo.accounts import DEMO_PASSWORD

        return self.client.post(
            "/login", data={"username": username, "password": password or DEMO_PASSWORD}
        )

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


@pytest.fixture
def no_page_cache(app: Flask) -> Flask:
    """Pages computed on every request: for tests that count what computing a page costs."""
    app.extensions.pop("page_cache", None)
    return app
