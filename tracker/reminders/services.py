"""Reminder rules over the database: gather plain data, select what is due, compose the e-mails.

`plan_*` functions only read; `queue` adds the log rows and outbox messages and flushes. The job
(tracker.reminders.jobs) commits once, so the unique log rows and the messages they produce land
together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup, escape

from tracker.calendar.services import load_calendar
from tracker.constants import LEADER, OFFICER, SECRETARIAT
from tracker.core import clock
from tracker.core.formatting import fmt_date
from tracker.directives.naming import task_name
from tracker.directives.status import Status
from tracker.extensions import db
from tracker.organization import services as organization
from tracker.reminders import open_work, selection
from tracker.reminders.mail import clean_address, clean_header, utcnow
from tracker.reminders.models import (
    CUTOFF,
    DAILY,
    DUE_TODAY,
    ESCALATE,
    MAIL_CUTOFF,
    MAIL_REMINDER,
    OVERDUE,
    QUEUED,
    UPCOMING,
    OutboxMessage,
    ReminderLog,
)
from tracker.reminders.open_work import OpenAssignment, Person, UnitRow
from tracker.reminders.policy import Policy, load_policy

# Display order in an e-mail: the most urgent first.
SEVERITY = {ESCALATE: 0, OVERDUE: 1, DUE_TODAY: 2, UPCOMING: 3}
SUBJECT_PHRASES = {
    ESCALATE: "{n} nhiệm vụ quá hạn cần lãnh đạo chỉ đạo",
    OVERDUE: "{n} nhiệm vụ quá hạn",
    DUE_TODAY: "{n} nhiệm vụ đến hạn hôm nay",
    UPCOMING: "{n} nhiệm vụ sắp đến hạn",
}
SECTION_TITLES = {
    ESCALATE: "Quá hạn, đã báo cáo lãnh đạo phụ trách và Văn phòng",
    OVERDUE: "Quá hạn",
    DUE_TODAY: "Đến hạn hôm nay",
    UPCOMING: "Sắp đến hạn",
}
LEVEL_ONE_MODES = ("each_run",)
CUTOFF_MODES = ("each_run", "daily_digest")


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str


@lru_cache(maxsize=4096)  # a run writes ~8,000 lines over a few hundred deadlines
def _deadline_text(deadline: dt.date | None) -> str:
    return fmt_date(deadline, "Không có thời hạn")


@lru_cache(maxsize=4096)
def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split(".") if p.isdigit())


@dataclass
class MailItem:
    """One line of a reminder e-mail."""

    assignment_id: int
    directive_id: int
    number: str
    title: str
    unit_name: str
    role_label: str
    deadline: dt.date | None
    days_overdue: int
    kind: str
    link: str
    status_label: str = ""
    last_update: dt.date | None = None
    year: int | None = None  # the task's period: numbers restart every month
    month: int | None = None

    @cached_property
    def name(self) -> str:
        """'Nhiệm vụ 3 (tháng 03/2023)'."""
        return task_name(self.number, self.year, self.month)

    @cached_property
    def deadline_text(self) -> str:
        return _deadline_text(self.deadline)

    @cached_property
    def number_key(self) -> tuple[int, ...]:
        """'6.1' sorts after '6' and before '7' (not as text, where '12' < '6')."""
        return _number_key(self.number)

    @cached_property
    def sort_key(self) -> tuple:
        return (SEVERITY.get(self.kind, 9), -self.days_overdue, self.number_key, self.unit_name)


@dataclass
class Composed:
    """A message ready for the outbox."""

    kind: str
    recipient: Recipient
    subject: str
    text: str
    html: str
    dedupe_key: str


@dataclass
class Plan:
    """What a run would record and send; `queue` writes it."""

    as_of: dt.date
    due: list[selection.Due] = field(default_factory=list)
    messages: list[Composed] = field(default_factory=list)

    def describe(self) -> list[str]:
        """Human-readable lines for --dry-run and the logs."""
        return [f"{m.recipient.address}: {m.subject}" for m in self.messages]


def directive_link(directive_id: int) -> str:
    base = str(current_app.config.get("BASE_URL", "")).rstrip("/")
    return f"{base}/directives/{directive_id}"


def current_policy() -> Policy:
    return load_policy(current_app.config.get("REMINDER_TIME"))


# ---------------------------------------------------------------- data gathering


def recorded_keys(assignment_ids: Iterable[int], kinds: Iterable[str]) -> set[tuple[int, str, str]]:
    ids = list(assignment_ids)
    if not ids:
        return set()
    rows = db.session.execute(
        sa.select(ReminderLog.assignment_id, ReminderLog.kind, ReminderLog.occurrence).where(
            ReminderLog.assignment_id.in_(ids), ReminderLog.kind.in_(list(kinds))
        )
    ).all()
    return {(a, k, o) for a, k, o in rows}


class Directory:
    """Who gets what: unit mailboxes, officers by notify_mode, leaders, the secretariat."""

    def __init__(self) -> None:
        self._people: dict[tuple[str, int], Recipient | None] = {}
        # the same unit (and officer) is asked for thousands of times a run
        self._lists: dict[tuple[int, int | None, tuple[str, ...] | None], list[Recipient]] = {}
        self.officers: dict[int, list[Person]] = defaultdict(list)
        for user in open_work.active_people(OFFICER):
            if user.unit_id is not None:
                self.officers[user.unit_id].append(user)
        self.secretariat = open_work.active_people(SECRETARIAT)
        self.leaders = open_work.active_people(LEADER)

    def _person(self, user: Person) -> Recipient | None:
        key = ("user", user.id)
        if key not in self._people:  # a run asks for the same people ~100,000 times
            address = clean_address(user.email)
            self._people[key] = (
                Recipient(address, clean_header(user.full_name)) if address else None
            )
        return self._people[key]

    def _mailbox(self, unit: UnitRow) -> Recipient | None:
        key = ("unit", unit.id)
        if key not in self._people:
            address = clean_address(unit.email)
            self._people[key] = Recipient(address, clean_header(unit.name)) if address else None
        return self._people[key]

    def unit(self, unit: UnitRow, modes: Iterable[str] | None) -> list[Recipient]:
        """The unit's mailbox and its officers whose notify_mode is in `modes` (None: all)."""
        return self._recipients(unit, None, modes)

    def assignees(
        self, assignment: OpenAssignment, modes: Iterable[str] | None
    ) -> list[Recipient]:
        """Who hears about an assignment: its unit, or, when it names an officer, the unit's
        mailbox and that officer (not the unit's other officers)."""
        return self._recipients(assignment.unit, assignment.officer_id, modes)

    def _recipients(
        self, unit: UnitRow, officer_id: int | None, modes: Iterable[str] | None
    ) -> list[Recipient]:
        wanted = tuple(modes) if modes is not None else None
        key = (unit.id, officer_id, wanted)
        found = self._lists.get(key)
        if found is None:
            people = [self._mailbox(unit)] if unit.active else []
            for user in self.officers.get(unit.id, []):
                if officer_id not in (None, user.id):
                    continue
                if wanted is None or user.notify_mode in wanted:
                    people.append(self._person(user))
            found = self._lists[key] = [r for r in people if r is not None]
        return found  # shared: callers only read it

    def daily_units(self) -> set[int]:
        return {
            unit_id
            for unit_id, users in self.officers.items()
            if any(u.notify_mode == "daily_digest" and clean_address(u.email) for u in users)
        }

    def daily_officers(self, unit_id: int, officer_id: int | None = None) -> list[Recipient]:
        people = [
            self._person(u)
            for u in self.officers.get(unit_id, [])
            if u.notify_mode == "daily_digest" and officer_id in (None, u.id)
        ]
        return [r for r in people if r is not None]

    def escalation(
        self, assignment: OpenAssignment, leader: Person | None
    ) -> list[Recipient]:
        """Level 2: the unit (all officers, mailbox), the leader in charge (``leader``, the
        directive's), the secretariat."""
        if leader is not None and leader.active and leader.email:
            leaders = [leader]
        else:
            leaders = self.leaders
        people = [self._person(u) for u in [*leaders, *self.secretariat]]
        return self.assignees(assignment, None) + [r for r in people if r is not None]

    def digest_leaders(self) -> list[Recipient]:
        people = [self._person(u) for u in self.leaders if u.notify_mode != "escalations_only"]
        return [r for r in people if r is not None]


