"""Twenty people saving the same assignment at once: every write lands or gets 409; none is lost.

Runs against the real database (SQLite file in WAL mode, or PostgreSQL) with one app context,
session and connection per thread, through the workflow service and through the web form.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from tests.conftest import Auth, build_app, running
from tracker.auth.models import User
from tracker.constants import DONE, WITHDRAWN
from tracker.core.errors import StaleVersion
from tracker.directives.models import Assignment, ProgressUpdate
from tracker.extensions import db
from tracker.units.models import Unit
from tracker.work import workflow

THREADS = 20


@pytest.fixture
def app(database_url, tmp_path):
    """Enough pooled connections for every thread to hold one at the same moment."""
    options = {"pool_pre_ping": True, "pool_size": THREADS + 5, "max_overflow": 5}
    with running(build_app(database_url, tmp_path, SQLALCHEMY_ENGINE_OPTIONS=options)) as app:
        yield app


def _open_assignment_of(username: str) -> tuple[int, int]:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    assignment = db.session.scalar(
        sa.select(Assignment)
        .join(Unit)
        .where(Unit.id == user.unit_id, Assignment.state.not_in([DONE, WITHDRAWN]),
               Assignment.state != "awaiting_confirmation")
        .order_by(Assignment.id)
    )
    assert assignment is not None
    return assignment.id, user.id


def _updates(assignment_id: int) -> list[tuple[str, int]]:
    db.session.expire_all()
    return [
        (row.result, row.percent)
        for row in db.session.scalars(
            sa.select(ProgressUpdate).where(ProgressUpdate.assignment_id == assignment_id)
        )
    ]


def _run_threads(target) -> list[str]:
    barrier = threading.Barrier(THREADS, timeout=60)
    outcomes: list[str] = [""] * THREADS

    def worker(index: int) -> None:
        try:
            outcomes[index] = target(index, barrier)
        except Exception as exc:  # noqa: BLE001 - the test reports any unexpected error
            outcomes[index] = f"error: {type(exc).__name__}: {exc}"

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.mark.parametrize("send_version", [True, False], ids=["with-version", "without-version"])
def test_service_writes_land_or_conflict(app, demo, send_version):
    assignment_id, user_id = _open_assignment_of("gddt")
    before = _updates(assignment_id)
    db.session.remove()

    def target(index: int, barrier: threading.Barrier) -> str:
        with app.app_context():
            try:
                assignment = db.session.get(Assignment, assignment_id)
                author = db.session.get(User, user_id)
                version = assignment.version
                barrier.wait()
                workflow.post_progress(
                    assignment, author, percent=index + 1, result=f"Báo cáo số {index}",
                    expected_version=version if send_version else None,
                )
                db.session.commit()
                return "ok"
            except (StaleVersion, StaleDataError):
                db.session.rollback()
                return "409"
            finally:
                db.session.remove()

    outcomes = _run_threads(target)
    counts = Counter(o if o in ("ok", "409") else "other" for o in outcomes)
    assert counts["other"] == 0, [o for o in outcomes if o not in ("ok", "409")]
    assert counts["ok"] >= 1
    after = _updates(assignment_id)
    added = after[len(before):]
    assert len(added) == counts["ok"]  # nothing silently lost, nothing extra
    successful = [i for i, o in enumerate(outcomes) if o == "ok"]
    assert sorted(result for result, _p in added) == sorted(f"Báo cáo số {i}" for i in successful)
    assignment = db.session.get(Assignment, assignment_id)
    assert assignment.percent == dict((r, p) for r, p in added)[added[-1][0]]
    if send_version:
        assert counts["ok"] == 1  # everyone loaded the same version: one wins


def test_web_form_writes_land_or_conflict(app, demo):
    assignment_id, _user_id = _open_assignment_of("gddt")
    version = db.session.get(Assignment, assignment_id).version
    before = _updates(assignment_id)
    clients = []
    for _ in range(THREADS):
        client = app.test_client()
        assert Auth(client).login("gddt").status_code == 302
        clients.append(client)
    db.session.remove()

    def target(index: int, barrier: threading.Barrier) -> str:
        barrier.wait()
        response = clients[index].post(
            f"/assignments/{assignment_id}/progress",
            data={"percent": str(index + 1), "result": f"Báo cáo qua web số {index}",
                  "version": str(version)},
        )
        response.close()
        return {302: "ok", 409: "409"}.get(response.status_code, str(response.status_code))

    outcomes = _run_threads(target)
    counts = Counter(outcomes)
    assert set(counts) <= {"ok", "409"}, counts
    assert counts["ok"] == 1
    added = _updates(assignment_id)[len(before):]
    assert len(added) == 1
    winner = outcomes.index("ok")
    assert added[0] == (f"Báo cáo qua web số {winner}", winner + 1)
