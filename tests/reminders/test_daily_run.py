"""Over the demo data, every day from 27/03/2023 to 05/05/2023 run in order against a real SMTP
server: exactly the expected messages arrive, nothing on weekends and holidays, the Monday digest
of the Giỗ Tổ / 30-4 / 1-5 week is caught up on 04/05, and a second run of a day sends nothing.

The expectation is computed here independently of tracker.reminders: a hard-coded 2023 calendar
and the default policy written out longhand, over the assignments as they are in the database.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa

from tests.reminders.smtp import Recorder, smtp_server
from tracker.auth.models import User
from tracker.directives.models import Assignment
from tracker.extensions import db
from tracker.reminders.jobs import run_day
from tracker.reminders.models import OutboxMessage, ReminderLog
from tracker.units.models import Unit

D = dt.date
FIRST, LAST = D(2023, 3, 27), D(2023, 5, 5)
# Giỗ Tổ (Sat 29/4), 30/4 (Sun), 1/5 (Mon), and the days off in lieu 2/5 and 3/5.
HOLIDAYS_2023 = {D(2023, 4, 29), D(2023, 4, 30), D(2023, 5, 1), D(2023, 5, 2), D(2023, 5, 3)}
MONDAY_DIGESTS = {D(2023, 3, 27), D(2023, 4, 3), D(2023, 4, 10), D(2023, 4, 17), D(2023, 4, 24)}
CATCH_UP_DIGEST = D(2023, 5, 4)  # Monday 1/5 is a holiday, and so are 2/5 and 3/5
CUTOFF_NOTICE = D(2023, 4, 11)  # three working days before Friday 14/04


def working(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in HOLIDAYS_2023


def wd_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]."""
    n, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        n += working(day)
    return n


def days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


@dataclass
class Row:
    id: int
    unit: Unit
    lead: bool
    deadline: dt.date | None
    extended: dt.date | None
    approved: dt.date | None
    state: str
    completed_on: dt.date | None
    withdrawn: bool
    leader: User | None
    title: str
    number: str


def read_assignments() -> list[Row]:
    rows = []
    for a in db.session.scalars(sa.select(Assignment).order_by(Assignment.id)):
        rows.append(
            Row(a.id, a.unit, a.role == "lead", a.deadline, a.extended_deadline,
                a.extension_approved_on, a.state, a.completed_on,
                a.directive.withdrawn_at is not None or a.state == "withdrawn",
                a.directive.leader, a.directive.title, a.directive.number)
        )
    return rows


def deadline_on(row: Row, day: dt.date) -> dt.date | None:
    if row.extended and (row.approved is None or row.approved <= day):
        return row.extended
    return row.deadline


def is_open(row: Row, day: dt.date) -> bool:
    if row.withdrawn:
        return False
    return not (row.state == "done" and row.completed_on and row.completed_on <= day)


