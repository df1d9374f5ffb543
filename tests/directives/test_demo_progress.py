"""The demo's March 2023 progress: every bucket has members as of 05/04/2023."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tests.directives.workflow_helpers import assignment, directive
from tracker.auth.models import User
from tracker.constants import APPROVED, AWAITING_CONFIRMATION, OFFICER, PENDING
from tracker.core import clock
from tracker.core.models import AuditEvent
from tracker.demo.seed import seed_demo
from tracker.directives.models import Assignment, Directive, ExtensionRequest, ProgressUpdate
from tracker.directives.presenters import assignment_status, directive_status
from tracker.directives.status import Bucket
from tracker.extensions import db

AS_OF = dt.date(2023, 4, 5)


def _directives() -> list[Directive]:
    return list(
        db.session.scalars(
            sa.select(Directive).options(
                selectinload(Directive.children), selectinload(Directive.assignments)
            )
        )
    )


def test_every_bucket_has_members_as_of_5_april(demo):
    directive_buckets = {directive_status(d, AS_OF).bucket for d in _directives()}
    assignment_buckets = {
        assignment_status(a, AS_OF).bucket for a in db.session.scalars(sa.select(Assignment))
    }
    # Withdrawal is left out on purpose: it would invent history for a real task.
    expected = set(Bucket) - {Bucket.WITHDRAWN}
    assert directive_buckets == expected
    assert assignment_buckets == expected


def test_the_story_of_each_bucket(demo):
    status = {n: directive_status(directive(n), AS_OF)
              for n in ("1", "2", "4", "5", "6", "6.2", "15")}
    assert status["1"].bucket is Bucket.DONE_ON_TIME
    assert status["5"].bucket is Bucket.DONE_LATE
    assert status["5"].days_overdue == 1  # done Mon 03/04: one working day late
    assert status["2"].bucket is Bucket.OVERDUE and status["2"].days_overdue == 3
    assert status["4"].bucket is Bucket.NOT_STARTED  # extension approved before work began
    assert status["6.2"].bucket is Bucket.NO_DEADLINE
    # Task 6: its own lead (Ban QLDA) is overdue while its sub-tasks are not: the worst wins.
    assert status["6"].bucket is Bucket.OVERDUE and status["6"].days_overdue == 3
    assert status["6"].extension_requested == dt.date(2023, 6, 30)  # pending: moves nothing
    assert directive("6.2").deadline is None and assignment("6.2", "TNMT").deadline is None
    assert status["15"].bucket is Bucket.IN_PROGRESS  # within an approved extension
    nv = assignment("15", "NV")
    assert nv.deadline == dt.date(2023, 3, 31) and nv.extended_deadline == dt.date(2023, 4, 14)
    # Task 8 was reported on the deadline day and confirmed on 03/04: on time.
    yt = assignment("8", "YT")
    assert yt.completed_on == dt.date(2023, 3, 31) and yt.on_time is True
    assert clock.local_date(yt.completed_at) == dt.date(2023, 4, 3)


def test_extensions_and_confirmations_waiting(demo):
    requests = list(db.session.scalars(sa.select(ExtensionRequest)))
    assert sum(r.status == PENDING for r in requests) >= 1
    assert sum(r.status == APPROVED for r in requests) >= 2
    approved_on = {r.assignment.extension_approved_on for r in requests if r.status == APPROVED}
    assert all(day <= dt.date(2023, 3, 31) for day in approved_on)
    awaiting = db.session.scalars(
        sa.select(Assignment).where(Assignment.state == AWAITING_CONFIRMATION)
    ).all()
    assert [a.directive.number for a in awaiting] == ["6.1"]
    returned = db.session.scalars(
        sa.select(ProgressUpdate).where(ProgressUpdate.kind == "returned")
    ).all()
    assert len(returned) == 1 and "bổ sung" in returned[0].result


def test_updates_are_written_in_march_by_officers_of_the_unit(demo):
    updates = db.session.scalars(
        sa.select(ProgressUpdate).options(selectinload(ProgressUpdate.assignment))
    ).all()
    assert len(updates) >= 30
    for update in updates:
        day = clock.local_date(update.created_at)
        assert dt.date(2023, 3, 1) <= day < AS_OF, (update.result, day)
        author = db.session.get(User, update.author_id)
        if update.kind in ("progress", "completion"):
            assert author.role == OFFICER and author.unit_id == update.assignment.unit_id
    march = [u for u in updates if clock.local_date(u.created_at).month == 3]
    assert len(march) >= 0.8 * len(updates)
    difficulties = [u.difficulties for u in updates if u.difficulties]
    assert len(difficulties) >= 8
    assert any("giải phóng mặt bằng" in text for text in difficulties)
    # The audit trail carries the same March dates, not the day the seed ran.
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity.in_(["assignment", "extension_request"]))
    ).all()
    assert events and all(e.at < dt.datetime(2023, 4, 5) for e in events)


def test_demo_officers_can_log_in_and_see_their_unit(demo, client):
    from tracker.demo.accounts import DEMO_PASSWORD

    client.post("/login", data={"username": "bqlda", "password": DEMO_PASSWORD})
    html = client.get("/my-unit").get_data(as_text=True)
    assert "Ban Quản lý dự án đầu tư xây dựng" in html
    assert "Đang đề nghị gia hạn" in html


def test_seeding_again_adds_nothing(demo):
    counts = seed_demo()
    db.session.commit()
    assert counts["progress"] == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExtensionRequest)) == 4
