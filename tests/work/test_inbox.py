"""Việc cần xử lý: per role, the inbox lists exactly what the rules say on the demo data as of
05/04/2023, acting where a row links removes it (for everyone), and a second person acting on an
item already handled gets the 409."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tests.directives.workflow_helpers import assignment, directive, login, user
from tracker.constants import (
    AWAITING_CONFIRMATION,
    COMPLETION,
    IN_PROGRESS,
    NOT_STARTED,
    PROGRESS,
    RETURNED,
)
from tracker.core import uow
from tracker.directives.models import Assignment
from tracker.directives.presenters import assignment_deadline
from tracker.extensions import db
from tracker.reminders.models import OutboxMessage
from tracker.units.models import Unit
from tracker.work import inbox

TODAY = dt.date(2023, 4, 5)


@pytest.fixture
def world(demo):
    demo.config["TRACKER_TODAY"] = TODAY.isoformat()
    return demo


def rows(username: str, today: dt.date = TODAY) -> dict[str, list[inbox.Item]]:
    db.session.expire_all()
    return {kind: items for kind, _, items in inbox.build(user(username), today).sections}


def names(items: list[inbox.Item]) -> list[str]:
    return [f"{i.name} · {i.unit}" if i.unit and i.unit != i.name else i.name for i in items]


def _version(number: str, unit: str) -> str:
    db.session.expire_all()
    return str(assignment(number, unit).version)


# --- what each role sees as of 05/04/2023 ------------------------------------------------------


def test_the_chairman_has_6_1_to_confirm_and_6_to_decide(world):
    box = rows("chutich")
    assert names(box.pop(inbox.CONFIRM)) == ["Nhiệm vụ 6.1 (tháng 03/2023) · Phòng Quản lý đô thị"]
    (decide,) = box.pop(inbox.DECIDE)
    assert decide.name == "Nhiệm vụ 6 (tháng 03/2023)"
    assert decide.unit == "Ban Quản lý dự án đầu tư xây dựng"
    assert "đến 30/06/2023" in decide.detail and "giải phóng mặt bằng 14 hộ" in decide.detail
    # 3 working days overdue is below the escalation threshold (5); every task has a lead unit.
    assert box == {}
    # The deputy is in charge of nothing in the demo: nothing waits for her.
    assert rows("phochutich") == {}


def test_links_lead_to_the_form_where_the_row_is_acted_on(world):
    box = rows("chutich")
    a61, a6 = assignment("6.1", "QLDT"), assignment("6", "BQLDA")
    assert box[inbox.CONFIRM][0].link == f"/directives/{a61.directive_id}?from=inbox#act{a61.id}"
    assert box[inbox.DECIDE][0].link == f"/directives/{a6.directive_id}?from=inbox#act{a6.id}"
    client = login(world, "chutich")
    page = client.get(box[inbox.CONFIRM][0].link.split("#")[0]).get_data(as_text=True)
    assert f'id="act{a61.id}"' in page and "Xác nhận hoàn thành</button>" in page


def test_escalation_threshold_and_tasks_without_a_lead(world):
    """Later, the 31/03 deadlines are 5 working days past: lead work shows to its leader."""
    later = dt.date(2023, 4, 7)  # 03, 04, 05, 06, 07/04 = 5 working days
    escalated = names(rows("chutich", later)[inbox.ESCALATED])
    expected = []
    for a in db.session.scalars(sa.select(Assignment)):
        deadline = assignment_deadline(a, later)
        if (a.role == "lead" and a.state in (NOT_STARTED, IN_PROGRESS) and deadline
                and deadline <= dt.date(2023, 3, 31)):
            expected.append(f"Nhiệm vụ {a.directive.number} (tháng 03/2023) · {a.unit.name}")
    assert sorted(escalated) == sorted(expected)
    assert "Nhiệm vụ 2 (tháng 03/2023) · Phòng Kinh tế" in escalated
    assert not any(n.startswith("Nhiệm vụ 15 ") for n in escalated)  # extended to 14/04
    assert not any(n.startswith("Nhiệm vụ 6.1 ") for n in escalated)  # waits for confirmation
    # A directive without a lead unit goes to its leader's inbox, linked to "Phân công".
    d = directive("11")
    lead = next(a for a in d.assignments if a.role == "lead")
    lead.role = "support"
    db.session.commit()
    (item,) = rows("chutich")[inbox.NO_LEAD]
    assert item.name == "Nhiệm vụ 11 (tháng 03/2023)"
    assert item.link == f"/directives/{d.id}/assignments"


def test_the_secretariat_sees_the_report_silent_units_and_confirmations(world):
    box = rows("vanphong")
    (report,) = box.pop(inbox.REPORT)
    assert report.name == "Báo cáo tháng 03/2023"
    assert report.detail == "Chưa lập; ngày chốt số liệu 14/04/2023" and report.link == "/reports/"
    assert names(box.pop(inbox.CONFIRM)) == ["Nhiệm vụ 6.1 (tháng 03/2023) · Phòng Quản lý đô thị"]
    silent = [i.name for i in box.pop(inbox.SILENT)]
    assert silent == _silent_units_by_hand(dt.date(2023, 3, 14))
    assert "Phòng Dân tộc" in silent  # task 11: nothing reported at all
    assert "Phòng Kinh tế" not in silent and "Phòng Quản lý đô thị" not in silent
    assert box == {}  # no report uploaded for review


def _silent_units_by_hand(since: dt.date) -> list[str]:
    """The rule over ORM objects: units with open work with a deadline and no progress or
    completion report since the previous cut-off."""
    from tracker.core import clock

    start = clock.local_datetime(since, 0, 0)
    units = {}
    for a in db.session.scalars(sa.select(Assignment).options(selectinload(Assignment.updates))):
        if a.directive.is_withdrawn or a.state not in (NOT_STARTED, IN_PROGRESS):
            continue
        if assignment_deadline(a, TODAY) is None:
            continue
        units[a.unit_id] = a.unit
    last = {}
    for a in db.session.scalars(sa.select(Assignment)):
        for u in a.updates:
            if u.kind in (PROGRESS, COMPLETION):
                last[a.unit_id] = max(last.get(a.unit_id, u.created_at), u.created_at)
    silent = [u for uid, u in units.items() if uid not in last or last[uid] < start]
    return [u.name for u in sorted(silent, key=lambda u: (u.position, u.name))]


def _officer_by_hand(unit_code: str, horizon: dt.date) -> dict[str, list[str]]:
    """The officer's rules over ORM objects (each assignment once, most urgent first)."""
    unit_id = db.session.scalar(sa.select(Unit.id).where(Unit.code == unit_code))
    found: dict[str, list[str]] = {}
    for a in db.session.scalars(sa.select(Assignment).where(Assignment.unit_id == unit_id)):
        if a.directive.is_withdrawn or a.state not in (NOT_STARTED, IN_PROGRESS):
            continue
        deadline = assignment_deadline(a, TODAY)
        decisions = [u for u in a.updates if u.kind in (COMPLETION, RETURNED)]
        if a.state == IN_PROGRESS and decisions and decisions[-1].kind == RETURNED:
            kind = inbox.RETURNED
        elif deadline and deadline < TODAY:
            kind = inbox.OVERDUE
        elif deadline and deadline <= horizon:
            kind = inbox.DUE_SOON
        elif a.state == NOT_STARTED and not a.updates and not a.extension_requests:
            kind = inbox.NEW
        else:
            continue
        found.setdefault(kind, []).append(f"Nhiệm vụ {a.directive.number} (tháng 03/2023)")
    return {k: sorted(v) for k, v in found.items()}


