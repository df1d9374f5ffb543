"""The mixed phase: the five pages read by people of every role and unit while officers post
progress through the app, on gunicorn with the page cache on (as in production).

Readers: the leader, the Văn phòng, a viewer and officers of several units, each with their
own session; each reads the five pages, the unit page being their own unit (a busy one for
those without a working unit) and the directive page one of the busiest directives of the
current period. Writers: an officer of the unit given each chosen open assignment posts a
progress report every `interval` seconds, as the form does (the version and CSRF token read
from the directive page; a 409 on a stale version is retried with the fresh version). Every
write changes the data version, so the cached pages are computed again: the hit ratio shows it.
The reports stay in the bench database (a later --reuse run starts from them).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import orm

from bench.load import Target
from bench.measure import pages
from bench.server import HEALTHZ, Client, Server, csrf_token, load, ratio
from tracker.extensions import db

BUSY_DIRECTIVES = 5
WRITE_UNITS = 6
EXTRA_OFFICERS = 3  # synthetic officers reading, besides the demo accounts
DEMO_READERS = ("chutich", "vanphong", "xem", "phuong9", "gddt")
ATTEMPTS = 3


@dataclass(frozen=True)
class Reader:
    username: str
    role: str
    unit_id: int  # the unit page this person reads
    directive_id: int  # the directive page this person reads


@dataclass
class WriteTarget:
    assignment_id: int
    directive_id: int
    unit_id: int
    username: str  # an officer of the unit (the named officer when the task names one)
    percent: int


@dataclass
class Plan:
    readers: list[Reader]
    writes: list[WriteTarget]
    busy_directives: list[int]


def plan(app: Flask, today: dt.date) -> Plan:
    """Who reads what and which open assignments get progress reports, from the data."""
    from tracker.auth.models import User
    from tracker.directives.models import Assignment, Directive, Period
    from tracker.units.kinds import LEADERSHIP
    from tracker.units.models import Unit

    with app.app_context():
        period_id = db.session.scalar(
            sa.select(Period.id).where(Period.year == today.year, Period.month == today.month)
        )
        busy = list(db.session.scalars(
            sa.select(Directive.id)
            .join(Assignment, Assignment.directive_id == Directive.id)
            .where(Directive.period_id == period_id, Directive.parent_id.is_(None),
                   Directive.withdrawn_at.is_(None))
            .group_by(Directive.id)
            .order_by(sa.func.count(Assignment.id).desc(), Directive.id)
            .limit(BUSY_DIRECTIVES)
        ))
        if not busy:
            raise RuntimeError(f"no directive in {today:%m/%Y} to read in the mixed phase")
        writes = _write_targets(period_id, busy)
        leadership = set(db.session.scalars(sa.select(Unit.id).where(Unit.kind == LEADERSHIP)))
        busy_units = [w.unit_id for w in writes] or [
            db.session.scalar(sa.select(Unit.id).where(Unit.code == "P9"))
        ]
        users = list(db.session.scalars(
            sa.select(User).where(User.username.in_(DEMO_READERS), User.active.is_(True))
        ))
        writers = {w.username for w in writes}
        officers: dict[int, User] = {}  # one per unit, of the units written to
        for user in db.session.scalars(
            sa.select(User)
            .where(User.role == "officer", User.active.is_(True),
                   User.unit_id.in_(busy_units), User.username.not_in(writers | set(DEMO_READERS)))
            .order_by(User.id)
        ):
            officers.setdefault(user.unit_id, user)
        users += list(officers.values())[:EXTRA_OFFICERS]
        readers = []
        for i, user in enumerate(sorted(users, key=lambda u: (u.role, u.username))):
            own = user.unit_id if user.unit_id and user.unit_id not in leadership else None
            readers.append(Reader(user.username, user.role, own or busy_units[i % len(busy_units)],
                                  busy[i % len(busy)]))
        db.session.remove()
    return Plan(readers, writes, busy)


def _write_targets(period_id: int, busy: list[int]) -> list[WriteTarget]:
    """Open assignments of the period (busy directives first), one per unit, each with an
    officer allowed to report on it."""
    from tracker.auth.models import User
    from tracker.directives.models import Assignment, Directive

    parent = orm.aliased(Directive)
    officer = sa.select(sa.func.min(User.id)).where(
        User.unit_id == Assignment.unit_id, User.role == "officer", User.active.is_(True)
    ).scalar_subquery()
    rows = db.session.execute(
        sa.select(Assignment.id, Assignment.directive_id, Assignment.unit_id,
                  sa.func.coalesce(Assignment.officer_id, officer), Assignment.percent)
        .join(Directive, Directive.id == Assignment.directive_id)
        .outerjoin(parent, parent.id == Directive.parent_id)
        .where(Directive.period_id == period_id,
               Assignment.state.in_(("not_started", "in_progress")),
               Directive.withdrawn_at.is_(None), parent.withdrawn_at.is_(None),
               officer.is_not(None))
        .order_by(sa.case((Assignment.directive_id.in_(busy or [0]), 0), else_=1),
                  Assignment.id)
    ).all()
    names = dict(db.session.execute(sa.select(User.id, User.username)).all())
    chosen: dict[int, WriteTarget] = {}
    for assignment_id, directive_id, unit_id, officer_id, percent in rows:
        if unit_id not in chosen and len(chosen) < WRITE_UNITS:
            chosen[unit_id] = WriteTarget(assignment_id, directive_id, unit_id, names[officer_id],
                                          min(percent or 0, 90))
    return list(chosen.values())


@dataclass
class Writes:
    """Progress reports posted through the app, one every `interval` seconds, in turn over the
    targets, each by an officer of the unit with their own session."""

    port: int
    targets: list[WriteTarget]
    clients: dict[str, Client]
    interval: float
    ok: int = 0
    retried: int = 0
    statuses: Counter = field(default_factory=Counter)  # every POST's answer
    failures: list[str] = field(default_factory=list)
    started: float = 0.0
    stopped: float = 0.0

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.started = time.perf_counter()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=60)
        self.stopped = time.perf_counter()

    def _run(self) -> None:
        if not self.targets or self.interval <= 0:  # no writes: the control, every read cached
            return
        due = time.perf_counter()
        n = 0
        while not self._stop.wait(max(0.0, due - time.perf_counter())):
            target = self.targets[n % len(self.targets)]
            n += 1
            try:
                self._write(target)
            except OSError as exc:  # the run goes on; the failure is reported
                self.failures.append(f"assignment {target.assignment_id}: {exc!r}")
            due = max(due + self.interval, time.perf_counter())

    def _write(self, target: WriteTarget) -> None:
        client = self.clients[target.username]
        target.percent = min(95, target.percent + 1)
        for attempt in range(ATTEMPTS):
            status, _, html = client.request("GET", f"/directives/{target.directive_id}")
            form = _progress_form(html, target.assignment_id)
            if status != 200 or form is None:
                self.failures.append(
                    f"assignment {target.assignment_id}: directive page {status}, no form"
                )
                return
            version, token = form
            status, _, _ = client.request(
                "POST", f"/assignments/{target.assignment_id}/progress",
                {"percent": str(target.percent),
                 "result": "Đã họp triển khai với các đơn vị liên quan, đang thực hiện.",
                 "difficulties": "", "proposals": "", "version": version, "csrf_token": token},
            )
            self.statuses[str(status)] += 1
            if status == 302:
                self.ok += 1
                return
            if status != 409 or attempt == ATTEMPTS - 1:
                self.failures.append(f"assignment {target.assignment_id}: HTTP {status}")
                return
            self.retried += 1  # someone saved first: read the fresh version and send again

    def summary(self) -> dict[str, object]:
        elapsed = (self.stopped or time.perf_counter()) - self.started if self.started else 0.0
        return {
            "ok": self.ok,
            "elapsed_s": round(elapsed, 2),
            "writes_per_s": round(self.ok / elapsed, 3) if elapsed else 0.0,
            "interval_s": self.interval,
            "statuses": dict(sorted(self.statuses.items())),
            "retried_after_409": self.retried,
            "failures": len(self.failures),
            "failure_sample": self.failures[:3],
            "targets": [t.__dict__ for t in self.targets],
        }


def _progress_form(html: str, assignment_id: int) -> tuple[str, str] | None:
    """The version and CSRF token of the progress form of one assignment in the page."""
    start = html.find(f'action="/assignments/{assignment_id}/progress"')
    if start < 0:
        return None
    version = re.compile(r'name="version" value="(\d+)"').search(html, start)
    token = csrf_token(html, start)
    return (version.group(1), token) if version and token else None


def run(
    url: str, the_plan: Plan, password: str, *, workers: int, concurrency: int,
    healthz_duration: float, duration: float, interval: float,
) -> dict:
    """/healthz, then the mix of reads with the writes going on, on one fresh gunicorn."""
    server = Server(url, workers, page_cache=True)
    try:
        targets = []
        for reader in the_plan.readers:
            cookie = server.login(reader.username, password)
            for page in pages(reader.directive_id, reader.unit_id):
                targets.append(Target(page.name, page.path, cookie))
        clients = {
            username: Client(server.port).login(username, password)
            for username in {w.username for w in the_plan.writes}
        }
        trivial = load(server.port, [Target(HEALTHZ, "/healthz")], concurrency, healthz_duration)
        writes = Writes(server.port, the_plan.writes, clients, interval)
        try:
            reads = load(server.port, targets, concurrency, duration, on_ready=writes.start)
        finally:
            writes.stop()
        workers_memory = server.workers_memory()
    finally:
        server.stop()
    return summarise(trivial, reads, writes.summary(), the_plan, workers_memory)


def hit_ratio(headers: dict[str, int]) -> float | None:
    """Hits over hits and misses of the page cache (None when neither was seen)."""
    hits, misses = headers.get("hit", 0), headers.get("miss", 0)
    return round(hits / (hits + misses), 3) if hits + misses else None


def summarise(
    trivial: dict, reads: dict, writes: dict, the_plan: Plan, workers_memory: dict
) -> dict:
    healthz_rps = trivial["throughput_rps"]
    by_page = {}
    for name in [page.name for page in pages(0, 0) if page.name in reads["by_name"]]:
        outcome = reads["by_name"][name]
        by_page[name] = {
            "p50_ms": outcome["p50_ms"],
            "p95_ms": outcome["p95_ms"],
            "rps": outcome["throughput_rps"],
            "ratio": ratio(outcome["throughput_rps"], healthz_rps),
            "hit_ratio": hit_ratio(outcome["headers"]),
            "requests": outcome["requests"],
            "statuses": outcome["statuses"],
            "cache": outcome["headers"],
        }
    print(f"  mixed: {reads['throughput_rps']} reads/s, p95 {reads['p95_ms']} ms, "
          f"{writes['ok']} writes ({writes['writes_per_s']}/s), cache {reads['headers']}",
          file=sys.stderr, flush=True)
    return {
        "writes_per_s": writes["writes_per_s"],
        "rps": reads["throughput_rps"],
        "ratio": ratio(reads["throughput_rps"], healthz_rps),
        "p95_ms": reads["p95_ms"],
        "p50_ms": reads["p50_ms"],
        "hit_ratio": hit_ratio(reads["headers"]),
        "requests": reads["requests"],
        "statuses": reads["statuses"],
        "errors": reads["errors"],
        "error_sample": reads["error_sample"],
        "cache": reads["headers"],
        "elapsed_s": reads["elapsed_s"],
        "concurrency": reads["concurrency"],
        "healthz": {k: trivial[k] for k in ("throughput_rps", "p50_ms", "p95_ms", "requests")},
        "readers": [r.__dict__ for r in the_plan.readers],
        "busy_directives": the_plan.busy_directives,
        "writes": writes,
        "pages": by_page,
        "workers": workers_memory,
    }
