"""Việc cần xử lý: what waits for each person today, computed from the work itself.

Nothing is stored: each row is a fact of the data (a completion waits for confirmation, an
extension for a decision, a task is overdue), so acting where the row links to is what removes
it, for everyone it was shown to. The rules, by role:

- leader: completions to confirm and extension requests to decide, on directives they are in
  charge of (or that have no active leader in charge); lead work overdue by at least the
  escalation threshold (working days) on those directives; directives without a lead unit;
- secretariat: reports uploaded and waiting for review; the month's report to prepare, with
  the cut-off date; units with open work and no update since the previous cut-off; every
  completion to confirm;
- officer (their unit only): returned completions with the reason, overdue work, work due
  within the reminder policy's warning days, new assignments, extension decisions received
  (and not yet followed by a report). An assignment is listed once, under the first of these
  that applies;
- admin: e-mails the outbox failed to send. Viewers have nothing to act on.

Every section is one SQL query returning plain rows, so the cost does not grow with the data.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from tracker.auth.models import User
from tracker.calendar.services import load_calendar
from tracker.calendar.workdays import WorkCalendar
from tracker.constants import (
    ADMIN,
    AWAITING_CONFIRMATION,
    COMPLETION,
    IN_PROGRESS,
    LEAD,
    LEADER,
    NOT_STARTED,
    OFFICER,
    PENDING,
    PROGRESS,
    REJECTED,
    SECRETARIAT,
)
from tracker.core import clock, versioning
from tracker.core.formatting import fmt_date, fmt_datetime
from tracker.core.periods import PeriodKey
from tracker.directives.models import (
    Assignment,
    Directive,
    ExtensionRequest,
    Period,
    ProgressUpdate,
)
from tracker.directives.naming import task_name
from tracker.directives.status import EXTENDED
from tracker.directives.status_sql import deadline_in_force
from tracker.extensions import db
from tracker.intake.drafts import DRAFT_KEEP_DAYS
from tracker.intake.models import ImportDraft
from tracker.reminders import selection
from tracker.reminders.models import FAILED, OutboxMessage
from tracker.reminders.policy import Policy, load_policy
from tracker.reports.models import Report
from tracker.units.models import Unit
from tracker.work.returned import still_returned

# Row kinds, in the order their sections appear.
RETURNED = "returned"
OVERDUE = "overdue"
DUE_SOON = "due_soon"
NEW = "new"
DECIDED = "decided"
CONFIRM = "confirm"
DECIDE = "decide"
ESCALATED = "escalated"
NO_LEAD = "no_lead"
DRAFT = "draft"
REPORT = "report"
SILENT = "silent"
MAIL_FAILED = "mail_failed"

SECTION_LABELS: dict[str, str] = {
    CONFIRM: "Báo cáo hoàn thành chờ xác nhận",
    DECIDE: "Đề nghị gia hạn chờ quyết định",
    ESCALATED: "Nhiệm vụ quá hạn cần chỉ đạo",
    NO_LEAD: "Nhiệm vụ chưa có đơn vị chủ trì",
    DRAFT: "Báo cáo đã tải lên, chờ rà soát",
    REPORT: "Báo cáo tháng cần chuẩn bị",
    SILENT: "Đơn vị chưa cập nhật tiến độ trước ngày chốt",
    RETURNED: "Báo cáo hoàn thành bị trả lại",
    OVERDUE: "Nhiệm vụ quá hạn",
    DUE_SOON: "Nhiệm vụ sắp đến hạn",
    NEW: "Nhiệm vụ mới được giao",
    DECIDED: "Kết quả đề nghị gia hạn",
    MAIL_FAILED: "Thư gửi lỗi",
}
RECENT_DECISION_DAYS = 14  # an extension decision stays in the officer's inbox this long at most
LEADLESS_MONTHS = 12  # directives without a lead unit are listed from periods this recent


@dataclass(frozen=True)
class Item:
    """One row: what it is about, what to do, and where to do it."""

    kind: str
    name: str  # "Nhiệm vụ 6.1 (tháng 03/2023)", a file name, a unit
    title: str = ""  # the task's title
    unit: str = ""
    detail: str = ""
    link: str = ""
    deadline: dt.date | None = None
    urgent: bool = False
    key: int = 0  # the assignment (or other row) it is about


@dataclass
class Inbox:
    sections: list[tuple[str, str, list[Item]]] = field(default_factory=list)
    note: str = ""

    @property
    def count(self) -> int:
        return sum(len(items) for _, _, items in self.sections)

    def add(self, kind: str, items: list[Item]) -> None:
        if items:
            self.sections.append((kind, SECTION_LABELS[kind], items))


@dataclass(frozen=True)
class Context:
    """What the rules need besides the data: the day, the calendar and the policy."""

    today: dt.date
    calendar: WorkCalendar
    policy: Policy

    @classmethod
    def load(cls, today: dt.date | None = None) -> Context:
        return cls(today or clock.today(), load_calendar(),
                   load_policy(current_app.config.get("REMINDER_TIME")))

    def days_late(self, deadline: dt.date) -> int:
        return self.calendar.working_days_between(deadline, self.today)

    def last_deadline_overdue_by(self, days: int) -> dt.date:
        """The latest deadline that is at least ``days`` working days past today."""
        day = self.today - dt.timedelta(days=1)
        while self.days_late(day) < days:
            day -= dt.timedelta(days=1)
        return day

    def cutoff_of(self, ref: PeriodKey) -> dt.date:
        return selection.cutoff_date(ref.year, ref.month, self.policy, self.calendar)

    def next_cutoff(self) -> dt.date:
        """The report cut-off on or after today."""
        this_month = self.cutoff_of(PeriodKey.of_month(self.today))
        if this_month >= self.today:
            return this_month
        return self.cutoff_of(PeriodKey.of_month(self.today).next())

    def warning_horizon(self) -> dt.date:
        """The latest deadline within the policy's warning days (working days ahead)."""
        day = self.today
        while self.calendar.working_days_between(self.today, day + dt.timedelta(days=1)) <= \
                self.policy.upcoming_days:
            day += dt.timedelta(days=1)
        return day


