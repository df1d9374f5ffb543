"""The officer workflow: services, the role x action matrix, audit, extra fields, the 409 path."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from tests.directives.workflow_helpers import (
    assignment,
    form_version,
    login,
    snapshot,
    user,
)
from tracker.auth import services as user_services
from tracker.auth.permissions import Action, can
from tracker.constants import AWAITING_CONFIRMATION, DONE, IN_PROGRESS, NOT_STARTED, PENDING
from tracker.core.errors import StaleVersion, UserError
from tracker.core.models import AuditEvent
from tracker.demo.accounts import DEMO_PASSWORD
from tracker.demo.progress import vn
from tracker.directives.models import ExtensionRequest, ProgressUpdate
from tracker.directives.presenters import assignment_status
from tracker.directives.status import Bucket
from tracker.extensions import db
from tracker.work import workflow


@pytest.fixture
def world(demo):
    """The demo as of 05/04/2023, plus an officer for Phòng Dân tộc (task 11, untouched)."""
    demo.config["TRACKER_TODAY"] = "2023-04-05"
    user_services.create_user(
        username="dantoc", full_name="Thạch Sa Rết", password=DEMO_PASSWORD, role="officer",
        unit_code="DT", email="dantoc@travinh.example.vn",
    )
    db.session.commit()
    return demo


# --- services --------------------------------------------------------------------------------


def test_post_progress_starts_the_work_and_records_everything(world):
    a = assignment("11", "DT")
    assert a.state == NOT_STARTED
    update = workflow.post_progress(
        a, user("dantoc"), percent=40, result="Tổ chức hội nghị triển khai Chiến lược.",
        difficulties="Thiếu kinh phí.", proposals="Bổ sung kinh phí.",
        expected_version=a.version,
    )
    db.session.commit()
    assert a.state == IN_PROGRESS and a.percent == 40 and a.last_update_at is not None
    assert update.author_id == user("dantoc").id and update.kind == "progress"
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.entity == "assignment", AuditEvent.entity_id == a.id)
        .order_by(AuditEvent.id.desc())
    )
    assert event.action == "progress"
    assert event.before["state"] == NOT_STARTED and event.after["state"] == IN_PROGRESS
    assert event.after["percent"] == 40 and event.directive_id == a.directive_id
    assert event.user_id == user("dantoc").id


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"percent": 101, "result": "x"}, "từ 0 đến 100"),
        ({"percent": -1, "result": "x"}, "từ 0 đến 100"),
        ({"percent": 50, "result": "   "}, "kết quả đạt được"),
    ],
)
def test_post_progress_refuses_bad_input(world, kwargs, message):
    a = assignment("11", "DT")
    before = snapshot()
    with pytest.raises(UserError) as info:
        workflow.post_progress(a, user("dantoc"), **kwargs)
    assert info.value.status == 400 and message in info.value.message
    db.session.rollback()
    assert snapshot() == before


def test_report_done_waits_for_confirmation(world):
    a = assignment("11", "DT")
    workflow.post_progress(a, user("dantoc"), percent=70, result="Xong.", report_done=True)
    assert a.state == AWAITING_CONFIRMATION and a.percent == 100
    assert a.reported_done_at is not None
    with pytest.raises(UserError) as info:
        workflow.post_progress(a, user("dantoc"), percent=100, result="Thêm.")
    assert info.value.status == 409


def test_confirm_uses_the_day_the_unit_reported_not_the_day_of_confirmation(world):
    on_deadline = assignment("11", "DT")
    workflow.post_progress(on_deadline, user("dantoc"), percent=100, result="Hoàn thành.",
                           report_done=True, at=vn(3, 31, 22, 30))  # 31/03 late evening, VN
    workflow.confirm_completion(on_deadline, user("chutich"), at=vn(4, 4, 9))
    assert on_deadline.state == DONE
    assert on_deadline.completed_on == dt.date(2023, 3, 31)
    assert on_deadline.completed_at == vn(4, 4, 9)
    assert on_deadline.on_time is True and on_deadline.on_time_original is True
    assert assignment_status(on_deadline, dt.date(2023, 4, 5)).bucket is Bucket.DONE_ON_TIME

    day_after = assignment("7", "P1")
    officer = user_services.create_user(
        username="p1", full_name="Cán bộ Phường 1", password=DEMO_PASSWORD, role="officer",
        unit_code="P1",
    )
    workflow.post_progress(day_after, officer, percent=100, result="Hoàn thành.",
                           report_done=True, at=vn(4, 1, 0, 30))  # 01/04 just after midnight
    workflow.confirm_completion(day_after, user("vanphong"), at=vn(4, 1, 8))
    assert day_after.completed_on == dt.date(2023, 4, 1)
    assert day_after.on_time is False and day_after.on_time_original is False
    status = assignment_status(day_after, dt.date(2023, 4, 5))
    assert status.bucket is Bucket.DONE_LATE and status.days_overdue == 0  # on a Saturday
    # Frozen: a later day does not change it.
    assert assignment_status(day_after, dt.date(2023, 12, 31)).bucket is Bucket.DONE_LATE
    events = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.entity_id == day_after.id,
                                           AuditEvent.entity == "assignment")
    ).all()
    assert "report_done" in events and "confirm" in events


def test_return_sends_it_back_with_the_comment(world):
    a = assignment("6.1", "QLDT")
    assert a.state == AWAITING_CONFIRMATION
    note = workflow.return_completion(a, user("chutich"), comment="Bổ sung hồ sơ thẩm định.")
    assert a.state == IN_PROGRESS and a.reported_done_at is None
    assert note.kind == "returned" and note.result == "Bổ sung hồ sơ thẩm định."
    with pytest.raises(UserError):
        workflow.return_completion(a, user("chutich"), comment="")


def test_extension_approved_before_the_original_deadline(world):
    a = assignment("11", "DT")
    request = workflow.request_extension(
        a, user("dantoc"), reason="Chờ hướng dẫn.", proposed_deadline=dt.date(2023, 4, 15),
        at=vn(3, 25),
    )
    workflow.decide_extension(request, user("chutich"), approve=True, at=vn(3, 28))
    assert a.deadline == dt.date(2023, 3, 31)  # the original stays for scoring
    assert a.extended_deadline == dt.date(2023, 4, 15)
    assert a.extension_approved_on == dt.date(2023, 3, 28)
    assert assignment_status(a, dt.date(2023, 4, 5)).bucket is Bucket.NOT_STARTED
    original = assignment_status(a, dt.date(2023, 4, 5), "original")
    assert original.bucket is Bucket.OVERDUE and original.days_overdue == 3


def test_extension_approved_after_the_original_deadline(world):
    a = assignment("11", "DT")
    workflow.post_progress(a, user("dantoc"), percent=30, result="Đang triển khai.", at=vn(3, 20))
    request = workflow.request_extension(
        a, user("dantoc"), reason="Chờ kinh phí.", proposed_deadline=dt.date(2023, 4, 20),
        at=vn(3, 30),
    )
    world.config["TRACKER_TODAY"] = "2023-04-03"  # decided through the clock
    workflow.decide_extension(request, user("phochutich"), approve=True)
    assert a.extension_approved_on == dt.date(2023, 4, 3)
    # Before the approval the original deadline applied: overdue on 02/04.
    before = assignment_status(a, dt.date(2023, 4, 2))
    assert before.bucket is Bucket.OVERDUE and before.days_overdue == 0  # a Sunday
    assert assignment_status(a, dt.date(2023, 4, 5)).bucket is Bucket.IN_PROGRESS
    # Completed within the extension: on time against it, late against the original.
    workflow.post_progress(a, user("dantoc"), percent=100, result="Xong.", report_done=True,
                           at=vn(4, 18))
    workflow.confirm_completion(a, user("chutich"), at=vn(4, 19))
    assert a.on_time is True and a.on_time_original is False
    assert assignment_status(a, dt.date(2023, 4, 30)).bucket is Bucket.DONE_ON_TIME
    assert assignment_status(a, dt.date(2023, 4, 30), "original").bucket is Bucket.DONE_LATE


@pytest.mark.parametrize(
    ("proposed", "message"),
    [(dt.date(2023, 3, 31), "phải sau thời hạn hiện hành (31/03/2023)"),
     (None, "thời hạn đề nghị")],
)
def test_extension_must_be_later_than_the_deadline_in_force(world, proposed, message):
    a = assignment("11", "DT")
    with pytest.raises(UserError) as info:
        workflow.request_extension(a, user("dantoc"), reason="Lý do.", proposed_deadline=proposed)
    assert message in info.value.message and info.value.status == 400


def test_one_pending_extension_at_a_time_and_decided_once(world):
    a = assignment("6", "BQLDA")
    pending = db.session.scalar(
        sa.select(ExtensionRequest).where(ExtensionRequest.assignment_id == a.id,
                                          ExtensionRequest.status == PENDING)
    )
    with pytest.raises(UserError) as info:
        workflow.request_extension(a, user("bqlda"), reason="Lần nữa.",
                                   proposed_deadline=dt.date(2023, 7, 31))
    assert info.value.status == 409
    with pytest.raises(UserError) as info:
        workflow.decide_extension(pending, user("chutich"), approve=False)
    assert "lý do" in info.value.message  # a rejection needs a reason
    workflow.decide_extension(pending, user("chutich"), approve=False, comment="Chưa có cơ sở.")
    assert a.extended_deadline is None
    with pytest.raises(UserError) as info:
        workflow.decide_extension(pending, user("chutich"), approve=True)
    assert info.value.status == 409


def test_permission_table_by_role(world):
    own = assignment("7", "GDDT")
    expectations = {
        "gddt": (True, False, False),
        "phuong9": (False, False, False),
        "xem": (False, False, False),
        "chutich": (False, True, True),
        "vanphong": (False, True, False),
        "admin": (False, True, True),
    }
    for username, expected in expectations.items():
        got = tuple(
            can(user(username), action, own)
            for action in (Action.REPORT_PROGRESS, Action.CONFIRM_COMPLETION,
                           Action.DECIDE_EXTENSION)
        )
        assert got == expected, username


def test_stale_version_carries_what_was_saved(world):
    a = assignment("7", "GDDT")
    loaded = a.version
    workflow.post_progress(a, user("gddt"), percent=85, result="Bản của chị Lan.",
                           expected_version=loaded)
    db.session.commit()
    with pytest.raises(StaleVersion) as info:
        workflow.post_progress(a, user("gddt"), percent=90, result="Bản thứ hai.",
                               expected_version=loaded)
    assert info.value.status == 409
    assert info.value.current["percent"] == 85
    assert info.value.current["last_update"]["result"] == "Bản của chị Lan."


def test_a_concurrent_write_raises_stale_data_at_flush(world):
    a = assignment("7", "GDDT")
    # Another transaction bumps the row's version after this session loaded it.
    with db.engine.begin() as other:
        other.execute(sa.text("UPDATE assignment SET version = version + 1 WHERE id = :id"),
                      {"id": a.id})
    with pytest.raises(StaleDataError):
        workflow.post_progress(a, user("gddt"), percent=95, result="Cùng lúc.")
    db.session.rollback()


# --- routes: the role x action matrix ----------------------------------------------------------

ROLES = ("own_officer", "other_officer", "viewer", "leader", "secretariat", "admin")
USERNAMES = {"viewer": "xem", "leader": "chutich", "secretariat": "vanphong", "admin": "admin"}


def _action(name: str):
    """(own officer, url, form data, roles allowed) of one action on demo data."""
    if name in ("progress", "extension"):
        a = assignment("7", "GDDT")
        if name == "progress":
            data = {"percent": "90", "result": "Kiểm tra thêm 2 trường.", "version": a.version}
        else:
            data = {"reason": "Chờ hướng dẫn của Sở.", "proposed_deadline": "2023-04-20",
                    "version": a.version}
        return "gddt", f"/assignments/{a.id}/{name}", data, {"own_officer"}
    if name in ("confirm", "return"):
        a = assignment("6.1", "QLDT")
        data = {"decision": name, "comment": "Ý kiến lãnh đạo.", "version": a.version}
        return "qldt", f"/assignments/{a.id}/confirm", data, {"leader", "secretariat", "admin"}
    a = assignment("6", "BQLDA")
    request = db.session.scalar(
        sa.select(ExtensionRequest).where(ExtensionRequest.assignment_id == a.id,
                                          ExtensionRequest.status == PENDING)
    )
    data = {"decision": "approve", "comment": ""}
    return "bqlda", f"/extensions/{request.id}/decide", data, {"leader", "admin"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["progress", "extension", "confirm", "return", "decide"])
def test_permission_matrix(world, action, role):
    own, url, data, allowed = _action(action)
    username = {
        "own_officer": own,
        "other_officer": "phuong9" if own == "gddt" else "gddt",
        **USERNAMES,
    }[role]
    client = login(world, username)
    before = snapshot()
    response = client.post(url, data=data)
    if role in allowed:
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        assert snapshot() != before
    else:
        assert response.status_code == 403
        assert "Không có quyền" in response.get_data(as_text=True)
        assert snapshot() == before


def test_viewer_cannot_change_anything_even_by_get(world):
    client = login(world, "xem")
    a = assignment("7", "GDDT")
    before = snapshot()
    assert client.get(f"/assignments/{a.id}/progress").status_code == 405
    assert client.get(f"/directives/{a.directive_id}").status_code == 200
    assert snapshot() == before


def test_unknown_ids_are_404(world):
    client = login(world, "gddt")
    assert client.post("/assignments/99999/progress", data={"result": "x"}).status_code == 404
    # An officer may never decide: refused before anything is looked up (no id probing).
    assert client.post("/extensions/99999/decide", data={}).status_code == 403
    assert login(world, "chutich").post("/extensions/99999/decide", data={}).status_code == 404


def test_extra_form_fields_are_ignored(world):
    a = assignment("7", "GDDT")
    other_unit = assignment("7", "P9").unit_id
    client = login(world, "gddt")
    response = client.post(
        f"/assignments/{a.id}/progress",
        data={
            "percent": "85", "result": "Nội dung thật.", "version": a.version,
            "unit_id": other_unit, "state": "done", "author_id": user("admin").id,
            "completed_on": "2023-03-01", "on_time": "1", "role": "support",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    a = assignment("7", "GDDT")
    assert a.unit.code == "GDDT" and a.state == IN_PROGRESS and a.role == "lead"
    assert a.completed_on is None and a.on_time is None
    latest = db.session.scalar(
        sa.select(ProgressUpdate).where(ProgressUpdate.assignment_id == a.id)
        .order_by(ProgressUpdate.id.desc())
    )
    assert latest.author_id == user("gddt").id and latest.result == "Nội dung thật."


def test_bad_input_on_the_form_is_400_with_the_text_kept(world):
    a = assignment("7", "GDDT")
    client = login(world, "gddt")
    before = snapshot()
    response = client.post(
        f"/assignments/{a.id}/progress",
        data={"percent": "150", "result": "Đã làm được nhiều việc.", "version": a.version},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Tiến độ phải là số phần trăm từ 0 đến 100." in html
    assert "Đã làm được nhiều việc." in html  # what the officer typed is not lost
    assert snapshot() == before


def test_two_officers_load_the_same_form_the_second_gets_409(world):
    a = assignment("7", "GDDT")
    user_services.create_user(
        username="gddt2", full_name="Lê Văn Hùng", password=DEMO_PASSWORD, role="officer",
        unit_code="GDDT",
    )
    db.session.commit()
    first, second = login(world, "gddt"), login(world, "gddt2")
    url = f"/assignments/{a.id}/progress"
    page = f"/directives/{a.directive_id}"
    v1 = form_version(first.get(page).get_data(as_text=True), url)
    v2 = form_version(second.get(page).get_data(as_text=True), url)
    assert v1 == v2
    ok = first.post(url, data={"percent": "85", "result": "Chị Lan: kiểm tra 8/8 trường.",
                               "difficulties": "Thiếu phòng học bộ môn.", "version": v1})
    assert ok.status_code == 302
    before = snapshot()
    late = second.post(url, data={"percent": "90", "result": "Anh Hùng: số liệu khác.",
                                  "version": v2})
    html = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "vừa được người khác cập nhật" in html
    assert "Chị Lan: kiểm tra 8/8 trường." in html  # what the other person saved
    assert "Thiếu phòng học bộ môn." in html
    assert "Phạm Thị Lan" in html and "85%" in html
    assert "Anh Hùng: số liệu khác." in html  # their own text, to copy
    assert snapshot() == before


def test_stale_confirm_form_gets_409(world):
    a = assignment("6.1", "QLDT")
    leader, secretary = login(world, "chutich"), login(world, "vanphong")
    version = a.version
    assert leader.post(f"/assignments/{a.id}/confirm",
                       data={"decision": "return", "comment": "Bổ sung.", "version": version}
                       ).status_code == 302
    before = snapshot()
    response = secretary.post(f"/assignments/{a.id}/confirm",
                              data={"decision": "confirm", "version": version})
    assert response.status_code == 409
    assert "Bổ sung." in response.get_data(as_text=True)
    assert snapshot() == before


def test_a_race_at_commit_is_answered_with_409(world, monkeypatch):
    """Both forms pass the version check; the other transaction commits first (StaleDataError)."""
    a = assignment("7", "GDDT")
    real = workflow.post_progress

    def racing(assignment_, *args, **kwargs):
        # The page passed the version check with what it loaded; meanwhile another request
        # commits its own change to the row before this one flushes.
        with db.engine.begin() as other:
            other.execute(sa.text("UPDATE assignment SET version = version + 1, percent = 99 "
                                  "WHERE id = :id"), {"id": assignment_.id})
        return real(assignment_, *args, **kwargs)

    monkeypatch.setattr(workflow, "post_progress", racing)
    client = login(world, "gddt")
    response = client.post(f"/assignments/{a.id}/progress",
                           data={"percent": "86", "result": "Đồng thời.", "version": a.version})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "cùng lúc" in html and "99%" in html
    db.session.expire_all()
    assert not db.session.scalar(
        sa.select(sa.func.count()).select_from(ProgressUpdate)
        .where(ProgressUpdate.result == "Đồng thời.")
    )


def test_withdrawn_directive_accepts_nothing(world):
    a = assignment("11", "DT")
    a.directive.withdrawn_at = vn(4, 1)
    db.session.commit()
    assert workflow.is_withdrawn(a)
    client = login(world, "dantoc")
    response = client.post(f"/assignments/{a.id}/progress",
                           data={"percent": "10", "result": "x", "version": a.version})
    assert response.status_code == 409
    assert "đã được rút" in response.get_data(as_text=True)
