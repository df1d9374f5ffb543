"""Facts as of a day from the history (asof.py) and their SQL mirror (status_sql.py)."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import sqlalchemy as sa

from tracker.core import clock
from tracker.core.models import AuditEvent
from tracker.directives.asof import (
    AssignmentHistory,
    Book,
    Change,
    DirectiveHistory,
    ExtensionRecord,
    Record,
    assignment_as_of,
)
from tracker.directives.asof_queries import load_book
from tracker.directives.models import (
    Assignment,
    Directive,
    ExtensionRequest,
    Period,
    ProgressUpdate,
)
from tracker.directives.status import Bucket
from tracker.directives.status_sql import (
    assignment_bucket,
    assignment_exists,
    assignment_facts,
    directive_buckets,
)
from tracker.extensions import db
from tracker.units.models import Unit

D = dt.date
DEADLINE = D(2023, 3, 31)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return clock.local_datetime(day, hour)


def history(**kw) -> AssignmentHistory:  # noqa: ANN003
    base = dict(id=1, directive_id=1, unit_id=1, role="lead", deadline=DEADLINE,
                state="in_progress", assigned_on=D(2023, 3, 1))
    base.update(kw)
    return AssignmentHistory(**base)


# --- the pure rules ------------------------------------------------------------------------------


def test_state_and_percent_follow_the_records_up_to_the_end_of_the_day():
    records = (
        Record(1, at(D(2023, 3, 10)), "progress", 40, "Làm được một nửa."),
        Record(2, at(D(2023, 3, 30), 23), "completion", 100, "Xong."),
        Record(3, at(D(2023, 4, 3)), "confirmed", 100, "Đồng ý."),
    )
    h = history(state="done", percent=100, completed_on=D(2023, 3, 30), on_time=True,
                on_time_original=True, records=records)
    assert assignment_as_of(h, D(2023, 3, 9)).state == "not_started"
    assert assignment_as_of(h, D(2023, 3, 9)).percent == 0
    mid = assignment_as_of(h, D(2023, 3, 29))
    assert (mid.state, mid.percent, mid.latest("result").result) == (
        "in_progress", 40, "Làm được một nửa.")
    waiting = assignment_as_of(h, D(2023, 4, 1))
    assert waiting.state == "awaiting_confirmation" and waiting.percent == 100
    status = waiting.status(D(2023, 4, 1))
    assert status.bucket is Bucket.OVERDUE and status.awaiting  # not done until confirmed
    done = assignment_as_of(h, D(2023, 4, 3))
    assert done.state == "done" and done.facts.completed_on == D(2023, 3, 30)
    assert done.status(D(2023, 4, 3)).bucket is Bucket.DONE_ON_TIME


def test_a_record_late_in_the_evening_belongs_to_its_vietnamese_day():
    # 23:30 in Vietnam is 16:30 UTC the same day; 00:30 is the previous day in UTC.
    h = history(records=(Record(1, at(D(2023, 3, 10), 0) + dt.timedelta(minutes=30),
                                "progress", 10),))
    assert assignment_as_of(h, D(2023, 3, 9)).state == "not_started"
    assert assignment_as_of(h, D(2023, 3, 10)).state == "in_progress"


def test_pending_and_approved_extensions():
    ext = (
        ExtensionRecord(1, at(D(2023, 3, 20)), D(2023, 4, 14), "approved", at(D(2023, 3, 28))),
        ExtensionRecord(2, at(D(2023, 4, 10)), D(2023, 5, 15), "pending"),
    )
    h = history(extended_deadline=D(2023, 4, 14), extension_approved_on=D(2023, 3, 28),
                extensions=ext, records=(Record(1, at(D(2023, 3, 5)), "progress", 10),))
    before = assignment_as_of(h, D(2023, 3, 25))
    assert before.pending_extension.id == 1 and before.extension is None
    assert before.facts.extension_requested == D(2023, 4, 14)
    assert before.status(D(2023, 3, 25)).deadline == DEADLINE
    after = assignment_as_of(h, D(2023, 4, 5))
    assert after.extension.id == 1 and after.pending_extension is None
    assert after.status(D(2023, 4, 5)).bucket is Bucket.IN_PROGRESS
    later = assignment_as_of(h, D(2023, 4, 20))
    assert later.pending_extension.id == 2
    status = later.status(D(2023, 4, 20))
    assert status.bucket is Bucket.OVERDUE and status.deadline == D(2023, 4, 14)
    assert status.extension_requested == D(2023, 5, 15)


def test_deadline_role_and_state_before_an_audited_change():
    changes = (
        Change(at(D(2023, 3, 2)), {"deadline": "2023-03-31", "role": "support"}, 1),
        Change(at(D(2023, 3, 20)), {"state": "in_progress", "percent": 35}, 2),
    )
    # Made "thường xuyên" and lead on 02/03; carried "in progress" at 35 % before a withdrawal.
    h = history(deadline=None, state="withdrawn", changes=changes)
    first = assignment_as_of(h, D(2023, 3, 1))
    assert first.facts.deadline == DEADLINE and first.role == "support"
    assert first.state == "in_progress" and first.percent == 35
    assert assignment_as_of(h, D(2023, 3, 5)).facts.deadline is None
    assert assignment_as_of(h, D(2023, 3, 25)).state == "not_started"


def test_an_assignment_not_yet_given_does_not_exist():
    h = history(assigned_on=D(2023, 3, 15))
    assert not assignment_as_of(h, D(2023, 3, 14)).exists
    assert assignment_as_of(h, D(2023, 3, 15)).exists
    gone = history(removed_at=at(D(2023, 3, 20)))
    assert assignment_as_of(gone, D(2023, 3, 19)).exists
    assert not assignment_as_of(gone, D(2023, 3, 20)).exists


def test_book_rolls_up_the_parent_with_its_own_lead():
    parent = DirectiveHistory(1, None, "6", "Giải ngân", "xay_dung_do_thi", DEADLINE)
    child = DirectiveHistory(2, 1, "6.1", "Quy hoạch", "xay_dung_do_thi", DEADLINE, position=1)
    lead = history(id=1, directive_id=1, records=(Record(1, at(D(2023, 3, 30)), "progress", 45),))
    sub = history(id=2, directive_id=2, extended_deadline=D(2023, 4, 30),
                  extension_approved_on=D(2023, 3, 27),
                  records=(Record(2, at(D(2023, 3, 31)), "progress", 70),))
    book = Book.build([parent, child], [lead, sub], D(2023, 4, 5))
    assert book.status(2).bucket is Bucket.IN_PROGRESS
    assert book.status(1).bucket is Bucket.OVERDUE and book.status(1).days_overdue == 3
    assert [d.number for d in book.top_level()] == ["6"]
    assert [d.number for d in book.children(1)] == ["6.1"]


# --- SQL against the pure rules on random histories -------------------------------------------

AS_OF_DAYS = [D(2023, 2, 28), D(2023, 3, 1), D(2023, 3, 10), D(2023, 3, 20), D(2023, 3, 31),
              D(2023, 4, 3), D(2023, 4, 5), D(2023, 4, 20)]
KIND_STEPS = {
    None: ["progress", "completion"],
    "progress": ["progress", "completion"],
    "completion": ["confirmed", "returned"],
    "returned": ["progress", "completion"],
}


MARCH_1 = D(2023, 3, 1)


def _random_day(rng: random.Random, start: dt.date = MARCH_1, span: int = 50) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(span))


def _build_histories(rng: random.Random) -> None:  # noqa: C901 - one generator, read top down
    units = [Unit(code=f"U{i}", name=f"Đơn vị {i}", kind="department") for i in range(4)]
    period = Period(year=2023, month=3)
    db.session.add_all([*units, period])
    db.session.flush()
    counter = itertools.count(1)

    def directive(parent=None) -> Directive:  # noqa: ANN001
        n = next(counter)
        d = Directive(
            period_id=period.id, parent=parent, number=str(n), position=n, title=f"Việc {n}",
            field="kinh_te", deadline=rng.choice([DEADLINE, None, D(2023, 3, 15)]),
            created_at=at(_random_day(rng, D(2023, 2, 25), 30)) if rng.random() < 0.3 else None,
        )
        if rng.random() < 0.1:
            d.withdrawn_at = at(_random_day(rng))
        db.session.add(d)
        return d

    def assignment(d: Directive, unit: Unit) -> Assignment:
        a = Assignment(unit=unit, role=rng.choice(["lead", "lead", "support"]),
                       deadline=rng.choice([DEADLINE, D(2023, 3, 20), None]),
                       assigned_on=rng.choice([D(2023, 3, 1), D(2023, 3, 1), D(2023, 3, 12),
                                               None]),
                       state="not_started")
        d.assignments.append(a)
        db.session.flush()
        when = at(D(2023, 3, 2), 8)
        kind = None
        for _ in range(rng.randrange(5)):
            when += dt.timedelta(days=rng.randrange(1, 9), hours=rng.randrange(12))
            kind = rng.choice(KIND_STEPS[kind])
            percent = 100 if kind in ("completion", "confirmed") else rng.randrange(0, 95, 5)
            db.session.add(ProgressUpdate(assignment=a, created_at=when, kind=kind,
                                          percent=percent, result=f"Kết quả {kind}"))
            if kind == "completion":
                a.reported_done_at = when
            if kind == "confirmed":
                a.completed_on = clock.local_date(a.reported_done_at)
                a.completed_at = when
                a.on_time = rng.choice([True, False, None])
                a.on_time_original = a.on_time
                break
        a.state = {None: rng.choice(["not_started", "in_progress"]), "progress": "in_progress",
                   "returned": "in_progress", "completion": "awaiting_confirmation",
                   "confirmed": "done"}[kind]
        if rng.random() < 0.35:
            requested = _random_day(rng, D(2023, 3, 5), 30)
            status = rng.choice(["approved", "approved", "rejected", "pending"])
            decided = None if status == "pending" else at(requested + dt.timedelta(
                days=rng.randrange(0, 8)), 15)
            proposed = requested + dt.timedelta(days=rng.randrange(10, 40))
            db.session.add(ExtensionRequest(assignment=a, requested_at=at(requested, 9),
                                            reason="Lý do", proposed_deadline=proposed,
                                            status=status, decided_at=decided))
            if status == "approved":
                a.extended_deadline, a.extension_approved_on = proposed, decided.date()
        elif rng.random() < 0.15:  # stored extension with no request (older data)
            a.extended_deadline = D(2023, 4, 15)
            a.extension_approved_on = rng.choice([None, D(2023, 3, 25), D(2023, 4, 4)])
        for _ in range(rng.randrange(3)):  # audited changes
            key = rng.choice(["deadline", "role", "state", "percent"])
            before = {
                "deadline": rng.choice(["2023-03-31", "2023-03-10", None]),
                "role": rng.choice(["lead", "support"]),
                "state": rng.choice(["not_started", "in_progress", "withdrawn"]),
                "percent": rng.randrange(0, 90, 10),
            }[key]
            db.session.add(AuditEvent(at=at(_random_day(rng, D(2023, 2, 27), 40), 10),
                                      entity="assignment", entity_id=a.id, action="update",
                                      before={key: before, "unit": unit.name},
                                      after={key: "x"}, directive_id=d.id))
        if d.withdrawn_at is not None:
            a.state = "withdrawn"
        return a

    for _ in range(70):
        d = directive()
        for unit in rng.sample(units, rng.randrange(0, 4)):
            assignment(d, unit)
        if rng.random() < 0.4:
            for _ in range(rng.randrange(1, 3)):
                child = directive(parent=d)
                child.withdrawn_at = d.withdrawn_at or child.withdrawn_at
                for unit in rng.sample(units, rng.randrange(0, 3)):
                    assignment(child, unit)
        db.session.flush()
        if rng.random() < 0.2:
            db.session.add(AuditEvent(
                at=at(_random_day(rng, D(2023, 2, 27), 40), 11), entity="directive",
                entity_id=d.id, action="update",
                before={"deadline": rng.choice(["2023-03-05", None])}, after={}))
    db.session.commit()


def test_sql_as_of_matches_the_pure_rules_on_random_histories(app):
    _build_histories(random.Random(20230405))
    period_id = db.session.scalar(sa.select(Period.id))
    seen = set()
    for as_of, against in itertools.product(AS_OF_DAYS, ["extended", "original"]):
        book = load_book(as_of, against, period_id=period_id)
        expr = assignment_bucket(as_of, against)
        sql_assignments = dict(db.session.execute(
            sa.select(Assignment.id, expr)
            .join(Directive, Directive.id == Assignment.directive_id)
            .where(assignment_exists(as_of))
        ).all())
        facts = assignment_facts(as_of, against, period_id=period_id)
        assert dict(db.session.execute(sa.select(facts.c.id, facts.c.bucket)).all()) == (
            sql_assignments)
        pure_assignments = {i: book.assignment_status(i).bucket.value
                            for i, view in book.assignments.items() if view.exists}
        assert sql_assignments == pure_assignments, (as_of, against)
        sub = directive_buckets(as_of, against, period_id=period_id)
        sql_directives = dict(db.session.execute(sa.select(sub.c.directive_id, sub.c.bucket)).all())
        existing = {i for i, d in book.directives.items() if d.exists}
        assert set(sql_directives) == existing, (as_of, against)
        for directive_id in existing:
            pure = book.status(directive_id).bucket.value
            assert sql_directives[directive_id] == pure, (directive_id, as_of, against)
            seen.add(pure)
    assert seen == {b.value for b in Bucket}
