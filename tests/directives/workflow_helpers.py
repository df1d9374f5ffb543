"""Shared helpers for the workflow, directive page and attachment tests."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tracker.auth.models import User
from tracker.core.models import AuditEvent
from tracker.demo.accounts import DEMO_PASSWORD
from tracker.directives.models import (
    Assignment,
    Attachment,
    Directive,
    ExtensionRequest,
    ProgressUpdate,
)
from tracker.extensions import db
from tracker.units.models import Unit


def assignment(number: str, unit_code: str) -> Assignment:
    return db.session.scalar(
        sa.select(Assignment)
        .join(Directive, Assignment.directive_id == Directive.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .where(Directive.number == number, Unit.code == unit_code)
    )


def directive(number: str) -> Directive:
    return db.session.scalar(sa.select(Directive).where(Directive.number == number))


def user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def login(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, username
    return client


def snapshot() -> dict[str, object]:
    """Everything a workflow action may change, to prove a refusal changed nothing."""
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(
            Assignment.id, Assignment.state, Assignment.percent, Assignment.version,
            Assignment.extended_deadline, Assignment.completed_on, Assignment.unit_id,
        ).order_by(Assignment.id)
    ).all()
    counts = {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (ProgressUpdate, Attachment, ExtensionRequest, AuditEvent)
    }
    statuses = db.session.execute(
        sa.select(ExtensionRequest.id, ExtensionRequest.status).order_by(ExtensionRequest.id)
    ).all()
    return {"assignments": [tuple(r) for r in rows], "counts": counts,
            "requests": [tuple(r) for r in statuses]}


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def form_version(html: str, action_url: str) -> str:
    """The hidden version of the form posting to action_url on a rendered page."""
    start = html.index(f'action="{action_url}"')
    match = re.search(r'name="version" value="(\d+)"', html[start:])
    assert match, action_url
    return match.group(1)
