"""In-process measurements: SQL queries per page, one reminder run, one report build."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Flask

from tracker.extensions import db


@dataclass(frozen=True)
class Page:
    """A page under test: its name, its URL on a given database, and who reads it."""

    name: str
    path: str
    username: str = "chutich"


def pages(directive_id: int, unit_id: int) -> list[Page]:
    """The pages under test; the list is filtered like a person would filter it."""
    # ten years of economic tasks still overdue that mention the budget, as a person would ask
    list_query = urlencode(
        {"period": "all", "field": "kinh_te", "bucket": "overdue", "q": "ngân sách"}
    )
    return [
        Page("dashboard", "/dashboard"),
        Page("directive list (filtered)", f"/directives?{list_query}"),
        Page("directive page", f"/directives/{directive_id}"),
        Page("unit page", f"/units/{unit_id}"),
        Page("first page", "/"),
    ]


@contextlib.contextmanager
def counting(engine: sa.Engine) -> Iterator[list[str]]:
    """Every SQL statement sent while the block runs."""
    statements: list[str] = []

    def before(_conn, _cursor, statement, _params, _context, _many) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def pick_targets(app: Flask, today: dt.date) -> dict[str, int]:
    """Ids the page URLs need, chosen the same way on every data size."""
    from tracker.directives.models import Assignment, Directive, Period
    from tracker.units.models import Unit

    with app.app_context():
        period_id = db.session.scalar(
            sa.select(Period.id).where(Period.year == today.year, Period.month == today.month)
        )
        busiest = db.session.execute(
            sa.select(Directive.id)
            .join(Assignment, Assignment.directive_id == Directive.id)
            .where(Directive.period_id == period_id, Directive.parent_id.is_(None))
            .group_by(Directive.id)
            .order_by(sa.func.count(Assignment.id).desc(), Directive.id)
            .limit(1)
        ).scalar_one()
        unit_id = db.session.scalar(sa.select(Unit.id).where(Unit.code == "P9"))
        db.session.remove()
    return {"directive_id": busiest, "unit_id": unit_id}


def login(client, username: str, password: str) -> None:
    response = client.post("/login", data={"username": username, "password": password})
    if response.status_code != 302:
        raise RuntimeError(f"login as {username} failed: HTTP {response.status_code}")


def query_counts(app: Flask, pages: list[Page], password: str) -> dict[str, dict[str, object]]:
    """Queries and in-process time of each page, computed and then served from the page cache.

    The first request of each page warms per-process caches (templates, the calendar) and is
    not measured; the cache is then emptied so the second request computes the page (the cost
    of the first view after any change), and the third is served from the page cache.
    """
    from tracker.core import pagecache

    results: dict[str, dict[str, object]] = {}
    with app.app_context():
        engine = db.engine
    cache = pagecache.cache_for(app)
    clients: dict[str, object] = {}
    for page in pages:
        client = clients.get(page.username)
        if client is None:
            client = app.test_client()
            login(client, page.username, password)
            clients[page.username] = client
        client.get(page.path).close()
        if cache is not None:
            cache.clear()
        measured = {}
        for phase in ("computed", "cached"):
            with counting(engine) as statements:
                started = time.perf_counter()
                response = client.get(page.path)
                elapsed = time.perf_counter() - started
                response.close()
            measured[phase] = (response.status_code, statements, elapsed)
        status, statements, elapsed = measured["computed"]
        cached_status, cached_statements, cached_elapsed = measured["cached"]
        results[page.name] = {
            "path": page.path,
            "status": status,
            "queries": len(statements),
            "in_process_ms": round(elapsed * 1000, 1),
            "statements": statements,
            "cached_status": cached_status,
            "cached_queries": len(cached_statements),
            "cached_in_process_ms": round(cached_elapsed * 1000, 1),
        }
    with app.app_context():
        db.engine.dispose()
    return results
