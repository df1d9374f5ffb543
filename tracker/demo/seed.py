"""Load the demo data. Idempotent: running it twice adds nothing the second time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from tracker.auth import services as user_services
from tracker.auth.models import ADMIN, LEADER, OFFICER, SECRETARIAT, VIEWER, User
from tracker.demo.progress import seed_progress
from tracker.directives import services as directive_services
from tracker.directives.models import RoutingRule
from tracker.extensions import db
from tracker.intake.parser import parse_report
from tracker.intake.reading import read_report_file
from tracker.intake.routing import DEFAULT_RULES
from tracker.units.catalogue import UNITS
from tracker.units.models import Unit

SEED_REPORT = Path(__file__).parent / "data" / "bao-cao-thang-02-2023.txt"
DEMO_PASSWORD = "Demo@TraVinh2023"  # noqa: S105 - published demo password, README lists it
DEMO_DEADLINE = dt.date(2023, 3, 31)
DEMO_ASSIGNED_ON = dt.date(2023, 3, 1)


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    unit_code: str | None
    title: str


DEMO_USERS = [
    DemoUser("admin", "Quản trị hệ thống", ADMIN, None, "Quản trị viên"),
    DemoUser("chutich", "Nguyễn Văn Tâm", LEADER, "LDUB", "Chủ tịch UBND thành phố"),
    DemoUser("phochutich", "Trần Thị Hồng", LEADER, "LDUB", "Phó Chủ tịch UBND thành phố"),
    DemoUser("vanphong", "Lê Minh Khoa", SECRETARIAT, "VP", "Chuyên viên Văn phòng HĐND-UBND"),
    DemoUser("gddt", "Phạm Thị Lan", OFFICER, "GDDT", "Chuyên viên Phòng Giáo dục và Đào tạo"),
    DemoUser("phuong9", "Thạch Văn Sơn", OFFICER, "P9", "Công chức Văn phòng UBND Phường 9"),
    DemoUser("xem", "Kim Thị Sa Rinh", VIEWER, None, "Thường trực HĐND thành phố"),
]


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
                keywords=directive_services.keywords_text(rule.keywords),
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
    parsed = parse_report(text, rules=directive_services.routing_rules())
    leader = db.session.scalar(sa.select(User).where(User.username == "chutich"))
    result = directive_services.import_report(
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
    """Every demo table, in dependency order. The caller commits."""
    return {
        "units": seed_units(),
        "users": seed_users(),
        "rules": seed_rules(),
        "directives": seed_directives(),
        "progress": seed_progress(),
    }
