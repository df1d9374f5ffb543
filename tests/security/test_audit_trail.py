"""Audit events are append-only: no route edits them, and the ORM refuses updates and deletes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tracker.core import audit
from tracker.core.models import AuditEvent, AuditImmutableError
from tracker.extensions import db


@pytest.fixture
def event(app) -> AuditEvent:
    recorded = audit.record("directive", 1, "update", {"title": "cũ"}, {"title": "mới"})
    db.session.commit()
    return recorded


def _snapshot() -> list[tuple]:
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(AuditEvent.id, AuditEvent.action, AuditEvent.before, AuditEvent.after)
            .order_by(AuditEvent.id)
        )
    ]


def test_orm_update_is_refused(event):
    before = _snapshot()
    event.action = "tampered"
    with pytest.raises(AuditImmutableError):
        db.session.commit()
    db.session.rollback()
    assert _snapshot() == before


def test_orm_delete_is_refused(event):
    before = _snapshot()
    db.session.delete(event)
    with pytest.raises(AuditImmutableError):
        db.session.commit()
    db.session.rollback()
    assert _snapshot() == before


@pytest.mark.parametrize(
    "statement",
    [
        sa.update(AuditEvent).values(action="tampered"),
        sa.delete(AuditEvent),
        sa.update(AuditEvent).where(AuditEvent.id > 0).values(before=None),
    ],
    ids=["bulk-update", "bulk-delete", "bulk-update-where"],
)
def test_orm_bulk_statements_are_refused(event, statement):
    before = _snapshot()
    with pytest.raises(AuditImmutableError):
        db.session.execute(statement)
    db.session.rollback()
    assert _snapshot() == before


def test_new_events_can_still_be_added(event):
    audit.record("directive", 2, "create")
    db.session.commit()
    assert len(_snapshot()) == 2


def test_core_table_emptying_still_works(event):
    """The test fixture empties tables with Core statements; the guard must not block that."""
    db.session.execute(AuditEvent.__table__.delete())
    db.session.rollback()  # the fixture's own emptying runs after this test anyway
    assert len(_snapshot()) == 1


def test_no_route_can_change_audit_events(app):
    """No endpoint's name or URL offers editing or deleting the audit trail."""
    for rule in app.url_map.iter_rules():
        text = f"{rule.endpoint} {rule.rule}".lower()
        if "audit" in text or "history" in text or "lich-su" in text:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