class Oracle:
    """The default policy, longhand: 3 working days before, on the day, overdue on working day
    1 then every 3, escalation (lead units) from working day 5 then every 5."""

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows
        self.recorded: set[tuple] = set()
        officers = db.session.scalars(
            sa.select(User).where(User.role == "officer", User.active.is_(True))
        ).all()
        self.officers = [u for u in officers if u.email]
        self.secretariat = [
            u.email for u in db.session.scalars(sa.select(User).where(User.role == "secretariat"))
            if u.email and u.active
        ]
        self.leaders = [
            u.email for u in db.session.scalars(sa.select(User).where(User.role == "leader"))
            if u.email and u.active and u.notify_mode != "escalations_only"
        ]

    def unit_people(self, unit: Unit, modes: set[str] | None) -> set[str]:
        people = {u.email for u in self.officers if u.unit_id == unit.id
                  and (modes is None or u.notify_mode in modes)}
        return people | ({unit.email} if unit.email and unit.active else set())

    def points(self, row: Row, day: dt.date) -> list[tuple[str, tuple]]:
        deadline = deadline_on(row, day)
        if deadline is None or not is_open(row, day):
            return []
        found = []
        if day < deadline and 1 <= wd_between(day, deadline) <= 3:
            found.append(("upcoming", (row.id, "upcoming", deadline)))
        elif day == deadline:
            found.append(("due_today", (row.id, "due", deadline)))
        elif day > deadline:
            n = wd_between(deadline, day)
            found.append(("overdue", (row.id, "overdue", deadline, (n - 1) // 3)))
            if row.lead and n >= 5:
                found.append(("escalate", (row.id, "escalate", deadline, (n - 5) // 5)))
        return found

    def reminders(self, day: dt.date) -> Counter:
        """(recipient, subject) of the day's reminder e-mails."""
        if not working(day):
            return Counter()
        inbox: dict[str, dict[int, str]] = {}
        severity = ["escalate", "overdue", "due_today", "upcoming"]
        for row in self.rows:
            for kind, key in self.points(row, day):
                if key in self.recorded:
                    continue
                self.recorded.add(key)
                if kind == "escalate":
                    leader = [row.leader.email] if row.leader else []
                    people = self.unit_people(row.unit, None) | set(leader) | set(self.secretariat)
                else:
                    people = self.unit_people(row.unit, {"each_run"})
                for person in people:
                    items = inbox.setdefault(person, {})
                    old = items.get(row.id)
                    if old is None or severity.index(kind) < severity.index(old):
                        items[row.id] = kind
        phrases = {
            "escalate": "{} nhiệm vụ quá hạn cần lãnh đạo chỉ đạo",
            "overdue": "{} nhiệm vụ quá hạn",
            "due_today": "{} nhiệm vụ đến hạn hôm nay",
            "upcoming": "{} nhiệm vụ sắp đến hạn",
        }
        expected = Counter()
        for person, items in inbox.items():
            counts = Counter(items.values())
            prefix = "[Báo cáo vượt cấp]" if counts["escalate"] else "[Nhắc việc]"
            parts = [phrases[k].format(counts[k]) for k in severity if counts[k]]
            expected[(person, f"{prefix} {', '.join(parts)}")] += 1
        return expected

    def digest(self, day: dt.date) -> Counter:
        if day not in MONDAY_DIGESTS and day != CATCH_UP_DIGEST:
            return Counter()
        subject = f"[Tổng hợp tuần] Tình hình thực hiện nhiệm vụ đến ngày {day:%d/%m/%Y}"
        return Counter({(email, subject): 1 for email in self.leaders})

    def cutoff(self, day: dt.date) -> Counter:
        if day != CUTOFF_NOTICE:
            return Counter()
        per_person: Counter = Counter()
        for row in self.rows:
            if is_open(row, day):
                for person in self.unit_people(row.unit, {"each_run", "daily_digest"}):
                    per_person[person] += 1
        return Counter({
            (person, f"[Nhắc việc] Cập nhật tiến độ {n} nhiệm vụ trước ngày chốt báo cáo "
                     "14/04/2023"): 1
            for person, n in per_person.items()
        })


def digest_subject(received) -> str:
    """A digest's subject without its count, after checking the count is the body's."""
    subject = received.subject
    if not subject.startswith("[Tổng hợp tuần]"):
        return subject
    head, _, tail = subject.rpartition(": ")
    count = int(tail.split()[0])
    assert f"- Đang thực hiện quá hạn: {count}\r\n" in received.text()
    return head


def test_every_day_from_27_march_to_5_may(demo):
    rows = read_assignments()
    assert rows, "the demo data has assignments"
    oracle = Oracle(rows)
    recorder = Recorder()
    with smtp_server(recorder) as port:
        demo.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        received_by_day: dict[dt.date, Counter] = {}
        for day in days(FIRST, LAST):
            run_day(day)
            got = Counter((r.to, digest_subject(r)) for r in recorder.take())
            expected = oracle.reminders(day) + oracle.digest(day) + oracle.cutoff(day)
            assert got == expected, day
            received_by_day[day] = got
            # The same day again (a second run, a restart): nothing more.
            run_day(day)
            assert recorder.take() == [], day
        rest = db.session.scalar(
            sa.select(sa.func.count()).where(OutboxMessage.status != "sent")
        )
        assert rest == 0

    silent = [d for d in days(FIRST, LAST) if not working(d)]
    assert D(2023, 5, 1) in silent and D(2023, 5, 3) in silent
    assert all(not received_by_day[d] for d in silent)

    # Spot checks that do not depend on the oracle's code.
    open_on_28 = [r for r in rows if is_open(r, D(2023, 3, 28))
                  and deadline_on(r, D(2023, 3, 28)) == D(2023, 3, 31)]
    if open_on_28:
        assert any("sắp đến hạn" in s for _, s in received_by_day[D(2023, 3, 28)])
    leaders = {u.email for u in db.session.scalars(sa.select(User).where(User.role == "leader"))}
    caught_up = {to for to, subject in received_by_day[CATCH_UP_DIGEST]
                 if subject.startswith("[Tổng hợp tuần]")}
    assert caught_up == leaders
    assert not any(s.startswith("[Tổng hợp tuần]") for _, s in received_by_day[D(2023, 4, 4)])

    # One reminder e-mail per recipient per run.
    for day, got in received_by_day.items():
        per_person = Counter(to for to, s in got if s.startswith(("[Nhắc việc] ", "[Báo cáo")))
        per_person_reminders = Counter(
            to for to, s in got if s.startswith(("[Nhắc việc] ", "[Báo cáo"))
            and "trước ngày chốt" not in s
        )
        assert all(n == 1 for n in per_person_reminders.values()), day
        assert all(n <= 2 for n in per_person.values()), day

    # Each (assignment, kind, occurrence) was recorded once, and only on working days.
    logged = db.session.execute(sa.select(ReminderLog.as_of)).scalars().all()
    assert logged and all(working(d) for d in logged)


def test_missed_days_are_caught_up_with_the_latest_reminder_only(demo):
    day = D(2023, 4, 13)
    late = [
        r for r in read_assignments()
        if is_open(r, day) and deadline_on(r, day) == D(2023, 3, 31)
    ]
    assert late, "the demo data has work overdue since 31/03"
    recorder = Recorder()
    with smtp_server(recorder) as port:
        demo.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        # The scheduler was down from 31/03 to 12/04: the first run after sends what is due now.
        run_day(day)
        got = recorder.take()
    # 13/04 is working day 9 after the deadline: the overdue reminder of working day 7 and the
    # escalation of working day 5 are caught up, once; not the stale ones before them.
    logged: dict[int, set[tuple[str, str]]] = {}
    for assignment_id, kind, occurrence in db.session.execute(
        sa.select(ReminderLog.assignment_id, ReminderLog.kind, ReminderLog.occurrence).where(
            ReminderLog.kind != "cutoff"
        )
    ):
        logged.setdefault(assignment_id, set()).add((kind, occurrence))
    for row in late:
        expected = {("overdue", "2023-03-31:2")}
        if row.lead:
            expected.add(("escalate", "2023-03-31:0"))
        assert logged[row.id] == expected, row.number
    assert any(r.subject.startswith("[Báo cáo vượt cấp]") for r in got)
    reminders = Counter(r.to for r in got if r.subject.startswith(("[Nhắc việc] ", "[Báo cáo"))
                        and "chốt" not in r.subject)
    assert set(reminders.values()) == {1}
