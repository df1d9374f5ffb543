"""Tell the people concerned, at once, when something happens to their work.

One small function per event, called by the service that does the action (tracker/work/
workflow.py) or subscribed to the directive rules' events (tracker/directives/events.py:
assignments created by hand or by an import, a directive withdrawn):

| event | told |
|---|---|
| units given work | the unit: its officers and its mailbox |
| a completion reported | the leader in charge (every leader when none) and the Văn phòng |
| a completion confirmed or returned (with the reason) | the unit |
| an extension requested | the leader in charge (every leader when none) |
| an extension decided | the unit |
| a directive withdrawn | its units |

Each person gets one in-app notification per event (unique on person and event) and, by their
choice on "Nhận thông báo" (``User.event_mail``), an e-mail at once, a line in the daily digest,
or none; a unit's mailbox always gets the e-mail. Everything is written in the action's own
transaction (tracker/work/event_mail.py queues the outbox rows), so a rolled-back action tells
nobody, and mail leaves only after the commit. The person who acted is not told.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tracker.auth.models import User
from tracker.constants import APPROVED, LEADER, OFFICER, SECRETARIAT
from tracker.core import clock
from tracker.core.formatting import fmt_date
from tracker.directives import events
from tracker.directives.models import Assignment, Directive, ExtensionRequest, ProgressUpdate
from tracker.directives.naming import directive_name
from tracker.directives.presenters import assignment_deadline
from tracker.extensions import db
from tracker.units.models import Unit
from tracker.work import event_mail
from tracker.work.models import (
    ASSIGNED,
    COMPLETION_CONFIRMED,
    COMPLETION_REPORTED,
    COMPLETION_RETURNED,
    EXTENSION_DECIDED,
    EXTENSION_REQUESTED,
    MAIL_DIGEST,
    MAIL_NONE,
    MAIL_QUEUED,
    WITHDRAWN,
    Notification,
)

MAX_BODY = 1_000
_QUIET: ContextVar[bool] = ContextVar("tracker_notify_quiet", default=False)


@dataclass
class Event:
    """One thing that happened, as people read it (Vietnamese), with what it concerns."""

    kind: str
    key: str  # unique per event: kind and the id of the row that records it
    title: str
    details: list[tuple[str, str]]
    link: str  # a path: "/directives/12#act34"
    at: dt.datetime
    unit: Unit | None = None
    directive_id: int | None = None
    assignment_id: int | None = None
    actor: Any = None
    tasks: list[tuple[str, str, str]] = field(default_factory=list)  # name, title, detail
    officer_ids: frozenset[int] = frozenset()  # officers the tasks name: only they are told

    @property
    def body(self) -> str:
        lines = [f"{label}: {value}" for label, value in self.details if value]
        lines += [f"{name}: {title} ({detail})" for name, title, detail in self.tasks]
        text = "\n".join(lines)
        return text if len(text) <= MAX_BODY else text[: MAX_BODY - 1] + "…"



@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Record history without telling anyone (the demo seed writes March 2023 after the fact)."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


# --- who -------------------------------------------------------------------------------------


def _active(query: sa.Select) -> list[User]:
    return list(db.session.scalars(query.where(User.active.is_(True)).order_by(User.id)))


def unit_officers(unit_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active officers of each unit, in one query."""
    ids = set(unit_ids)
    found: dict[int, list[User]] = defaultdict(list)
    if ids:
        for user in _active(sa.select(User).where(User.role == OFFICER, User.unit_id.in_(ids))):
            found[user.unit_id].append(user)  # type: ignore[index]
    return found


def leaders_in_charge(directive: Directive) -> list[User]:
    """The leader in charge of the directive (or of its parent); every leader when there is
    none or they are no longer an active leader."""
    leader = directive.leader or (directive.parent.leader if directive.parent else None)
    if leader is not None and leader.active and leader.role == LEADER:
        return [leader]
    return _active(sa.select(User).where(User.role == LEADER))


def secretariat() -> list[User]:
    return _active(sa.select(User).where(User.role == SECRETARIAT))


# --- telling ---------------------------------------------------------------------------------


