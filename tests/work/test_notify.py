"""Events told at once, against a real SMTP server on loopback (aiosmtpd): one e-mail per event
and recipient, exactly once, only after the commit, none for "off", nothing on a rollback; the
in-app notifications never cross units."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import sqlalchemy as sa

from tests.directives.workflow_helpers import assignment, directive, login, user
from tests.reminders.smtp import Recorder, smtp_server
from tracker.core import uow
from tracker.directives import services as directive_services
from tracker.extensions import db
from tracker.reminders import mail
from tracker.reminders.models import OutboxMessage
from tracker.units.models import Unit
from tracker.work import event_mail, workflow
from tracker.work.models import MAIL_DIGEST, MAIL_DIGESTED, MAIL_NONE, Notification

TODAY = "2023-04-05"


@pytest.fixture
def world(demo):
    demo.config["TRACKER_TODAY"] = TODAY
    return demo


@pytest.fixture
def smtp(world):
    recorder = Recorder()
    with smtp_server(recorder) as port:
        world.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        yield recorder


def _by_address(received) -> Counter:
    return Counter(r.to for r in received)


def _version(number: str, unit: str) -> str:
    db.session.expire_all()
    return str(assignment(number, unit).version)


# --- each event: who gets it, once --------------------------------------------------------------


def test_a_returned_completion_tells_the_unit_once_with_the_reason(world, smtp):
    a = assignment("6.1", "QLDT")
    leader = login(world, "chutich")
    response = leader.post(f"/assignments/{a.id}/confirm", data={
        "decision": "return", "comment": "Bổ sung ý kiến thẩm định của Sở Xây dựng.",
        "version": _version("6.1", "QLDT")})
    assert response.status_code == 302
    received = smtp.take()
    # The officer's address is also the unit's mailbox: one e-mail, not two.
    assert _by_address(received) == Counter({"qldt@travinh.example.vn": 1})
    (message,) = received
    assert message.subject == (
        "[Thông báo] Trả lại báo cáo hoàn thành Nhiệm vụ 6.1 (tháng 03/2023)")
    assert "Bổ sung ý kiến thẩm định của Sở Xây dựng." in message.text()
    assert "Nguyễn Văn Tâm" in message.text()
    assert f"/directives/{a.directive_id}#act{a.id}" in message.html()
    # Exactly once: later deliveries (the scheduler's) find nothing left.
    assert mail.deliver_outbox(now=mail.utcnow() + dt.timedelta(days=1)).sent == 0
    assert smtp.take() == []
    notice = db.session.scalar(sa.select(Notification).where(
        Notification.user_id == user("qldt").id))
    assert notice.title == "Trả lại báo cáo hoàn thành Nhiệm vụ 6.1 (tháng 03/2023)"
    assert "Bổ sung ý kiến thẩm định" in notice.body


def _report_done(world, username: str, number: str, unit: str):
    a = assignment(number, unit)
    return login(world, username).post(f"/assignments/{a.id}/progress", data={
        "percent": "100", "result": "Đã hoàn thành.", "report_done": "1",
        "version": _version(number, unit)})


def test_a_completion_reported_tells_the_leader_in_charge_and_the_secretariat(world, smtp):
    assert _report_done(world, "gddt", "7", "GDDT").status_code == 302
    received = smtp.take()
    assert _by_address(received) == Counter({"chutich@travinh.example.vn": 1,
                                             "vanphong@travinh.example.vn": 1})
    assert all(r.subject == "[Thông báo] Phòng Giáo dục và Đào tạo báo cáo hoàn thành "
               "Nhiệm vụ 7 (tháng 03/2023)" for r in received)
    # The officer who reported is not told about their own action; the other leader neither.
    told = set(db.session.scalars(sa.select(Notification.user_id)))
    assert told == {user("chutich").id, user("vanphong").id}


def test_without_a_leader_in_charge_every_leader_is_told(world, smtp):
    d = directive("7")
    d.leader_id = None
    db.session.commit()
    assert _report_done(world, "gddt", "7", "GDDT").status_code == 302
    assert _by_address(smtp.take()) == Counter({
        "chutich@travinh.example.vn": 1, "phochutich@travinh.example.vn": 1,
        "vanphong@travinh.example.vn": 1})


def test_confirmation_extension_request_and_decision(world, smtp):
    a = assignment("6.1", "QLDT")
    leader = login(world, "chutich")
    leader.post(f"/assignments/{a.id}/confirm",
                data={"decision": "confirm", "version": _version("6.1", "QLDT")})
    (confirmed,) = smtp.take()
    assert confirmed.to == "qldt@travinh.example.vn"
    assert confirmed.subject == "[Thông báo] Đã xác nhận hoàn thành Nhiệm vụ 6.1 (tháng 03/2023)"
    assert "04/04/2023 (đúng hạn)" in confirmed.text()

    p9 = assignment("9", "P9")
    officer = login(world, "phuong9")
    officer.post(f"/assignments/{p9.id}/extension", data={
        "reason": "Chờ kết quả kiểm tra liên ngành.", "proposed_deadline": "30/04/2023",
        "version": _version("9", "P9")})
    (asked,) = smtp.take()
    assert asked.to == "chutich@travinh.example.vn"
    assert asked.subject == "[Thông báo] Phường 9 đề nghị gia hạn Nhiệm vụ 9 (tháng 03/2023)"
    assert "30/04/2023" in asked.text() and "Chờ kết quả kiểm tra liên ngành." in asked.text()

    request = db.session.scalar(sa.text(
        "SELECT id FROM extension_request WHERE assignment_id = :a AND status = 'pending'"),
        {"a": p9.id})
    leader.post(f"/extensions/{request}/decide", data={"decision": "reject",
                                                       "comment": "Đề nghị hoàn thành đúng hạn."})
    received = smtp.take()
    assert _by_address(received) == Counter({"phuong9@travinh.example.vn": 1,
                                             "p9@travinh.example.vn": 1})
    assert received[0].subject == "[Thông báo] Không đồng ý gia hạn Nhiệm vụ 9 (tháng 03/2023)"


def test_a_new_assignment_and_a_withdrawal_tell_the_units(world, smtp):
    d = directive("11")
    leader = login(world, "chutich")
    p9 = db.session.scalar(sa.select(Unit).where(Unit.code == "P9"))
    response = leader.post(f"/directives/{d.id}/assignments", data={
        "unit_id": str(p9.id), "role": "support", "deadline_kind": "date",
        "deadline": "28/04/2023"})
    assert response.status_code == 302, response.get_data(as_text=True)
    received = smtp.take()
    assert _by_address(received) == Counter({"phuong9@travinh.example.vn": 1,
                                             "p9@travinh.example.vn": 1})
    assert received[0].subject == "[Thông báo] Giao nhiệm vụ mới: Nhiệm vụ 11 (tháng 03/2023)"
    assert "28/04/2023" in received[0].text() and "phối hợp" in received[0].text()

    response = leader.post(f"/directives/{d.id}/withdraw", data={"reason": "Đã lồng ghép."})
    assert response.status_code == 302
    received = smtp.take()
    # Every unit of the task: Phòng Dân tộc (lead) and Phường 9.
    assert {r.to for r in received} >= {"phuong9@travinh.example.vn", "p9@travinh.example.vn"}
    assert len(received) == len({r.to for r in received})
    assert all(r.subject == "[Thông báo] Nhiệm vụ đã được rút: Nhiệm vụ 11 (tháng 03/2023)"
               for r in received)
    assert all("Đã lồng ghép." in r.text() for r in received)


# --- after commit, never on a rollback ---------------------------------------------------------


def test_mail_leaves_only_after_the_commit(world, smtp):
    a = assignment("6.1", "QLDT")
    workflow.return_completion(a, user("chutich"), comment="Thiếu hồ sơ.")
    queued = db.session.scalars(sa.select(OutboxMessage)).all()
    assert [m.recipient for m in queued] == ["qldt@travinh.example.vn"]
    assert smtp.take() == []  # flushed, not committed: nothing sent
    uow.commit()
    assert [r.to for r in smtp.take()] == ["qldt@travinh.example.vn"]


def test_a_rolled_back_action_sends_nothing(world, smtp):
    a = assignment("6.1", "QLDT")
    workflow.return_completion(a, user("chutich"), comment="Thiếu hồ sơ.")
    uow.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0
    uow.commit()  # the next transaction does not inherit the forgotten follow-up
    assert mail.deliver_outbox().sent == 0
    assert smtp.take() == []


def test_a_request_refused_after_the_event_sends_nothing(world, smtp):
    """Two leaders confirm the same completion: one wins, the other gets the 409, and only the
    winner's notice goes out."""
    a = assignment("6.1", "QLDT")
    version = _version("6.1", "QLDT")
    first, second = login(world, "chutich"), login(world, "vanphong")
    assert first.post(f"/assignments/{a.id}/confirm",
                      data={"decision": "confirm", "version": version}).status_code == 302
    late = second.post(f"/assignments/{a.id}/confirm",
                       data={"decision": "return", "comment": "Thiếu", "version": version})
    assert late.status_code == 409
    received = smtp.take()
    assert [r.subject for r in received] == [
        "[Thông báo] Đã xác nhận hoàn thành Nhiệm vụ 6.1 (tháng 03/2023)"]


