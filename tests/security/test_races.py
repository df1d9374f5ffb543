"""Two people acting on the same thing at the same moment get one success and one 409, never a
500, and the data stays whole: real threads, real database (SQLite in WAL mode or PostgreSQL),
one test client each, through the pages as people use them."""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from tests.conftest import Auth, build_app, running
from tracker.auth.models import User
from tracker.constants import NOT_STARTED, OFFICER, SECRETARIAT
from tracker.directives.models import Assignment, Directive, ProgressUpdate
from tracker.extensions import db
from tracker.reports import services as report_services
from tracker.reports.models import FINAL, Report, ReportFile

TRIALS = 6


@pytest.fixture
def app(database_url, tmp_path):
    options = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 5}
    with running(build_app(database_url, tmp_path, SQLALCHEMY_ENGINE_OPTIONS=options)) as app:
        yield app


def _together(*calls) -> list[int]:
    """Run the calls at the same moment (a barrier), each in its own thread; their statuses."""
    barrier = threading.Barrier(len(calls), timeout=60)
    statuses: list[int | str] = [0] * len(calls)

    def worker(index: int) -> None:
        try:
            barrier.wait()
            response = calls[index]()
            statuses[index] = response.status_code
            response.close()
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            statuses[index] = f"{type(exc).__name__}: {exc}"

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def _client(app, username: str):
    client = app.test_client()
    assert Auth(client).login(username).status_code == 302
    return client


def _untouched_assignment_with_an_officer() -> tuple[Assignment, User]:
    """An assignment nobody has reported on yet, of a unit that has an officer account."""
    rows = db.session.execute(
        sa.select(Assignment, User)
        .join(User, User.unit_id == Assignment.unit_id)
        .join(Directive, Directive.id == Assignment.directive_id)
        .where(User.role == OFFICER, User.active, Assignment.state == NOT_STARTED,
               Directive.withdrawn_at.is_(None),
               ~sa.exists().where(ProgressUpdate.assignment_id == Assignment.id))
        .order_by(Assignment.id)
    ).all()
    assert rows, "the demo has untouched assignments of units with officers"
    return rows[0]


def test_removing_an_assignment_while_its_unit_reports(app, demo):
    """The manager removes a unit's assignment while the unit's officer posts progress on it:
    either the removal wins (the report is refused with 409) or the report wins (the removal is
    refused: the assignment is now history). Never a 500, never a half-written state."""
    outcomes = Counter()
    for _ in range(TRIALS):
        assignment, officer = _untouched_assignment_with_an_officer()
        assignment_id, version = assignment.id, assignment.version
        manager, unit_officer = _client(app, "vanphong"), _client(app, officer.username)
        db.session.remove()
        remove = functools.partial(manager.post, f"/assignments/{assignment_id}/remove",
                                   data={"version": version})
        report = functools.partial(
            unit_officer.post, f"/assignments/{assignment_id}/progress",
            data={"percent": "30", "result": "Đang làm.", "version": version},
        )
        statuses = _together(remove, report)
        assert all(isinstance(s, int) and s < 500 for s in statuses), statuses
        removed, reported = statuses[0] == 302, statuses[1] == 302
        assert removed != reported, statuses  # exactly one of the two happened
        db.session.expire_all()
        row = db.session.get(Assignment, assignment_id)
        updates = db.session.scalar(
            sa.select(sa.func.count()).select_from(ProgressUpdate)
            .where(ProgressUpdate.assignment_id == assignment_id)
        )
        if removed:
            assert row is None and updates == 0
            assert statuses[1] in (404, 409)
        else:
            assert row is not None and updates == 1
            assert statuses[0] in (400, 409)
        outcomes["removed" if removed else "reported"] += 1
        db.session.remove()
    assert sum(outcomes.values()) == TRIALS


def test_issuing_a_report_four_times_at_once(app, demo):
    """Four people press "Ban hành" on the same draft: one issues it, three get 409; one set
    of files, one carry-over."""
    secretariat = db.session.scalar(sa.select(User).where(User.role == SECRETARIAT))
    report = report_services.create_report(
        report_services.parse_period("2023-03"), dt.date(2023, 4, 5),
        user=secretariat,
    )
    db.session.commit()
    report_id, version = report.id, report.version
    clients = [_client(app, name) for name in ("vanphong", "chutich", "phochutich", "admin")]
    db.session.remove()
    statuses = _together(*[
        (lambda c=c: c.post(f"/reports/{report_id}/finalise",
                            data={"version": version, "confirm": "1"}))
        for c in clients
    ])
    assert all(isinstance(s, int) for s in statuses), statuses
    assert sorted(statuses) == [302, 409, 409, 409], statuses
    db.session.expire_all()
    issued = db.session.get(Report, report_id)
    assert issued.status == FINAL
    kinds = list(db.session.scalars(
        sa.select(ReportFile.kind).where(ReportFile.report_id == report_id)
    ))
    assert sorted(kinds) == sorted(set(kinds)) and {"docx", "xlsx"} <= set(kinds)  # one set