# --- shared query pieces -----------------------------------------------------------------------

Parent = aliased(Directive)


def _leader_of() -> sa.ColumnElement:
    return sa.func.coalesce(Directive.leader_id, Parent.leader_id)


def _in_charge(user: User) -> sa.ColumnElement:
    """Directives this leader is in charge of, or that no active leader is in charge of."""
    leader = _leader_of()
    active_leaders = sa.select(User.id).where(User.role == LEADER, User.active.is_(True))
    return sa.or_(leader == user.id, leader.is_(None), leader.not_in(active_leaders))


def _assignments(ctx: Context, *columns: Any) -> sa.Select:
    """Open (not withdrawn) assignments with the names a row shows."""
    return (
        sa.select(
            Assignment.id, Assignment.directive_id, Directive.number, Directive.title,
            Period.year, Period.month, Unit.name.label("unit"), Assignment.role,
            deadline_in_force(Assignment, ctx.today, EXTENDED).label("deadline"), *columns,
        )
        .join(Directive, Directive.id == Assignment.directive_id)
        .join(Period, Period.id == Directive.period_id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .outerjoin(Parent, Parent.id == Directive.parent_id)
        .where(Directive.withdrawn_at.is_(None), Assignment.state.in_(
            [NOT_STARTED, IN_PROGRESS, AWAITING_CONFIRMATION]))
    )


def _name(row: Any) -> str:
    return task_name(row.number, row.year, row.month)


def _link(row: Any, anchor: str = "act") -> str:
    return f"/directives/{row.directive_id}?from=inbox#{anchor}{row.id}"


def _item(kind: str, row: Any, detail: str, *, urgent: bool = False, anchor: str = "act",
          key: int | None = None) -> Item:
    return Item(kind, _name(row), row.title, row.unit, detail, _link(row, anchor), row.deadline,
                urgent, key if key is not None else row.id)


def _late_text(ctx: Context, deadline: dt.date | None) -> str:
    if deadline is None:
        return "Không có thời hạn"
    late = ctx.days_late(deadline)
    if late > 0:
        return f"Thời hạn {fmt_date(deadline)}, quá hạn {late} ngày làm việc"
    return f"Thời hạn {fmt_date(deadline)}"


# --- leader and secretariat --------------------------------------------------------------------


def to_confirm(ctx: Context, user: User | None) -> list[Item]:
    query = _assignments(ctx, Assignment.reported_done_at).where(
        Assignment.state == AWAITING_CONFIRMATION)
    if user is not None:
        query = query.where(_in_charge(user))
    rows = db.session.execute(query.order_by(Assignment.reported_done_at, Assignment.id))
    return [_item(CONFIRM, r, f"Báo cáo hoàn thành lúc {fmt_datetime(r.reported_done_at)}; "
                  f"{_late_text(ctx, r.deadline).lower()}") for r in rows]


def to_decide(ctx: Context, user: User) -> list[Item]:
    query = _assignments(ctx, ExtensionRequest.id.label("request_id"),
                         ExtensionRequest.proposed_deadline, ExtensionRequest.reason).join(
        ExtensionRequest, ExtensionRequest.assignment_id == Assignment.id
    ).where(ExtensionRequest.status == PENDING, _in_charge(user))
    rows = db.session.execute(query.order_by(ExtensionRequest.requested_at, ExtensionRequest.id))
    return [_item(DECIDE, r, f"Đề nghị gia hạn từ {fmt_date(r.deadline)} đến "
                  f"{fmt_date(r.proposed_deadline)}. Lý do: {r.reason}", key=r.request_id)
            for r in rows]


def escalated(ctx: Context, user: User, shown: set[int]) -> list[Item]:
    """Lead work overdue by the escalation threshold or more (every overdue task when
    escalation is off)."""
    latest = ctx.last_deadline_overdue_by(max(ctx.policy.escalate_after_days, 1))
    deadline = deadline_in_force(Assignment, ctx.today, EXTENDED)
    query = _assignments(ctx).where(
        Assignment.role == LEAD, Assignment.state != AWAITING_CONFIRMATION,
        deadline <= latest, _in_charge(user))
    rows = db.session.execute(query.order_by(deadline, Assignment.id))
    return [_item(ESCALATED, r, _late_text(ctx, r.deadline), urgent=True, anchor="a")
            for r in rows if r.id not in shown]


def without_lead(ctx: Context, user: User | None) -> list[Item]:
    """Directives nobody leads: no lead unit and no sub-directive carrying the work, in the
    periods of the last twelve months and later (older ones are the archive's, not a to-do)."""
    first = PeriodKey.of_month(ctx.today)
    for _ in range(LEADLESS_MONTHS):
        first = first.previous()
    child = aliased(Directive)
    lead = sa.exists().where(Assignment.directive_id == Directive.id, Assignment.role == LEAD)
    children = sa.exists().where(child.parent_id == Directive.id, child.withdrawn_at.is_(None))
    query = (
        sa.select(Directive.id, Directive.number, Directive.title, Directive.deadline,
                  Period.year, Period.month)
        .join(Period, Period.id == Directive.period_id)
        .outerjoin(Parent, Parent.id == Directive.parent_id)
        .where(Directive.withdrawn_at.is_(None), ~lead, ~children,
               Period.year * 12 + Period.month >= first.year * 12 + first.month)
    )
    if user is not None:
        query = query.where(_in_charge(user))
    rows = db.session.execute(query.order_by(Period.year, Period.month, Directive.position,
                                             Directive.id))
    return [Item(NO_LEAD, task_name(r.number, r.year, r.month), r.title, "",
                 "Chưa phân công đơn vị chủ trì", f"/directives/{r.id}/assignments", r.deadline,
                 key=r.id) for r in rows]


def drafts_waiting(ctx: Context) -> list[Item]:
    since = clock.now() - dt.timedelta(days=DRAFT_KEEP_DAYS)
    rows = db.session.execute(
        sa.select(ImportDraft.id, ImportDraft.token, ImportDraft.filename, ImportDraft.created_at,
                  User.full_name)
        .outerjoin(User, User.id == ImportDraft.created_by_id)
        .where(ImportDraft.confirmed_at.is_(None), ImportDraft.source_id.is_(None),
               ImportDraft.created_at >= since)
        .order_by(ImportDraft.created_at, ImportDraft.id)
    )
    return [Item(DRAFT, r.filename, "", "", f"Tải lên lúc {fmt_datetime(r.created_at)}"
                 + (f" bởi {r.full_name}" if r.full_name else ""),
                 f"/imports/{r.token}", key=r.id) for r in rows]


def report_to_prepare(ctx: Context) -> list[Item]:
    """The report of last month (what "Báo cáo tháng" proposes), until it is issued."""
    period = PeriodKey.of_month(ctx.today).previous()
    cutoff = ctx.cutoff_of(PeriodKey.of_month(ctx.today))
    row = db.session.execute(
        sa.select(Report.id, Report.status, Report.as_of)
        .join(Period, Period.id == Report.period_id)
        .where(Period.year == period.year, Period.month == period.month)
    ).first()
    if row is not None and row.status != "draft":
        return []
    state = (f"Đang dự thảo (số liệu đến ngày {fmt_date(row.as_of)})" if row is not None
             else "Chưa lập")
    return [Item(REPORT, f"Báo cáo {period.title}", "", "",
                 f"{state}; ngày chốt số liệu {fmt_date(cutoff)}",
                 f"/reports/{row.id}" if row is not None else "/reports/",
                 cutoff, urgent=cutoff < ctx.today, key=row.id if row is not None else 0)]


def silent_units(ctx: Context) -> list[Item]:
    """Units with open work (with a deadline) and no report since the previous cut-off.

    Three cheap reads instead of one aggregate over every report ever made: the units with open
    work, those that reported since the cut-off (by the index on the report time), and the last
    report of the few that did not."""
    since = selection.previous_cutoff(ctx.today, ctx.policy, ctx.calendar)
    cutoff = ctx.next_cutoff()
    start = clock.end_of_day(since - dt.timedelta(days=1))
    deadline = deadline_in_force(Assignment, ctx.today, EXTENDED)
    open_work = dict(db.session.execute(
        sa.select(Assignment.unit_id, sa.func.count(Assignment.id))
        .join(Directive, Directive.id == Assignment.directive_id)
        .where(Directive.withdrawn_at.is_(None), Assignment.state.in_([NOT_STARTED, IN_PROGRESS]),
               deadline.is_not(None))
        .group_by(Assignment.unit_id)
    ).all())
    if not open_work:
        return []
    recent = sa.select(ProgressUpdate.assignment_id).where(  # by the index on the report time
        ProgressUpdate.created_at >= start, ProgressUpdate.kind.in_([PROGRESS, COMPLETION]))
    reported = set(db.session.scalars(
        sa.select(Assignment.unit_id).distinct().where(Assignment.id.in_(recent))))
    silent = [unit_id for unit_id in open_work if unit_id not in reported]
    if not silent:
        return []
    last = dict(db.session.execute(
        sa.select(Assignment.unit_id, sa.func.max(ProgressUpdate.created_at))
        .join(ProgressUpdate, ProgressUpdate.assignment_id == Assignment.id)
        .where(Assignment.unit_id.in_(silent), ProgressUpdate.kind.in_([PROGRESS, COMPLETION]))
        .group_by(Assignment.unit_id)
    ).all())
    units = db.session.execute(sa.select(Unit.id, Unit.name).where(Unit.id.in_(silent))
                               .order_by(Unit.position, Unit.name)).all()
    return [Item(SILENT, u.name, "", u.name,
                 f"{open_work[u.id]} nhiệm vụ đang thực hiện; "
                 + (f"cập nhật gần nhất {fmt_date(last[u.id])}" if last.get(u.id)
                    else "chưa cập nhật lần nào")
                 + f"; ngày chốt {fmt_date(cutoff)}",
                 f"/units/{u.id}", key=u.id) for u in units]


# --- officer -----------------------------------------------------------------------------------


def _for_officer(officer_id: int | None) -> sa.ColumnElement[bool]:
    """The unit's work that is this officer's: a task that names an officer is that officer's
    alone (the permission table's object rule); the others are everyone's in the unit."""
    if officer_id is None:
        return sa.true()
    return sa.or_(Assignment.officer_id.is_(None), Assignment.officer_id == officer_id)


def _unit_items(
    ctx: Context, unit_id: int, officer_id: int | None = None
) -> list[tuple[str, list[Item]]]:
    """The unit's open work, each assignment once, in the order of urgency."""
    returned = aliased(ProgressUpdate)
    reasons = {
        r.id: r for r in db.session.execute(
            _assignments(ctx, returned.result.label("reason"), returned.created_at.label("at"))
            .join(returned, returned.assignment_id == Assignment.id)
            .where(Assignment.unit_id == unit_id, _for_officer(officer_id),
                   still_returned(returned, Assignment)))
    }
    any_record = sa.exists().where(ProgressUpdate.assignment_id == Assignment.id)
    any_request = sa.exists().where(ExtensionRequest.assignment_id == Assignment.id)
    rows = list(db.session.execute(
        _assignments(ctx, Assignment.state, any_record.label("reported"),
                     any_request.label("asked"))
        .where(Assignment.unit_id == unit_id, _for_officer(officer_id),
               Assignment.state.in_([NOT_STARTED, IN_PROGRESS]))
        .order_by(Assignment.id)
    ))
    horizon = ctx.warning_horizon()
    groups: dict[str, list[Item]] = {RETURNED: [], OVERDUE: [], DUE_SOON: [], NEW: []}
    for r in rows:
        if r.id in reasons:
            back = reasons[r.id]
            groups[RETURNED].append(_item(
                RETURNED, r, f"Trả lại ngày {fmt_date(back.at)}. Lý do: {back.reason}",
                urgent=True))
        elif r.deadline is not None and r.deadline < ctx.today:
            groups[OVERDUE].append(_item(OVERDUE, r, _late_text(ctx, r.deadline), urgent=True))
        elif r.deadline is not None and r.deadline <= horizon:
            when = "hôm nay" if r.deadline == ctx.today else f"ngày {fmt_date(r.deadline)}"
            groups[DUE_SOON].append(_item(DUE_SOON, r, f"Đến hạn {when}"))
        elif r.state == NOT_STARTED and not r.reported and not r.asked:
            groups[NEW].append(_item(NEW, r, f"Vai trò: {_role(r.role)}; "
                                             + _late_text(ctx, r.deadline).lower()))
    for items in groups.values():
        items.sort(key=lambda i: (i.deadline or dt.date.max, i.key))
    return list(groups.items())


def _role(role: str) -> str:
    return "chủ trì" if role == LEAD else "phối hợp"


def decisions_received(ctx: Context, unit_id: int, officer_id: int | None = None) -> list[Item]:
    """Extension decisions of the last days on the unit's work, not yet followed by a report."""
    since = clock.now() - dt.timedelta(days=RECENT_DECISION_DAYS)
    later = sa.exists().where(
        ProgressUpdate.assignment_id == Assignment.id,
        ProgressUpdate.kind.in_([PROGRESS, COMPLETION]),
        ProgressUpdate.created_at > ExtensionRequest.decided_at,
    )
    query = _assignments(ctx, ExtensionRequest.id.label("request_id"), ExtensionRequest.status,
                         ExtensionRequest.proposed_deadline, ExtensionRequest.decided_at,
                         ExtensionRequest.decision_comment).join(
        ExtensionRequest, ExtensionRequest.assignment_id == Assignment.id
    ).where(Assignment.unit_id == unit_id, _for_officer(officer_id),
            ExtensionRequest.status != PENDING, ExtensionRequest.decided_at >= since,
            ExtensionRequest.decided_at < clock.end_of_day(ctx.today), ~later,
            Assignment.state != AWAITING_CONFIRMATION)
    items = []
    for r in db.session.execute(query.order_by(ExtensionRequest.decided_at.desc())):
        verdict = ("Không đồng ý gia hạn" if r.status == REJECTED
                   else f"Đồng ý gia hạn đến {fmt_date(r.proposed_deadline)}")
        note = f". Ý kiến: {r.decision_comment}" if r.decision_comment else ""
        items.append(_item(DECIDED, r, f"{verdict} (ngày {fmt_date(r.decided_at)}){note}",
                           urgent=r.status == REJECTED, key=r.request_id))
    return items


def failed_mail() -> list[Item]:
    count = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status == FAILED)) or 0
    if not count:
        return []
    return [Item(MAIL_FAILED, f"{count} thư không gửi được", "", "",
                 "Xem lỗi và gửi lại trong Hộp thư đi", "/admin/outbox?status=failed",
                 urgent=True)]