# --- each person's choice ----------------------------------------------------------------------


def test_off_sends_no_mail_but_keeps_the_notice_in_the_app(world, smtp):
    p9 = user("phuong9")
    p9.event_mail = "off"
    db.session.commit()
    request = workflow.request_extension(
        assignment("9", "P9"), p9, reason="Chờ số liệu.", proposed_deadline=dt.date(2023, 5, 5))
    uow.commit()
    smtp.take()
    workflow.decide_extension(request, user("chutich"), approve=True)
    uow.commit()
    assert [r.to for r in smtp.take()] == ["p9@travinh.example.vn"]  # the unit's mailbox only
    notice = db.session.scalar(sa.select(Notification).where(Notification.user_id == p9.id))
    assert notice.mail == MAIL_NONE
    assert notice.title == "Đồng ý gia hạn Nhiệm vụ 9 (tháng 03/2023) đến 05/05/2023"


def test_a_daily_digest_gathers_the_day_once(world, smtp):
    qldt = user("qldt")
    qldt.event_mail = "daily_digest"
    db.session.commit()
    a = assignment("6.1", "QLDT")
    note = workflow.return_completion(a, user("chutich"), comment="Thiếu hồ sơ.")
    uow.commit()
    # The unit's mailbox is the officer's own address: it follows the officer's choice.
    assert smtp.take() == []
    assert db.session.scalar(sa.select(Notification.mail)) == MAIL_DIGEST
    assert note is not None
    assert event_mail.run_digests(dt.date(2023, 4, 5)) == 1
    mail.deliver_outbox()
    (digest,) = smtp.take()
    assert digest.to == "qldt@travinh.example.vn"
    assert digest.subject == "[Thông báo] Tổng hợp 1 thông báo đến ngày 05/04/2023"
    assert "Trả lại báo cáo hoàn thành Nhiệm vụ 6.1 (tháng 03/2023)" in digest.text()
    assert db.session.scalar(sa.select(Notification.mail)) == MAIL_DIGESTED
    assert event_mail.run_digests(dt.date(2023, 4, 5)) == 0  # nothing twice
    assert event_mail.run_digests(dt.date(2023, 4, 8)) == 0  # Saturday: nothing at all


