"""Load the demo data. Idempotent: running it twice adds nothing the second time."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.auth import services as user_services
from tracker.auth.models import User
from tracker.demo.accounts import (
    DEMO_ASSIGNED_ON,
    DEMO_DEADLINE,
    DEMO_PASSWORD,
    DEMO_USERS,
    SEED_REPORT,
)
from tracker.demo.progress import seed_progress
from tracker.extensions import db
from tracker.intake import drafts
from tracker.intake.models import RoutingRule
from tracker.intake.parser import parse_report
from tracker.intake.reading import read_report_file
from tracker.intake.routing import DEFAULT_RULES
from tracker.intake.rules import keywords_text, routing_rules
from tracker.units.catalogue import UNITS
from tracker.units.models import Unit
from tracker.work import notify


def seed_units() -> int:
    existing = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    added = 0
    for position, spec in enumerate(UNITS):
        unit = existing.get(spec.code)
        if unit is None:
            db.session.add(
                Unit(
                    code=spec.code, name=spec.name, kind=spec.kind, email=spec.email,
                    position=position,
                )
            )
            added += 1
    db.session.flush()
    return added


def seed_users() -> int:
    added = 0
    for spec in DEMO_USERS:
        exists = db.session.scalar(sa.select(User.id).where(User.username == spec.username))
        if exists:
            continue
        user_services.create_user(
            username=spec.username,
            full_name=spec.full_name,
            password=DEMO_PASSWORD,
            role=spec.role,
            email=f"{spec.username}@travinh.example.vn",
            unit_code=spec.unit_code,
            title=spec.title,
        )
        added += 1
    return added


def seed_rules() -> int:
    """The importer's default routing rules, once: afterwards the admin owns the table."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(RoutingRule)):
        return 0
    for position, rule in enumerate(DEFAULT_RULES):
        db.session.add(
            RoutingRule(
                keywords=keywords_text(rule.keywords),
                unit_codes=", ".join(rule.unit_codes),
                role=rule.role,
                field=rule.field,
                position=position,
            )
        )
    db.session.flush()
    return len(DEFAULT_RULES)


def seed_directives() -> int:
    data = SEED_REPORT.read_bytes()
    text = read_report_file(SEED_REPORT.name, data)
    parsed = parse_report(text, rules=routing_rules())
    leader = db.session.scalar(sa.select(User).where(User.username == "chutich"))
    result = drafts.import_report(
        parsed,
        text,
        user=leader,
        default_deadline=DEMO_DEADLINE,
        assigned_on=DEMO_ASSIGNED_ON,
    )
    if result.already_imported:
        return 0
    for directive in result.created:
        directive.leader = leader
    db.session.flush()
    return len(result.created)


def seed_demo() -> dict[str, int]:
    """Every demo table, in dependency order (the command's unit of work commits).

    History written after the fact tells nobody: no notification, no e-mail."""
    with notify.quiet():
        return {
            "units": seed_units(),
            "users": seed_users(),
            "rules": seed_rules(),
            "directives": seed_directives(),
            "progress": seed_progress(),
        }