# --- per role ----------------------------------------------------------------------------------


def _leader(inbox: Inbox, ctx: Context, user: User) -> None:
    confirm = to_confirm(ctx, user)
    inbox.add(CONFIRM, confirm)
    inbox.add(DECIDE, to_decide(ctx, user))
    inbox.add(ESCALATED, escalated(ctx, user, {i.key for i in confirm}))
    inbox.add(NO_LEAD, without_lead(ctx, user))


def _secretariat(inbox: Inbox, ctx: Context, user: User) -> None:
    inbox.add(DRAFT, drafts_waiting(ctx))
    inbox.add(REPORT, report_to_prepare(ctx))
    inbox.add(SILENT, silent_units(ctx))
    inbox.add(CONFIRM, to_confirm(ctx, None))


def _officer(inbox: Inbox, ctx: Context, user: User) -> None:
    if user.unit_id is None:
        inbox.note = "Tài khoản của bạn chưa được gắn với đơn vị nào. Vui lòng liên hệ quản trị."
        return
    for kind, items in _unit_items(ctx, user.unit_id, user.id):
        inbox.add(kind, items)
    inbox.add(DECIDED, decisions_received(ctx, user.unit_id, user.id))


def _admin(inbox: Inbox, ctx: Context, user: User) -> None:
    inbox.add(MAIL_FAILED, failed_mail())


