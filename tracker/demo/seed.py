"""Load a demo. Idempotent: running it twice adds nothing the second time.

``city-2023`` (the default) is Trà Vinh city's February 2023 report and its 15 tasks for March
2023; ``province-2025`` and ``commune-2025`` are in tracker/demo/profiles.py. Every demo first
sets up its organization, units and routing rules from the profile (tracker/organization).
"""

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
from tracker.demo.profiles import DEMOS
from tracker.demo.profiles import seed as seed_profile_demo
from tracker.demo.progress import seed_progress
from tracker.extensions import db
from tracker.intake import drafts
from tracker.intake.parser import parse_report
from tracker.intake.reading import read_report_file
from tracker.intake.rules import routing_rules
from tracker.organization import services as organization
from tracker.organization import setup
from tracker.organization.profiles import DEFAULT_PROFILE, PROFILES
from tracker.organization.setup import apply_profile, profile_named
from tracker.work import notify

__all__ = ["DEMO_PASSWORD", "SEED_REPORT", "seed_demo", "seed_rules", "seed_units",
           "seed_users"]


def seed_units() -> int:
    """The city-2023 organization (unless one is stored) and its units."""
    profile = PROFILES[DEFAULT_PROFILE]
    if organization.get_row() is None:
        organization.save(organization.input_of(profile.org_info()))
    return setup.seed_units(profile.units(profile.default_name), profile.mail_domain)


def seed_rules() -> int:
    """The importer's default routing rules, once: afterwards the admin owns the table."""
    return setup.seed_rules(None)


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


def seed_demo(profile: str = DEFAULT_PROFILE) -> dict[str, int]:
    """Every demo table, in dependency order (the command's unit of work commits).

    History written after the fact tells nobody: no notification, no e-mail."""
    with notify.quiet():
        spec = profile_named(profile)
        setup = apply_profile(profile, replace_organization=False, mail_domain=spec.mail_domain)
        counts = {"units": setup.units}
        if profile == DEFAULT_PROFILE:
            counts.update(users=seed_users(), rules=setup.rules, directives=seed_directives(),
                          progress=seed_progress())
            return counts
        counts.update(rules=setup.rules, **seed_profile_demo(DEMOS[profile], spec.mail_domain))
        return counts


PROFILE_NAMES = list(PROFILES)