@pytest.mark.parametrize("username,code", [("gddt", "GDDT"), ("kinhte", "KT"),
                                           ("thanhtra", "TTRA"), ("phuong9", "P9"),
                                           ("qldt", "QLDT"), ("noivu", "NV")])
def test_each_officer_sees_their_unit_by_the_rules(world, username, code):
    box = rows(username)
    decided = box.pop(inbox.DECIDED, [])
    got = {kind: sorted(i.name for i in items) for kind, items in box.items()}
    assert got == _officer_by_hand(code, dt.date(2023, 4, 10))  # 3 working days ahead
    unit = user(username).unit.name
    assert all(i.unit == unit for items in box.values() for i in items)
    if username == "kinhte":  # task 4: extension approved on 30/03, nothing reported since
        (item,) = decided
        assert item.name == "Nhiệm vụ 4 (tháng 03/2023)"
        assert item.detail.startswith("Đồng ý gia hạn đến 28/04/2023 (ngày 30/03/2023)")
    else:  # noivu reported after its 28/03 decision; the others asked for nothing
        assert decided == []


def test_a_returned_completion_shows_with_its_reason_until_reported_again(world):
    (item,) = rows("thanhtra")[inbox.RETURNED]
    assert item.name == "Nhiệm vụ 14 (tháng 03/2023)"
    assert "Trả lại ngày 30/03/2023" in item.detail
    assert "bổ sung kết quả tiếp công dân" in item.detail
    a = assignment("14", "TTRA")
    client = login(world, "thanhtra")
    page = client.get(f"/directives/{a.directive_id}").get_data(as_text=True)
    assert "Đã trả lại" in page and "bổ sung kết quả tiếp công dân" in page
    unit_page = client.get("/my-unit").get_data(as_text=True)
    assert "Đã trả lại" in unit_page
    # Reporting completion again is what clears it.
    response = client.post(f"/assignments/{a.id}/progress", data={
        "percent": "100", "result": "Đã bổ sung đầy đủ.", "report_done": "1",
        "version": _version("14", "TTRA")})
    assert response.status_code == 302
    assert inbox.RETURNED not in rows("thanhtra")
    assert "Nhiệm vụ 14 (tháng 03/2023) · Thanh tra thành phố" in names(
        rows("chutich")[inbox.CONFIRM])
    page = client.get(f"/directives/{a.directive_id}").get_data(as_text=True)
    assert "Đã trả lại" not in page


