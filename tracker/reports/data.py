"""The report's data as of its day, read from the history (tracker.directives.asof), never from
today's rows: a March report built on 05/04/2023 or two years later reads the same.

A fixed number of queries whatever the size of the period: the period's histories (five), the
units, the reminders sent, the previous period's counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, SessionTransaction

from tracker.constants import COMPLETION, CONFIRMED, PROGRESS, RETURNED
from tracker.core import clock
from tracker.core.models import AuditEvent
from tracker.core.periods import PeriodKey
from tracker.directives.asof import RESULT_KINDS, AssignmentAsOf, Book
from tracker.directives.asof_queries import load_book
from tracker.directives.models import Assignment, Directive, Period
from tracker.directives.queries import get_period
from tracker.directives.status import Summary, deadline_in_force, summarize
from tracker.extensions import db
from tracker.reports.compose import Activity, DirectiveData, OrgDefaults, ReportInput, UnitReport
from tracker.units.models import Unit


def _units(book: Book) -> dict[int, tuple[str, str]]:
    ids = {a.unit_id for a in book.assignments.values()}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Unit.id, Unit.name, Unit.kind).where(Unit.id.in_(ids)))
    return {row.id: (row.name, row.kind) for row in rows}


def _unit_report(a: AssignmentAsOf, book: Book, units: dict[int, tuple[str, str]]) -> UnitReport:
    name, kind = units.get(a.unit_id, (f"Đơn vị {a.unit_id}", ""))
    result = a.latest("result")
    difficulty = a.latest("difficulties")
    proposal = a.latest("proposals")
    last = a.last_report
    completion = None
    if a.state == "awaiting_confirmation":
        reports = [r for r in a.records if r.kind == COMPLETION]
        completion = reports[-1].day if reports else None
    pending = a.pending_extension
    return UnitReport(
        unit=name,
        kind=kind,
        role=a.role,
        result=result.result if result else "",
        difficulties=difficulty.difficulties if difficulty else "",
        percent=a.percent,
        reported_on=last.day if last else None,
        proposals=proposal.proposals if proposal else "",
        result_on=result.day if result else None,
        status=book.assignment_status(a.id),
        completion_reported_on=completion,
        pending_extension=pending.proposed_deadline if pending else None,
        pending_extension_on=clock.local_date(pending.requested_at) if pending else None,
        earlier=tuple((r.day, r.result) for r in a.records
                      if r.kind in RESULT_KINDS and r.result.strip() and r is not result
                      and r.result.strip() != (result.result.strip() if result else "")),
    )


def directive_data(directive_id: int, book: Book, units: dict[int, tuple[str, str]]
                   ) -> DirectiveData:
    """A directive as it stood on the book's day, its status by the one rule."""
    d = book.directives[directive_id]
    own = book.units(directive_id)
    leads = book.leads(directive_id)
    reports = [_unit_report(a, book, units) for a in own]
    children = [directive_data(c.id, book, units) for c in book.children(directive_id)]
    lead_reports = [r for r, a in zip(reports, own, strict=True) if a in leads]
    if lead_reports:
        percent = round(sum(r.percent for r in lead_reports) / len(lead_reports))
    elif children:
        percent = round(sum(c.percent for c in children) / len(children))
    else:
        percent = 0
    status = book.status(directive_id)
    if status.is_done:
        percent = 100
    deadlines = [a.facts.deadline for a in leads if a.facts.deadline is not None]
    extended = [in_force for a in leads
                if (in_force := deadline_in_force(a.facts, book.day)) is not None
                and in_force != a.facts.deadline]
    dates = [r.reported_on for r in reports if r.reported_on] + [
        c.last_update for c in children if c.last_update]
    return DirectiveData(
        id=d.id,
        number=d.number,
        title=d.title,
        text=d.text,
        field=d.field,
        status=status,
        deadline=max(deadlines) if deadlines else d.deadline,
        extended_deadline=max(extended) if extended else None,
        lead_units=[units.get(a.unit_id, ("", ""))[0] for a in own if a.is_lead],
        support_units=[units.get(a.unit_id, ("", ""))[0] for a in own if not a.is_lead],
        percent=percent,
        last_update=max(dates) if dates else None,
        units=reports,
        children=children,
    )


def _reminders(period_id: int, as_of: dt.date) -> int:
    from tracker.reminders.models import ReminderLog

    return db.session.scalar(
        sa.select(sa.func.count(ReminderLog.id))
        .join(Assignment, Assignment.id == ReminderLog.assignment_id)
        .join(Directive, Directive.id == Assignment.directive_id)
        .where(Directive.period_id == period_id, ReminderLog.as_of <= as_of)
    ) or 0


