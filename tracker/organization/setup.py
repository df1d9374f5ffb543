"""Write a profile into the database: the organization, its units and its routing rules.

Used by `flask init-organization` (a first run without demo data) and by `flask seed-demo`.
Idempotent: units are matched by code and routing rules are only seeded into an empty table,
so running it again adds nothing; afterwards the admin owns all of it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sqlalchemy as sa

from tracker.core import audit
from tracker.core.errors import UserError
from tracker.extensions import db
from tracker.intake.models import RoutingRule
from tracker.intake.routing import DEFAULT_RULES
from tracker.intake.rules import keywords_text
from tracker.organization import services
from tracker.organization.profiles import DEFAULT_PROFILE, PROFILES, Profile, RuleDef, UnitDef
from tracker.units import kinds
from tracker.units.models import Unit


@dataclass
class SetupResult:
    organization: services.OrgInfo
    units: int
    rules: int


def profile_named(key: str) -> Profile:
    if key not in PROFILES:
        raise UserError(
            f"Không có cấu hình mẫu «{key}». Chọn một trong: {', '.join(PROFILES)}."
        )
    return PROFILES[key]


def apply_profile(
    key: str,
    *,
    name: str | None = None,
    place: str | None = None,
    signer_name: str | None = None,
    mail_domain: str | None = None,
    replace_organization: bool = True,
) -> SetupResult:
    """Set up the organization from a profile (named ``name``, dated ``place``)."""
    profile = profile_named(key)
    if key == DEFAULT_PROFILE and name is None:
        # A first run of the default profile takes ORG_NAME / ORG_PLACE from the environment.
        info = replace(services.fallback(), profile=key)
        if place or signer_name is not None:
            info = replace(info, place=place or info.place,
                           signer_name=info.signer_name if signer_name is None else signer_name)
    else:
        info = profile.org_info(name, place, signer_name)
    existing = services.get_row()
    if existing is not None and existing.profile not in ("", key) and _has_units():
        raise UserError(
            f"Cơ sở dữ liệu đã thiết lập theo cấu hình «{existing.profile}»; hãy dùng một cơ sở "
            f"dữ liệu mới cho cấu hình «{key}»."
        )
    if existing is None or replace_organization:
        info = services.save(services.input_of(info))
    else:
        info = services.current()
    added = seed_units(profile.units(info.name), mail_domain)
    rules = seed_rules(profile.rules(info.name) if profile.rules else None)
    return SetupResult(info, added, rules)


def _has_units() -> bool:
    return db.session.scalar(sa.select(Unit.id).limit(1)) is not None


def seed_units(defs: list[UnitDef], mail_domain: str | None = None) -> int:
    """Create the units that do not exist yet (by code), then their parent links."""
    existing = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    start = (db.session.scalar(sa.select(sa.func.max(Unit.position))) or 0) + 1
    added = 0
    for offset, spec in enumerate(defs):
        if spec.code in existing:
            continue
        unit = Unit(
            code=spec.code, name=spec.name, unit_type=spec.unit_type,
            kind=kinds.class_of(spec.unit_type),
            email=f"{spec.code.lower()}@{mail_domain}" if mail_domain else None,
            valid_from=spec.valid_from, ended_on=spec.ended_on,
            position=start + offset if existing else offset,
        )
        db.session.add(unit)
        existing[spec.code] = unit
        added += 1
    db.session.flush()
    for spec in defs:
        unit = existing[spec.code]
        if spec.parent and unit.parent_id is None and spec.parent in existing:
            unit.parent_id = existing[spec.parent].id
    db.session.flush()
    if added:
        audit.record("unit", None, "seed", None, {"units": added})
    return added


def seed_rules(defs: list[RuleDef] | None) -> int:
    """The profile's routing rules, once: afterwards the admin owns the table."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(RoutingRule)):
        return 0
    rows = (
        [(keywords_text(r.keywords), ", ".join(r.unit_codes), r.role, r.field)
         for r in DEFAULT_RULES]
        if defs is None
        else [(keywords_text(k.strip() for k in r.keywords.split(";")), ", ".join(r.units),
               r.role, r.field) for r in defs]
    )
    for position, (keywords, codes, role, field) in enumerate(rows):
        db.session.add(RoutingRule(keywords=keywords, unit_codes=codes, role=role, field=field,
                                   position=position))
    db.session.flush()
    return len(rows)