# ---------------------------------------------------------------- composition


def mail_item(
    assignment: OpenAssignment, kind: str, due: selection.Due, status: Status
) -> MailItem:
    """One line of an e-mail; ``status``: the assignment's on the run's day
    (open_work.statuses)."""
    return MailItem(
        assignment_id=assignment.id,
        directive_id=assignment.directive_id,
        number=assignment.number,
        title=assignment.title,
        unit_name=assignment.unit.name,
        role_label=assignment.role_label.lower(),
        deadline=due.deadline,
        days_overdue=due.days_overdue,
        kind=kind,
        link=directive_link(assignment.directive_id),
        status_label=status.label,
        year=assignment.year,
        month=assignment.month,
        last_update=clock.local_date(assignment.last_update_at)
        if assignment.last_update_at
        else None,
    )


def _display_kind(due: selection.Due, as_of: dt.date) -> str:
    if due.kind != DAILY:
        return due.kind
    if due.deadline is not None and due.deadline < as_of:
        return OVERDUE
    if due.deadline == as_of:
        return DUE_TODAY
    return UPCOMING


def reminder_subject(items: list[MailItem]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        counts[item.kind] += 1
    prefix = "[Báo cáo vượt cấp]" if counts.get(ESCALATE) else "[Nhắc việc]"
    parts = [SUBJECT_PHRASES[k].format(n=counts[k]) for k in SEVERITY if counts.get(k)]
    return f"{prefix} {', '.join(parts)}"


def _dedupe(prefix: str, recipient: str, keys: Iterable[object]) -> str:
    digest = hashlib.sha256(
        "|".join([recipient, *sorted(str(k) for k in keys)]).encode()
    ).hexdigest()[:40]
    return f"{prefix}:{digest}"


@dataclass(frozen=True)
class Section:
    """A group of tasks in a reminder e-mail (overdue, due today, ...), already rendered."""

    title: str
    count: int
    html_rows: Markup
    text_lines: str


class _ItemRenderer:
    """Renders each task's row once per run, all in one pass of the item templates: the same
    task goes to the unit's mailbox, its officers, the leader and the secretariat (a province
    run has ~100,000 lines for ~8,000 tasks), and even one macro call per task was a good part
    of the run."""

    def __init__(self, items: Iterable[MailItem]) -> None:
        unique = list({id(item): item for item in items}.values())
        sep = f"@@item-{secrets.token_hex(8)}@@"  # nothing autoescape would change
        env = current_app.jinja_env
        html = env.get_template("reminders/email/_reminder_item.html").render(
            items=unique, sep=sep).split(sep)
        text = env.get_template("reminders/email/_reminder_item.txt").render(
            items=unique, sep=sep).split(sep)
        self._done: dict[int, tuple[str, str]] = {
            id(item): (html[n], text[n]) for n, item in enumerate(unique)
        }

    def section(self, title: str, items: list[MailItem]) -> Section:
        parts = [self._done[id(item)] for item in items]
        return Section(
            title,
            len(items),
            # each part is the output of the autoescaping template: join without escaping again
            Markup("".join(html for html, _ in parts)),  # noqa: S704
            "".join(f"{n}. {text}" for n, (_, text) in enumerate(parts, 1)),
        )


def render_mail(name: str, **context: object) -> tuple[str, str]:
    """The e-mail's text and HTML. The templates read only what is passed here, so they are
    rendered straight from the environment: Flask's render_template would run every page's
    context processors (the organization, the inbox counts) for each."""
    context.setdefault("org_name", organization.current().short_name)
    context.setdefault("base_url", str(current_app.config.get("BASE_URL", "")).rstrip("/"))
    env = current_app.jinja_env
    text = env.get_template(f"reminders/email/{name}.txt").render(context)
    html = env.get_template(f"reminders/email/{name}.html").render(context)
    return text, html


class Letters:
    """One e-mail template rendered once per distinct body: a unit's mailbox and its officers,
    or the leader and the secretariat, get the same list and differ only in the greeting
    (~2,100 reminder e-mails at province scale have ~170 bodies). The body is rendered for a
    random placeholder recipient, which each copy replaces with its own name (escaped in HTML,
    as the template's autoescape would)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.slot = f"recipient-{secrets.token_hex(8)}"
        self._bodies: dict[object, tuple[str, list[str], list[str]]] = {}

    def render(
        self, recipient: Recipient, key: object, context: Callable[[], dict[str, object]]
    ) -> tuple[str, str, str]:
        """(subject, text, html) for ``recipient``. ``key`` names the body: ``context()``
        (the template's values, with its subject) is asked for once per key."""
        body = self._bodies.get(key)
        if body is None:
            values = context()
            text, html = render_mail(
                self.name, recipient=Recipient(self.slot, self.slot), **values
            )
            body = (str(values["subject"]), text.split(self.slot), html.split(self.slot))
            self._bodies[key] = body
        subject, text_parts, html_parts = body
        greeting = recipient.name or recipient.address
        return subject, greeting.join(text_parts), str(escape(greeting)).join(html_parts)


def _reminder_context(
    items: list[MailItem], rendered: _ItemRenderer, as_of: dt.date
) -> dict[str, object]:
    return {
        "subject": reminder_subject(items),
        "sections": [
            rendered.section(SECTION_TITLES[k], [i for i in items if i.kind == k])
            for k in SEVERITY
            if any(i.kind == k for i in items)
        ],
        "as_of": as_of,
        "escalation": any(i.kind == ESCALATE for i in items),
    }


def plan_reminders(as_of: dt.date, policy: Policy | None = None) -> Plan:
    """Everything due as of the day that has no record yet, composed one e-mail per recipient."""
    policy = policy or current_policy()
    calendar = load_calendar()
    plan = Plan(as_of)
    if not calendar.is_working_day(as_of):
        return plan
    assignments = open_work.open_assignments(as_of)
    by_id = {a.id: a for a in assignments}
    directory = Directory()
    recorded = recorded_keys(by_id, [UPCOMING, DUE_TODAY, OVERDUE, ESCALATE, DAILY])
    plan.due = selection.select_due(
        as_of,
        (a.info() for a in assignments),
        policy,
        calendar,
        recorded,
        directory.daily_units(),
    )
    due_work = {d.assignment_id: by_id[d.assignment_id] for d in plan.due}
    statuses = open_work.statuses(due_work.values(), as_of, calendar)
    leaders = open_work.leaders_of(due_work[d.assignment_id] for d in plan.due
                                   if d.kind == ESCALATE)
    inbox: dict[str, tuple[Recipient, dict[int, MailItem]]] = {}
    for due in plan.due:
        assignment = due_work[due.assignment_id]
        if due.kind == ESCALATE:
            leader = leaders.get(assignment.leader_id) if assignment.leader_id else None
            recipients = directory.escalation(assignment, leader)
        elif due.kind == DAILY:
            recipients = directory.daily_officers(assignment.unit_id, assignment.officer_id)
        else:
            recipients = directory.assignees(assignment, LEVEL_ONE_MODES)
        kind = _display_kind(due, as_of)
        item: MailItem | None = None  # built once per due item, shared by its recipients
        for recipient in recipients:
            _, items = inbox.setdefault(recipient.address.lower(), (recipient, {}))
            current = items.get(assignment.id)
            if current is None or SEVERITY[kind] < SEVERITY[current.kind]:
                item = item or mail_item(assignment, kind, due, statuses[assignment.id])
                items[assignment.id] = item
    keys_by_assignment: dict[int, list[str]] = defaultdict(list)
    for d in plan.due:
        keys_by_assignment[d.assignment_id].append(f"{d.assignment_id}/{d.kind}/{d.occurrence}")
    rendered = _ItemRenderer(item for _, items in inbox.values() for item in items.values())
    letters = Letters("reminder")
    for address, (recipient, by_assignment) in sorted(inbox.items()):
        items = sorted(by_assignment.values(), key=lambda i: i.sort_key)
        subject, text, html = letters.render(
            recipient,
            tuple(id(i) for i in items),  # the items (each with its kind) make the body
            lambda items=items: _reminder_context(items, rendered, as_of),
        )
        keys = [key for assignment_id in by_assignment
                for key in keys_by_assignment[assignment_id]]
        plan.messages.append(
            Composed(
                MAIL_REMINDER, recipient, subject, text, html,
                _dedupe(f"reminder:{as_of.isoformat()}", address, keys),
            )
        )
    return plan


def plan_cutoff(as_of: dt.date, policy: Policy | None = None) -> Plan:
    """The monthly "update your progress before the cut-off" notice to units with open work."""
    policy = policy or current_policy()
    calendar = load_calendar()
    plan = Plan(as_of)
    found = selection.cutoff_occurrence(as_of, policy, calendar)
    if found is None:
        return plan
    month_key, cutoff = found
    assignments = open_work.open_assignments(as_of)
    by_id = {a.id: a for a in assignments}
    recorded = recorded_keys(by_id, [CUTOFF])
    plan.due = selection.cutoff_due(
        as_of, month_key, (a.info() for a in assignments), recorded
    )
    directory = Directory()
    statuses = open_work.statuses((by_id[d.assignment_id] for d in plan.due), as_of, calendar)
    inbox: dict[str, tuple[Recipient, dict[int, MailItem]]] = {}
    for due in plan.due:
        assignment = by_id[due.assignment_id]
        item = mail_item(assignment, CUTOFF, due, statuses[assignment.id])
        for recipient in directory.assignees(assignment, CUTOFF_MODES):
            inbox.setdefault(recipient.address.lower(), (recipient, {}))[1][assignment.id] = item
    letters = Letters("cutoff")
    for address, (recipient, by_assignment) in sorted(inbox.items()):
        items = sorted(
            by_assignment.values(), key=lambda i: (-i.days_overdue, i.number_key, i.unit_name)
        )
        subject, text, html = letters.render(
            recipient,
            tuple(id(i) for i in items),
            lambda items=items: {
                "subject": f"[Nhắc việc] Cập nhật tiến độ {len(items)} nhiệm vụ "
                           f"trước ngày chốt báo cáo {fmt_date(cutoff)}",
                "items": items, "cutoff": cutoff, "as_of": as_of,
            },
        )
        plan.messages.append(
            Composed(
                MAIL_CUTOFF, recipient, subject, text, html,
                _dedupe(f"cutoff:{month_key}", address, sorted(by_assignment)),
            )
        )
    return plan


# ---------------------------------------------------------------- writing


def queue(plan: Plan) -> list[OutboxMessage]:
    """Insert the plan's log rows and outbox messages (flush; the caller commits)."""
    now = utcnow()
    for due in plan.due:
        db.session.add(
            ReminderLog(
                assignment_id=due.assignment_id,
                kind=due.kind,
                occurrence=due.occurrence,
                as_of=plan.as_of,
                created_at=now,
            )
        )
    rows = []
    for message in plan.messages:
        row = OutboxMessage(
            kind=message.kind,
            as_of=plan.as_of,
            recipient=message.recipient.address,
            recipient_name=message.recipient.name,
            subject=clean_header(message.subject),
            text_body=message.text,
            html_body=message.html,
            status=QUEUED,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            dedupe_key=message.dedupe_key,
        )
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows
