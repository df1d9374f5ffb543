"""Building blocks of a demo: accounts, importing the profile's report, and progress written
through the same services as the app, at explicit Vietnam times (so the result does not depend
on the day the seed runs)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from tracker.auth import services as user_services
from tracker.auth.models import User
from tracker.core import clock
from tracker.demo.accounts import DEMO_PASSWORD
from tracker.directives.models import Assignment, Directive, SourceDocument
from tracker.extensions import db
from tracker.intake import drafts
from tracker.intake.parser import parse_report
from tracker.intake.reading import read_report_file
from tracker.intake.rules import routing_rules
from tracker.intake.unit_names import UnitRef
from tracker.units.queries import active_units
from tracker.work import workflow


@dataclass(frozen=True)
class Account:
    username: str
    full_name: str
    role: str
    unit_code: str | None
    title: str


def ensure_accounts(accounts: list[Account], mail_domain: str) -> int:
    """Create the accounts that do not exist yet (the published demo password)."""
    added = 0
    for spec in accounts:
        if db.session.scalar(sa.select(User.id).where(User.username == spec.username)):
            continue
        user_services.create_user(
            username=spec.username, full_name=spec.full_name, password=DEMO_PASSWORD,
            role=spec.role, email=f"{spec.username}@{mail_domain}", unit_code=spec.unit_code,
            title=spec.title,
        )
        added += 1
    db.session.flush()
    return added


def import_report(path: Path, *, leader: str, assigned_on: dt.date,
                  deadline: dt.date) -> SourceDocument | None:
    """Import the demo report once (by content hash), as the app's importer does; the
    directives' leader in charge is ``leader``. None when it was imported before."""
    text = read_report_file(path.name, path.read_bytes())
    catalogue = [UnitRef(u.code, u.name, u.kind) for u in active_units(assigned_on)]
    parsed = parse_report(text, rules=routing_rules(), catalogue=catalogue)
    chief = db.session.scalar(sa.select(User).where(User.username == leader))
    result = drafts.import_report(parsed, text, user=chief, default_deadline=deadline,
                                  assigned_on=assigned_on)
    if result.already_imported:
        return None
    for directive in result.created:
        directive.leader = chief
    db.session.flush()
    return result.source


def vn_time(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A Vietnam wall-clock time as the naive UTC datetime the database stores."""
    return clock.local_datetime(day, hour, minute)


class Story:
    """The imported directives' assignments by (task number, unit code), and the accounts."""

    def __init__(self, source: SourceDocument) -> None:
        rows = db.session.scalars(
            sa.select(Assignment).join(Directive, Assignment.directive_id == Directive.id)
            .where(Directive.source_id == source.id)
        )
        self.assignments = {(a.directive.number, a.unit.code): a for a in rows}
        self.users = {u.username: u for u in db.session.scalars(sa.select(User))}
        self.count = 0

    def a(self, number: str, unit: str) -> Assignment:
        return self.assignments[(number, unit)]

    def progress(self, number: str, unit: str, user: str, at: dt.datetime, percent: int,
                 result: str, difficulties: str = "", proposals: str = "",
                 done: bool = False) -> None:
        workflow.post_progress(self.a(number, unit), self.users[user], percent=percent,
                               result=result, difficulties=difficulties, proposals=proposals,
                               files=(), report_done=done, at=at)
        self.count += 1

    def confirm(self, number: str, unit: str, user: str, at: dt.datetime) -> None:
        workflow.confirm_completion(self.a(number, unit), self.users[user], comment="Đồng ý.",
                                    at=at)
        self.count += 1

    def extend(self, number: str, unit: str, user: str, at: dt.datetime, until: dt.date,
               reason: str, approver: str | None = None) -> None:
        request = workflow.request_extension(self.a(number, unit), self.users[user],
                                             reason=reason, proposed_deadline=until, at=at)
        self.count += 1
        if approver is not None:
            workflow.decide_extension(request, self.users[approver], approve=True,
                                      comment="Đồng ý gia hạn.", at=at + dt.timedelta(days=1))
            self.count += 1