BUILDERS: dict[str, Callable[[Inbox, Context, User], None]] = {
    LEADER: _leader, SECRETARIAT: _secretariat, OFFICER: _officer, ADMIN: _admin,
}


def build(user: User, today: dt.date | None = None) -> Inbox:
    """The person's inbox as of today (or the day given)."""
    inbox = Inbox()
    builder = BUILDERS.get(user.role)
    if builder is not None:
        builder(inbox, Context.load(today), user)
    return inbox



# --- the navigation's count --------------------------------------------------------------------

# Roles whose inbox is computed from shown data only (the data version covers every change);
# the admin's reads the outbox, which does not move the data version: one count per page.
_CACHED_ROLES = frozenset({LEADER, SECRETARIAT, OFFICER})
_CACHE_SIZE = 50_000


class CountCache:
    """Per worker process: each person's count under the data version and the day it was
    computed for, so a page served from the page cache still costs one query."""

    def __init__(self, size: int = _CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[int, tuple[tuple, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, user_id: int, generation: tuple) -> int | None:
        with self._lock:
            entry = self._entries.get(user_id)
            if entry is None or entry[0] != generation:
                return None
            self._entries.move_to_end(user_id)
            return entry[1]

    def put(self, user_id: int, generation: tuple, count: int) -> None:
        with self._lock:
            self._entries[user_id] = (generation, count)
            self._entries.move_to_end(user_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def count_for(user: User) -> int:
    """How many rows the person's inbox has now (the number beside "Việc cần xử lý")."""
    if user.role not in BUILDERS:
        return 0
    session = db.session()
    if user.role not in _CACHED_ROLES or versioning.has_uncommitted_changes(session):
        return build(user).count
    cache = current_app.extensions.setdefault("inbox_counts", CountCache())
    generation = (versioning.current(session), clock.today(), user.role, user.unit_id)
    count = cache.get(user.id, generation)
    if count is None:
        count = build(user).count
        cache.put(user.id, generation, count)
    return count