# --- acting removes the row, for everyone; a late second action gets the 409 --------------------


def test_confirming_from_the_inbox_removes_the_row_for_both_editors(world):
    a = assignment("6.1", "QLDT")
    link = rows("chutich")[inbox.CONFIRM][0].link.split("#")[0]
    leader = login(world, "chutich")
    page = leader.get(link).get_data(as_text=True)
    assert 'name="next" value="inbox"' in page
    response = leader.post(f"/assignments/{a.id}/confirm", data={
        "decision": "confirm", "next": "inbox", "version": _version("6.1", "QLDT")})
    assert response.status_code == 302 and response.headers["Location"] == "/inbox"
    assert inbox.CONFIRM not in rows("chutich")
    assert inbox.CONFIRM not in rows("vanphong")
    assert "Đã xác nhận hoàn thành." in leader.get("/inbox").get_data(as_text=True)


def test_an_item_already_handled_by_someone_else_gets_the_409(world):
    a = assignment("6.1", "QLDT")
    version = _version("6.1", "QLDT")
    leader, office = login(world, "chutich"), login(world, "vanphong")
    assert office.post(f"/assignments/{a.id}/confirm",
                       data={"decision": "confirm", "version": version}).status_code == 302
    late = leader.post(f"/assignments/{a.id}/confirm",
                       data={"decision": "confirm", "version": version, "next": "inbox"})
    assert late.status_code == 409
    assert "vừa được người khác cập nhật" in late.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Assignment, a.id).state == "done"
    assert inbox.CONFIRM not in rows("chutich")