def _tell(event: Event, people: Iterable[User], mailboxes: Iterable[Unit] = ()) -> None:
    """An in-app notification for each person (not the actor), e-mails by their choice."""
    if _QUIET.get():
        return
    actor_id = getattr(event.actor, "id", None)
    users = {u.id: u for u in people if u.active and u.id != actor_id}
    told = set(db.session.scalars(sa.select(Notification.user_id).where(
        Notification.event_key == event.key, Notification.user_id.in_(list(users)))))
    mail_to: list[tuple[str, str]] = []
    for user in users.values():
        if user.id in told:
            continue
        mode = event_mail.mode_of(user)
        db.session.add(Notification(
            user_id=user.id, event_key=event.key, kind=event.kind,
            unit_id=event.unit.id if event.unit else None, directive_id=event.directive_id,
            assignment_id=event.assignment_id, actor_id=actor_id, title=event.title,
            body=event.body, link=event.link, created_at=event.at,
            mail=MAIL_QUEUED if mode == "each_event" else MAIL_DIGEST
            if mode == "daily_digest" else MAIL_NONE,
        ))
        if mode == "each_event":
            mail_to.append((user.email or "", user.full_name))
    # A unit mailbox that is also a person's own address follows that person's choice.
    personal = {(u.email or "").strip().lower() for u in users.values()}
    mail_to += [(unit.email or "", unit.name) for unit in mailboxes
                if unit.active and (unit.email or "").strip().lower() not in personal]
    event_mail.queue(event, mail_to)
    db.session.flush()


def _link(directive_id: int, anchor: str = "") -> str:
    return f"/directives/{directive_id}" + (f"#{anchor}" if anchor else "")


def _deadline_text(assignment: Assignment) -> str:
    deadline = assignment_deadline(assignment, clock.today())
    return fmt_date(deadline, "Thường xuyên (không có thời hạn)")


def _task_details(assignment: Assignment) -> list[tuple[str, str]]:
    return [
        ("Nhiệm vụ", assignment.directive.title),
        ("Đơn vị", f"{assignment.unit.name} ({assignment.role_label.lower()})"),
        ("Thời hạn", _deadline_text(assignment)),
    ]


def _about(assignment: Assignment, kind: str, key: str, title: str, actor: Any,
           at: dt.datetime | None, anchor: str, extra: Sequence[tuple[str, str]] = ()) -> Event:
    return Event(
        kind=kind, key=key, title=title, details=[*_task_details(assignment), *extra],
        link=_link(assignment.directive_id, anchor), at=at or clock.now(), unit=assignment.unit,
        directive_id=assignment.directive_id, assignment_id=assignment.id, actor=actor,
        officer_ids=frozenset({assignment.officer_id} if assignment.officer_id else ()),
    )


def _tell_unit(event: Event, officers: dict[int, list[User]] | None = None) -> None:
    """The unit's officers (only the named one when the task names an officer, as the
    permission table lets only them act) and the unit's mailbox."""
    unit = event.unit
    assert unit is not None  # noqa: S101 - every unit event has its unit
    officers = officers if officers is not None else unit_officers([unit.id])
    people = officers.get(unit.id, [])
    if event.officer_ids:
        people = [u for u in people if u.id in event.officer_ids]
    _tell(event, people, [unit])


# --- the events --------------------------------------------------------------------------------


def assignments_created(assignments: Sequence[Assignment], actor: Any = None) -> None:
    """Units given work: one notice per unit (a unit given several tasks by an import gets one
    notice listing them)."""
    by_unit: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        by_unit[assignment.unit_id].append(assignment)
    if _QUIET.get() or not by_unit:
        return
    officers = unit_officers(by_unit)
    for group in by_unit.values():
        _tell_unit(_assigned_event(sorted(group, key=lambda a: a.id), actor), officers)


def _assigned_event(group: list[Assignment], actor: Any) -> Event:
    first = group[0]
    by = ("Người giao", _name(actor))
    if len(group) == 1:
        return _about(first, ASSIGNED, f"assigned:{first.id}",
                      f"Giao nhiệm vụ mới: {directive_name(first.directive)}", actor, None,
                      f"act{first.id}", [by])
    named = {a.officer_id for a in group}
    event = Event(
        kind=ASSIGNED, key=f"assigned:{first.id}+{len(group)}",
        title=f"{first.unit.name} được giao {len(group)} nhiệm vụ mới",
        details=[("Đơn vị", first.unit.name), by], link="/inbox", at=clock.now(),
        unit=first.unit, actor=actor,
        # only when every task names an officer; otherwise the whole unit hears of it
        officer_ids=frozenset(named) if None not in named else frozenset(),
    )
    event.tasks = [
        (directive_name(a.directive), a.directive.title,
         f"{a.role_label.lower()}, thời hạn {_deadline_text(a)}")
        for a in group
    ]
    return event