# --- never across units ------------------------------------------------------------------------


def test_notifications_stay_within_the_unit(world):
    workflow.return_completion(assignment("6.1", "QLDT"), user("chutich"), comment="Thiếu.")
    uow.commit()
    other = login(world, "gddt")
    page = other.get("/notifications").get_data(as_text=True)
    assert "Nhiệm vụ 6.1" not in page
    mine = login(world, "qldt")
    page = mine.get("/notifications").get_data(as_text=True)
    assert "Trả lại báo cáo hoàn thành Nhiệm vụ 6.1 (tháng 03/2023)" in page
    assert 'id="bell-count">1<' in mine.get("/inbox").get_data(as_text=True)
    # Moved to another unit: the old unit's notices are no longer theirs to see.
    qldt = user("qldt")
    qldt.unit_id = db.session.scalar(sa.select(Unit.id).where(Unit.code == "GDDT"))
    db.session.commit()
    page = login(world, "qldt").get("/notifications").get_data(as_text=True)
    assert "Nhiệm vụ 6.1" not in page


def test_opening_a_notification_marks_it_read_and_leads_to_the_task(world):
    a = assignment("6.1", "QLDT")
    workflow.return_completion(a, user("chutich"), comment="Thiếu.")
    uow.commit()
    notice = db.session.scalar(sa.select(Notification))
    intruder = login(world, "gddt")
    response = intruder.post("/notifications/read", data={"id": str(notice.id), "open": "1"})
    assert response.headers["Location"].endswith("/notifications")  # not theirs: nothing
    db.session.expire_all()
    assert db.session.get(Notification, notice.id).read_at is None
    client = login(world, "qldt")
    response = client.post("/notifications/read", data={"id": str(notice.id), "open": "1"})
    assert response.headers["Location"] == f"/directives/{a.directive_id}#act{a.id}"
    db.session.expire_all()
    assert db.session.get(Notification, notice.id).read_at is not None
    assert 'id="bell-count"' not in client.get("/inbox").get_data(as_text=True)