def test_deciding_the_extension_removes_the_row_and_tells_the_unit(world):
    request = rows("chutich")[inbox.DECIDE][0].key
    leader = login(world, "chutich")
    response = leader.post(f"/extensions/{request}/decide",
                           data={"decision": "approve", "next": "inbox"})
    assert response.headers["Location"] == "/inbox"
    assert inbox.DECIDE not in rows("chutich")
    decided = rows("bqlda")[inbox.DECIDED]
    assert decided[0].detail.startswith("Đồng ý gia hạn đến 30/06/2023")
    again = leader.post(f"/extensions/{request}/decide", data={"decision": "reject",
                                                               "comment": "Không"})
    assert again.status_code == 409


def test_a_new_assignment_waits_until_the_unit_reports(world):
    d = directive("11")
    p9 = db.session.scalar(sa.select(Unit).where(Unit.code == "P9"))
    leader = login(world, "chutich")
    leader.post(f"/directives/{d.id}/assignments", data={
        "unit_id": str(p9.id), "role": "support", "deadline_kind": "date",
        "deadline": "28/04/2023"})
    (new,) = rows("phuong9")[inbox.NEW]
    assert new.name == "Nhiệm vụ 11 (tháng 03/2023)" and "phối hợp" in new.detail
    a = assignment("11", "P9")
    officer = login(world, "phuong9")
    officer.post(f"/assignments/{a.id}/progress", data={
        "percent": "10", "result": "Đã nhận nhiệm vụ, phân công cán bộ.",
        "version": _version("11", "P9")})
    assert inbox.NEW not in rows("phuong9")


def test_an_uploaded_report_waits_for_review_until_confirmed(world):
    from tracker.intake import drafts

    draft = drafts.create_draft("bao-cao-thang-4.txt", "II. NHIỆM VỤ\n1. Thử.", "2023-04",
                                user=user("vanphong"))
    uow.commit()
    (item,) = rows("vanphong")[inbox.DRAFT]
    assert item.name == "bao-cao-thang-4.txt" and item.link == f"/imports/{draft.token}"
    assert "Lê Minh Khoa" in item.detail
    draft.confirmed_at = dt.datetime(2023, 4, 5, 3, 0)
    uow.commit()
    assert inbox.DRAFT not in rows("vanphong")


def test_the_report_row_follows_the_draft_until_it_is_issued(world):
    from tracker.reports import services as reports

    report = reports.create_report(reports.parse_period("2023-03"), TODAY, user=user("vanphong"))
    uow.commit()
    (item,) = rows("vanphong")[inbox.REPORT]
    assert item.detail == "Đang dự thảo (số liệu đến ngày 05/04/2023); ngày chốt số liệu 14/04/2023"
    assert item.link == f"/reports/{report.id}"
    report.status = "final"
    uow.commit()
    assert inbox.REPORT not in rows("vanphong")
    # After the cut-off with the report still not issued, the row turns urgent.
    report.status = "draft"
    uow.commit()
    assert rows("vanphong", dt.date(2023, 4, 17))[inbox.REPORT][0].urgent


def test_admin_sees_failed_mail(world):
    from tracker.reminders import mail

    now = mail.utcnow()
    db.session.add(OutboxMessage(recipient="x@travinh.example.vn", subject="s", text_body="t",
                                 html_body="h", next_attempt_at=now, created_at=now,
                                 dedupe_key="t-1", status="failed"))
    uow.commit()
    (item,) = rows("admin")[inbox.MAIL_FAILED]
    assert item.name == "1 thư không gửi được" and item.link == "/admin/outbox?status=failed"
    assert rows("xem") == {}


# --- the page, the navigation, the first page after login --------------------------------------


def test_leaders_the_office_and_officers_start_on_the_inbox(world):
    from tracker.demo.accounts import DEMO_PASSWORD

    for username, home in (("chutich", "/inbox"), ("vanphong", "/inbox"), ("gddt", "/inbox"),
                           ("xem", "/"), ("admin", "/")):
        client = world.test_client()
        response = client.post("/login", data={"username": username,
                                               "password": DEMO_PASSWORD})
        assert response.headers["Location"] == home, username


def test_the_navigation_shows_the_count_on_every_page(world):
    client = login(world, "chutich")
    page = client.get("/inbox").get_data(as_text=True)
    assert 'id="nav-inbox-count">2<' in page
    assert "Báo cáo hoàn thành chờ xác nhận" in page and "Đề nghị gia hạn chờ quyết định" in page
    assert 'id="nav-inbox-count">2<' in client.get("/dashboard").get_data(as_text=True)
    empty = login(world, "phochutich").get("/inbox").get_data(as_text=True)
    assert 'id="inbox-empty"' in empty and "nav-inbox-count" not in empty


def test_the_count_is_kept_until_the_data_changes(world):
    """A page served from the page cache costs no query for the count in the menu (it rides
    with the user); a change (an upload waiting for review, too) shows in the count on the next
    page."""
    from tracker.intake import drafts

    client = login(world, "vanphong")
    first = client.get("/dashboard").get_data(as_text=True)
    count = int(re.search(r'id="nav-inbox-count">(\d+)<', first).group(1))
    assert _count_queries(client, "/dashboard") <= 3  # the user, the periods, the tokens
    drafts.create_draft("bao-cao.txt", "Thử.", "2023-04", user=user("vanphong"))
    uow.commit()
    page = client.get("/dashboard").get_data(as_text=True)
    assert f'id="nav-inbox-count">{count + 1}<' in page


def _count_queries(client, path: str) -> int:
    statements: list[str] = []

    def listener(*args):
        statements.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


@pytest.mark.parametrize("username", ["chutich", "vanphong", "gddt"])
def test_the_inbox_costs_the_same_queries_with_more_data(world, username):
    from tracker.work import workflow

    client = login(world, username)
    before = _count_queries(client, "/inbox")
    gddt = user("gddt")
    for number in ("1", "2", "3", "5", "8", "9", "10", "12", "13"):
        d = directive(number)
        unit = db.session.scalar(sa.select(Unit).where(Unit.code == "GDDT"))
        if any(a.unit_id == unit.id for a in d.assignments):
            continue
        from tracker.directives import services

        a = services.assign_unit(d, unit, "support", services.DeadlineSpec("date",
                                 day=dt.date(2023, 4, 7)), user=user("chutich"))
        workflow.post_progress(a, gddt, percent=100, result="Xong.", report_done=True)
    uow.commit()
    assert _count_queries(client, "/inbox") == before


def test_awaiting_confirmation_is_never_in_an_officers_lists(world):
    qldt = rows("qldt")
    assert all(i.key != assignment("6.1", "QLDT").id for items in qldt.values() for i in items)
    assert assignment("6.1", "QLDT").state == AWAITING_CONFIRMATION


def test_a_task_that_names_an_officer_is_that_officers_alone(world):
    """Where tasks name officers (a commune), the named officer's inbox and bell get the task and
    the other officers of the phòng do not (they may not act on it); the unit mailbox hears."""
    from tracker.auth import services as users
    from tracker.directives import services as directives
    from tracker.work.models import Notification

    a = assignment("14", "TTRA")
    named = user("thanhtra")
    other = users.create_user(username="thanhtra2", full_name="Lý Văn Hai",
                              password="Mat-Khau-Dai-2023!", role="officer",
                              email="thanhtra2@travinh.example.vn", unit_code="TTRA")
    directives.set_officer(a, named, user=user("chutich"))
    uow.commit()
    assert inbox.RETURNED in rows("thanhtra") and inbox.RETURNED not in rows("thanhtra2")
    client = login(world, "chutich")
    # The unit reports again, the chairman returns it: only the named officer is told.
    a = assignment("14", "TTRA")
    a.state = AWAITING_CONFIRMATION
    uow.commit()
    response = client.post(f"/assignments/{a.id}/confirm", data={
        "decision": "return", "comment": "Chưa đủ hồ sơ.", "version": _version("14", "TTRA")})
    assert response.status_code == 302
    told = set(db.session.scalars(sa.select(Notification.user_id).where(
        Notification.assignment_id == a.id, Notification.kind == "completion_returned")))
    assert named.id in told and other.id not in told