def completion_reported(update: ProgressUpdate, actor: Any = None) -> None:
    """To the leader in charge and the Văn phòng: a completion waits for confirmation."""
    a = update.assignment
    event = _about(a, COMPLETION_REPORTED, f"completion:{update.id}",
                   f"{a.unit.name} báo cáo hoàn thành {directive_name(a.directive)}", actor,
                   update.created_at, f"act{a.id}",
                   [("Kết quả", update.result), ("Người báo cáo", _name(actor))])
    _tell(event, [*leaders_in_charge(a.directive), *secretariat()])


def completion_confirmed(note: ProgressUpdate, actor: Any = None) -> None:
    a = note.assignment
    on_time = "đúng hạn" if a.on_time else "quá hạn"
    _tell_unit(_about(
        a, COMPLETION_CONFIRMED, f"confirmed:{note.id}",
        f"Đã xác nhận hoàn thành {directive_name(a.directive)}", actor, note.created_at,
        f"a{a.id}", [("Ngày hoàn thành", f"{fmt_date(a.completed_on)} ({on_time})"),
                     ("Ý kiến", note.result), ("Người xác nhận", _name(actor))],
    ))


def completion_returned(note: ProgressUpdate, actor: Any = None) -> None:
    a = note.assignment
    _tell_unit(_about(
        a, COMPLETION_RETURNED, f"returned:{note.id}",
        f"Trả lại báo cáo hoàn thành {directive_name(a.directive)}", actor, note.created_at,
        f"act{a.id}", [("Lý do trả lại", note.result), ("Người trả lại", _name(actor))],
    ))


def extension_requested(request: ExtensionRequest, actor: Any = None) -> None:
    """To the leader in charge: an extension waits for a decision."""
    a = request.assignment
    event = _about(
        a, EXTENSION_REQUESTED, f"extension:{request.id}",
        f"{a.unit.name} đề nghị gia hạn {directive_name(a.directive)}", actor,
        request.requested_at, f"act{a.id}",
        [("Đề nghị gia hạn đến", fmt_date(request.proposed_deadline)),
         ("Lý do", request.reason), ("Người đề nghị", _name(actor))],
    )
    _tell(event, leaders_in_charge(a.directive))


def extension_decided(request: ExtensionRequest, actor: Any = None) -> None:
    a = request.assignment
    name = directive_name(a.directive)
    approved = request.status == APPROVED
    title = (f"Đồng ý gia hạn {name} đến {fmt_date(request.proposed_deadline)}" if approved
             else f"Không đồng ý gia hạn {name}")
    _tell_unit(_about(
        a, EXTENSION_DECIDED, f"decision:{request.id}", title, actor, request.decided_at,
        f"a{a.id}",
        [("Ý kiến", request.decision_comment or ""), ("Người quyết định", _name(actor))],
    ))


def directive_withdrawn(directives: Sequence[Directive], reason: str, actor: Any = None) -> None:
    """To every unit of each withdrawn directive: the work is void."""
    if _QUIET.get():
        return
    assignments = [a for d in directives for a in d.assignments]
    officers = unit_officers(a.unit_id for a in assignments)
    for a in assignments:
        _tell_unit(_about(
            a, WITHDRAWN, f"withdrawn:{a.directive_id}",
            f"Nhiệm vụ đã được rút: {directive_name(a.directive)}", actor, None, f"a{a.id}",
            [("Lý do rút", reason), ("Người rút", _name(actor))],
        ), officers)


def _name(user: Any) -> str:
    """Who acted, as the notice names them: "Nguyễn Văn Tâm (Chủ tịch UBND thành phố)"."""
    name = getattr(user, "full_name", "") or ""
    if not name:
        return "Hệ thống"
    title = getattr(user, "title", None)
    return f"{name} ({title})" if title else name


def _on_assigned(event: events.AssignmentsCreated) -> None:
    assignments_created(event.assignments, event.actor)


def _on_withdrawn(event: events.DirectiveWithdrawn) -> None:
    directive_withdrawn(event.directives, event.reason, event.actor)


def subscribe() -> None:
    """Listen to the directive rules' events (the app factory calls this; idempotent)."""
    events.subscribe(events.AssignmentsCreated, _on_assigned)
    events.subscribe(events.DirectiveWithdrawn, _on_withdrawn)
