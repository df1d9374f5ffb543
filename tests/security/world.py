"""The demo data plus one of everything a URL can point at, and clients logged in as each role.

Unit A is BQLDA (officer ``bqlda``), unit B is Phường 9 (officer ``phuong9``); directive 6 is
assigned to unit A and not to unit B, so every id below belongs to unit A's work.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Auth
from tracker.extensions import db

ROLES = ("admin", "leader", "secretariat", "officer_a", "officer_b", "viewer")
USERNAMES = {
    "admin": "admin",
    "leader": "chutich",
    "secretariat": "vanphong",
    "officer_a": "bqlda",
    "officer_b": "phuong9",
    "viewer": "xem",
}
# Tables the app writes as a side effect of logging in; not part of "the data".
VOLATILE = {"login_attempt"}


@dataclass
class World:
    app: Flask
    ids: dict[str, Any]
    clients: dict[str, FlaskClient] = field(default_factory=dict)

    def client(self, role: str) -> FlaskClient:
        """A client logged in as the role (anonymous: not logged in), made once per test."""
        if role not in self.clients:
            client = self.app.test_client()
            if role != "anonymous":
                response = Auth(client).login(USERNAMES[role])
                assert response.status_code == 302, (role, response.status_code)
            self.clients[role] = client
        return self.clients[role]

    def version(self) -> int:
        from tracker.directives.models import Assignment

        db.session.expire_all()
        return db.session.get(Assignment, self.ids["assignment_id"]).version


def build_world(app: Flask) -> World:
    from tracker.auth.models import User
    from tracker.calendar.models import CalendarException
    from tracker.constants import PENDING
    from tracker.core import clock
    from tracker.demo.progress import minimal_pdf
    from tracker.demo.seed import SEED_REPORT, seed_demo
    from tracker.directives.models import Assignment, Attachment, Directive, ExtensionRequest
    from tracker.intake.models import ImportDraft, RoutingRule
    from tracker.intake.reading import read_report_file
    from tracker.reminders.models import OutboxMessage
    from tracker.reports import services as report_services
    from tracker.units.models import Unit
    from tracker.work import workflow

    seed_demo()
    db.session.commit()

    def user(name: str) -> User:
        return db.session.scalar(sa.select(User).where(User.username == name))

    def unit(code: str) -> Unit:
        return db.session.scalar(sa.select(Unit).where(Unit.code == code))

    unit_a, unit_b = unit("BQLDA"), unit("P9")
    assignment = db.session.scalar(
        sa.select(Assignment)
        .join(Directive)
        .where(Assignment.unit_id == unit_a.id, Directive.number == "6")
    )
    directive = assignment.directive
    assert unit_b.id not in {a.unit_id for a in directive.assignments}
    workflow.post_progress(
        assignment, user("bqlda"), percent=55, result="Đã lập hồ sơ bồi thường, hỗ trợ",
        files=[("bien-ban-hop.pdf", minimal_pdf(["Bien ban hop", "Ban QLDA"]))],
    )
    db.session.commit()
    update = assignment.updates[-1]
    attachment = db.session.scalar(sa.select(Attachment).where(Attachment.update_id == update.id))
    extension = db.session.scalar(
        sa.select(ExtensionRequest).where(
            ExtensionRequest.assignment_id == assignment.id, ExtensionRequest.status == PENDING
        )
    )
    assert extension is not None
    report = report_services.create_report(
        report_services.parse_period("2023-03"), dt.date(2023, 4, 5), user=user("vanphong")
    )
    now = clock.now()
    message = OutboxMessage(
        recipient="bqlda@travinh.example.vn", recipient_name="Ban QLDA", subject="Nhắc việc",
        text_body="Nội dung", html_body="<p>Nội dung</p>", next_attempt_at=now, created_at=now,
        dedupe_key=f"test-{secrets.token_hex(4)}", status="failed",
    )
    exception = CalendarException(day=dt.date(2031, 1, 2), kind="holiday", note="Nghỉ bù")
    draft = ImportDraft(
        token=secrets.token_hex(16), filename="bao-cao.txt",
        text=read_report_file(SEED_REPORT.name, SEED_REPORT.read_bytes()),
        period_key="2023-03", created_by_id=user("vanphong").id, created_at=now,
    )
    db.session.add_all([message, exception, draft])
    db.session.commit()
    rule = db.session.scalar(sa.select(RoutingRule).order_by(RoutingRule.id))
    from tracker.work import feeds

    feed = feeds.create(user("bqlda"), "unit", unit_a.id)  # officer A's calendar of unit A
    db.session.commit()
    ids = {
        "directive_id": directive.id,
        "assignment_id": assignment.id,
        "attachment_id": attachment.id,
        "update_id": update.id,
        "request_id": extension.id,
        "report_id": report.id,
        "message_id": message.id,
        "exception_id": exception.id,
        "rule_id": rule.id,
        "user_id": user("phuong9").id,
        "unit_id": unit_a.id,
        "token": draft.token,
        "filename": "css/app.css",
        "unit_a": unit_a.id,
        "unit_b": unit_b.id,
        "feed_token": feeds.token_of(feed),
    }
    return World(app=app, ids=ids)


def _default(value: Any) -> str:
    return value.hex() if isinstance(value, bytes) else str(value)


def fingerprint() -> dict[str, str]:
    """A hash of every row of every table (but the login log): equal means nothing changed."""
    db.session.expire_all()
    result = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in VOLATILE:
                continue
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            blob = json.dumps([list(r) for r in rows], default=_default, sort_keys=True)
            result[table.name] = f"{len(rows)}:{hashlib.sha256(blob.encode()).hexdigest()}"
    return result


def diff(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))