def activity(book: Book, period_id: int) -> Activity:
    """What the follow-up produced by the end of the day, counted from the book."""
    tops = book.top_level()
    items = [d for d in book.directives.values() if d.exists]
    given = [a for a in book.assignments.values() if a.exists]
    records = [(a.unit_id, r) for a in given for r in a.records]
    reports = [(unit, r) for unit, r in records if r.kind in (PROGRESS, COMPLETION)]
    eod_requests = [e for a in given for e in _decided(a)]
    return Activity(
        tasks=len(tops),
        items=len(items),
        assignments=len(given),
        units=len({a.unit_id for a in given}),
        reports=len(reports),
        reporting_units=len({unit for unit, _ in reports}),
        confirmed=sum(1 for _, r in records if r.kind == CONFIRMED),
        returned=sum(1 for _, r in records if r.kind == RETURNED),
        extensions_approved=sum(1 for status in eod_requests if status == "approved"),
        extensions_rejected=sum(1 for status in eod_requests if status == "rejected"),
        extensions_pending=sum(1 for a in given if a.pending_extension is not None),
        reminders=_reminders(period_id, book.day),
    )


def _decided(a: AssignmentAsOf) -> list[str]:
    """The outcomes of the extension requests decided by the end of the day."""
    return [r.status for r in a.decided_extensions]


# A report is drafted from one book read three times in a transaction (the check that the
# period has tasks, the composition, the appendix of the export): the transaction keeps it,
# and the directives read from it, until it ends or writes anything the book reads.
_BOOKS = "tracker.reports.period_books"
_BOOK_TABLES = frozenset({
    "period", "directive", "assignment", "progress_update", "extension_request", "unit",
    "calendar_exception",
})
_AUDITED = frozenset({"assignment", "directive"})  # audit_event rows the book reads


@dataclass
class _Read:
    book: Book
    directives: list[DirectiveData] | None = None


def _read(period: Period, as_of: dt.date) -> _Read:
    session = db.session()
    reads = session.info.setdefault(_BOOKS, {})
    key = (period.id, as_of, clock.today())
    found = reads.get(key)
    if found is None:
        found = reads[key] = _Read(load_book(as_of, period_id=period.id, detail=True))
    return found


def period_book(period: Period, as_of: dt.date) -> Book:
    return _read(period, as_of).book


def _directives(read: _Read) -> list[DirectiveData]:
    """The top-level directives as they stood (read-only: shared by the callers)."""
    if read.directives is None:
        units = _units(read.book)
        read.directives = [directive_data(d.id, read.book, units) for d in read.book.top_level()]
    return list(read.directives)


def _read_by_book(instance: object) -> bool:
    if isinstance(instance, AuditEvent):
        return instance.entity in _AUDITED
    table = getattr(type(instance), "__table__", None)
    return getattr(table, "name", None) in _BOOK_TABLES


@sa.event.listens_for(Session, "after_flush")
def _forget_books_on_flush(session: Session, _context: Any) -> None:
    if _BOOKS in session.info and any(
        _read_by_book(obj) for obj in (*session.new, *session.dirty, *session.deleted)
    ):
        session.info.pop(_BOOKS, None)


@sa.event.listens_for(Session, "do_orm_execute")
def _forget_books_on_bulk(state: sa.orm.ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info.pop(_BOOKS, None)


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_books(session: Session, transaction: SessionTransaction) -> None:
    # the transaction, or a savepoint (what it saw may be rolled back); not the inner
    # transaction every flush opens and closes
    if transaction.parent is None or transaction.nested:
        session.info.pop(_BOOKS, None)


def period_directives(period: Period | None, as_of: dt.date) -> list[DirectiveData]:
    if period is None:
        return []
    return _directives(_read(period, as_of))


def previous_summary(ref: PeriodKey, as_of: dt.date, report_day: dt.date | None) -> Summary | None:
    """The previous period's counts as of its own report day (or a month before ``as_of``),
    from its history like everything else, counted in SQL."""
    from tracker.directives.status import Bucket
    from tracker.directives.status_sql import directive_buckets

    period = get_period(ref.previous())
    if period is None:
        return None
    if report_day is None:
        month_before = PeriodKey.of_month(as_of).previous()
        report_day = dt.date(month_before.year, month_before.month,
                             min(as_of.day, month_before.last_day.day))
    buckets = directive_buckets(report_day, period_id=period.id)
    rows = db.session.execute(
        sa.select(buckets.c.bucket, sa.func.count())
        .join(Directive, Directive.id == buckets.c.directive_id)
        .where(Directive.parent_id.is_(None))
        .group_by(buckets.c.bucket)
    ).all()
    if not rows:
        return None
    summary = summarize([])
    for value, n in rows:
        summary.counts[Bucket(value)] += n
    return summary


def report_input(ref: PeriodKey, as_of: dt.date, org: OrgDefaults,
                 previous_day: dt.date | None = None) -> ReportInput:
    period = get_period(ref)
    if period is None:
        return ReportInput(period=ref, as_of=as_of, directives=[], org=org)
    read = _read(period, as_of)
    return ReportInput(
        period=ref,
        as_of=as_of,
        directives=_directives(read),
        org=org,
        previous=previous_summary(ref, as_of, previous_day),
        activity=activity(read.book, period.id),
    )