def test_the_demo_seed_tells_nobody(world):
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_an_import_tells_each_unit_once_with_its_tasks(world, smtp):
    from tracker.intake.drafts import ItemChoice, import_report
    from tracker.intake.parser import ParsedItem, ParsedReport

    items = [ParsedItem(number=str(n), title=f"Nhiệm vụ thử {n}", text=f"Nội dung {n}")
             for n in (1, 2)]
    parsed = ParsedReport(year=2023, month=4, items=items)
    choice = ItemChoice(field="kinh_te", lead_units=["P9"], support_units=["GDDT"],
                        deadline=dt.date(2023, 4, 28))
    import_report(parsed, "Báo cáo thử tháng 4", user=user("vanphong"),
                  choices={"1": choice, "2": choice})
    uow.commit()
    received = smtp.take()
    assert _by_address(received) == Counter({"phuong9@travinh.example.vn": 1,
                                             "p9@travinh.example.vn": 1,
                                             "gddt@travinh.example.vn": 1})
    p9_mail = next(r for r in received if r.to == "p9@travinh.example.vn")
    assert p9_mail.subject == "[Thông báo] Phường 9 được giao 2 nhiệm vụ mới"
    assert "Nhiệm vụ 1 (tháng 04/2023)" in p9_mail.text()
    assert "Nhiệm vụ 2 (tháng 04/2023)" in p9_mail.text()


def test_withdrawal_service_tells_units_of_sub_directives(world, smtp):
    d = directive("6")
    directive_services.withdraw_directive(d, "Điều chỉnh kế hoạch.", user=user("chutich"))
    uow.commit()
    addresses = {r.to for r in smtp.take()}
    # Directive 6 (BQLDA) and its sub-directives 6.1 (QLDT) and 6.2 (TNMT).
    assert {"bqlda@travinh.example.vn", "qldt@travinh.example.vn",
            "tnmt@travinh.example.vn"} <= addresses
