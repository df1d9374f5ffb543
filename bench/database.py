"""The benchmark's own database: a fresh SQLite file, or a fresh database on the PostgreSQL
server that DATABASE_URL points at (never that database itself: the bench data goes into
`tracker_bench`, created anew each run)."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import sqlalchemy as sa
from flask import Flask

from config import Config, normalize_db_url

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "instance" / "bench"
PG_DATABASE = "tracker_bench"


def target_url(kind: str, name: str = "bench") -> str:
    """SQLAlchemy URL of the bench database for `kind` ("sqlite" or "postgresql")."""
    if kind == "sqlite":
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{BENCH_DIR / f'{name}.db'}"
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql")):
        raise SystemExit("--db postgresql needs DATABASE_URL=postgresql://... (the server to use)")
    url = sa.engine.make_url(normalize_db_url(server))
    database = PG_DATABASE if name == "bench" else f"{PG_DATABASE}_{name}"
    return url.set(database=database).render_as_string(hide_password=False)


def recreate(url: str) -> None:
    """Drop and create the bench database, empty."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{parsed.database}"')


def bench_app(url: str, today: str, **overrides: object) -> Flask:
    """The production app configuration pointed at the bench database."""
    from tracker import create_app

    config = Config()
    settings: dict[str, object] = {
        "SQLALCHEMY_DATABASE_URI": url,
        "TRACKER_TODAY": today,
        "UPLOAD_DIR": BENCH_DIR / "uploads",
        "OUTBOX_DIR": BENCH_DIR / "outbox",
    }
    settings.update(overrides)
    return create_app(config, **settings)


def migrate(app: Flask) -> None:
    from flask_migrate import upgrade

    from tracker.extensions import db

    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()
