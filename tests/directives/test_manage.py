"""Directives by hand: create, edit, sub-directives, assign units (date, N working days, none),
change/remove assignments, withdraw; routing-rule admin; audit; permissions; bad input."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tests.directives.manage_helpers import base, snapshot
from tracker.auth.models import User
from tracker.core import clock
from tracker.core.models import AuditEvent
from tracker.directives.models import Assignment, Directive, ProgressUpdate
from tracker.extensions import db
from tracker.intake.models import RoutingRule
from tracker.intake.routing import propose_units
from tracker.intake.rules import routing_rules
from tracker.units.models import Unit

__all__ = ["base"]


def _unit(code: str) -> Unit:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def _user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def _directive(number: str) -> Directive:
    db.session.expire_all()
    return db.session.scalar(sa.select(Directive).where(Directive.number == number))


def _events(entity: str, action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.entity == entity, AuditEvent.action == action)
            .order_by(AuditEvent.id)
        )
    )


def _new_form(**overrides: str) -> dict[str, str]:
    form = {
        "number": "16",
        "title": "Tổ chức kiểm tra công tác phòng cháy chữa cháy tại chợ Trà Vinh",
        "text": "Tổ chức kiểm tra công tác phòng cháy chữa cháy tại chợ Trà Vinh. Báo cáo kết quả.",
        "field": "noi_chinh",
        "deadline_kind": "date",
        "deadline": "28/04/2023",
        "leader_id": "",
        "parent_id": "",
        "period": "04/2023",
    }
    form.update(overrides)
    return form


def _create(client, **overrides: str) -> Directive:
    response = client.post("/directives/new", data=_new_form(**overrides))
    assert response.status_code == 302, response.get_data(as_text=True)
    return _directive(overrides.get("number", "16"))


def _assign_form(unit: Unit, **overrides: str) -> dict[str, str]:
    form = {"unit_id": str(unit.id), "role": "lead", "deadline_kind": "date",
            "deadline": "28/04/2023", "working_days": ""}
    form.update(overrides)
    return form


@pytest.fixture(autouse=True)
def _april_2023(app):
    """Assignments are given "today": 03/04/2023 unless a test says otherwise."""
    app.config["TRACKER_TODAY"] = "2023-04-03"


# --------------------------------------------------------------------------------------------
# Create and edit
# --------------------------------------------------------------------------------------------


def test_secretariat_creates_a_directive_with_audit(base, client, auth):
    auth.login("vanphong")
    leader = _user("chutich")
    page = client.get("/directives/new")
    assert page.status_code == 200
    assert "Nguyễn Văn Tâm" in page.get_data(as_text=True)  # leaders offered
    directive = _create(client, leader_id=str(leader.id))
    assert directive.period.key == "2023-04"
    assert directive.deadline == dt.date(2023, 4, 28)
    assert directive.leader_id == leader.id
    assert directive.search_text.startswith("16 to chuc kiem tra cong tac phong chay")
    (event,) = _events("directive", "create")
    assert event.before is None
    assert event.after["title"] == directive.title
    assert event.after["deadline"] == "2023-04-28"
    assert event.user_id == _user("vanphong").id
    assert event.directive_id == directive.id


def test_sub_directive_takes_the_parent_period(base, client, auth):
    auth.login("chutich")
    parent = _create(client)
    page = client.get(f"/directives/new?parent_id={parent.id}")
    assert 'value="16.1"' in page.get_data(as_text=True)
    child = _create(client, number="16.1", parent_id=str(parent.id), period="01/2024",
                    deadline_kind="none", deadline="")
    assert child.parent_id == parent.id
    assert child.period_id == parent.period_id
    assert child.deadline is None  # thường xuyên
    assert [c.number for c in _directive("16").children] == ["16.1"]


def _parent_options(html: str) -> dict[str, str]:
    """value -> text of the parent choice's options (the empty "top level" one left out)."""
    select = html[html.index('id="parent_id"'):]
    select = select[: select.index("</select>")]
    return {value: text.strip() for value, text in
            re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select)}


def test_parent_choice_offers_the_form_period_and_the_chosen_parent(base, client, auth):
    """A province holds tens of thousands of directives over ten years: the parent choice
    lists the form's period alone (and the parent already chosen), not every period."""
    auth.login("chutich")
    march = _create(client, number="3", period="03/2023", deadline="31/03/2023")
    april = _create(client, number="16")
    april_child = _create(client, number="16.1", parent_id=str(april.id))
    withdrawn = _create(client, number="17")
    response = client.post(f"/directives/{withdrawn.id}/withdraw",
                           data={"reason": "Trùng nhiệm vụ 16"})
    assert response.status_code == 302

    options = _parent_options(client.get("/directives/new").get_data(as_text=True))
    # April (the default period): no sub-directive, none withdrawn
    assert list(options) == [str(april.id)]
    assert options[str(april.id)].startswith("Tháng 04/2023 · 16. Tổ chức kiểm tra")

    # "Thêm nhiệm vụ con" from March's directive: that period's, the parent selected
    html = client.get(f"/directives/new?parent_id={march.id}").get_data(as_text=True)
    assert list(_parent_options(html)) == [str(march.id)]
    assert f'<option value="{march.id}" selected>' in html

    # editing April's sub-directive after its parent moved to March: the parent stays offered
    april.period_id = march.period_id
    db.session.commit()
    html = client.get(f"/directives/{april_child.id}/edit").get_data(as_text=True)
    assert list(_parent_options(html)) == [str(april.id)]
    assert f'<option value="{april.id}" selected>' in html

    # a refused form is shown again with the period it was given (and a bad period: the default)
    refused = client.post("/directives/new", data=_new_form(number="", period="03/2023"))
    assert refused.status_code == 400
    assert set(_parent_options(refused.get_data(as_text=True))) == {str(march.id), str(april.id)}
    refused = client.post("/directives/new", data=_new_form(period="tháng mười ba"))
    assert refused.status_code == 400 and "Kỳ" in refused.get_data(as_text=True)


def test_edit_records_only_what_changed(base, client, auth):
    auth.login("vanphong")
    directive = _create(client)
    form = _new_form(title="Kiểm tra phòng cháy chữa cháy tại các chợ", deadline_kind="none",
                     version=str(directive.version))
    response = client.post(f"/directives/{directive.id}/edit", data=form)
    assert response.status_code == 302
    directive = _directive("16")
    assert directive.title == "Kiểm tra phòng cháy chữa cháy tại các chợ"
    assert directive.deadline is None
    (event,) = _events("directive", "update")
    assert event.before == {"title": "Tổ chức kiểm tra công tác phòng cháy chữa cháy tại chợ "
                                     "Trà Vinh", "deadline": "2023-04-28"}
    assert event.after == {"title": "Kiểm tra phòng cháy chữa cháy tại các chợ",
                           "deadline": None}
    # Saving the same values again (from a fresh form) writes no event.
    form["version"] = str(_directive("16").version)
    assert client.post(f"/directives/{directive.id}/edit", data=form).status_code == 302
    assert len(_events("directive", "update")) == 1


def test_duplicate_number_in_the_period_is_refused(base, client, auth):
    auth.login("vanphong")
    _create(client)
    before = snapshot()
    response = client.post("/directives/new", data=_new_form())
    assert response.status_code == 400
    assert "Số thứ tự 16 đã có trong kỳ này." in response.get_data(as_text=True)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Tên nhiệm vụ không được để trống."),
        ({"title": "T" * 501}, "Tên nhiệm vụ dài tối đa 500 ký tự"),
        ({"text": "x" * 20_001}, "Nội dung dài tối đa 20000 ký tự"),
        ({"number": "1" * 21}, "Số thứ tự dài tối đa 20 ký tự"),
        ({"deadline": "31/02/2023"}, "«31/02/2023» không phải ngày hợp lệ"),
        ({"deadline": ""}, "Hãy nhập ngày thời hạn"),
        ({"deadline_kind": "maybe"}, "Hãy chọn thời hạn"),
        ({"field": "khac"}, "Lĩnh vực không hợp lệ."),
        ({"period": "13/2023"}, "Kỳ «13/2023» không hợp lệ"),
        ({"leader_id": "99999"}, "Lãnh đạo phụ trách phải là một tài khoản lãnh đạo"),
        ({"leader_id": "x"}, "Lãnh đạo phụ trách không hợp lệ."),
        ({"parent_id": "99999"}, "Không có nhiệm vụ cha đã chọn."),
    ],
)
def test_bad_directive_input_is_refused(base, client, auth, overrides, message):
    auth.login("vanphong")
    before = snapshot()
    response = client.post("/directives/new", data=_new_form(**overrides))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert snapshot() == before


def test_officer_is_not_a_leader_in_charge(base, client, auth):
    auth.login("vanphong")
    before = snapshot()
    response = client.post("/directives/new", data=_new_form(leader_id=str(_user("gddt").id)))
    assert response.status_code == 400
    assert snapshot() == before


# --------------------------------------------------------------------------------------------
# Assignments
# --------------------------------------------------------------------------------------------


def test_assign_with_a_date_and_audit(base, app, client, auth):
    auth.login("vanphong")
    directive = _create(client)
    ca = _unit("CA")
    response = client.post(f"/directives/{directive.id}/assignments", data=_assign_form(ca))
    assert response.status_code == 302
    (assignment,) = _directive("16").assignments
    assert (assignment.unit_id, assignment.role) == (ca.id, "lead")
    assert assignment.deadline == dt.date(2023, 4, 28)
    assert assignment.assigned_on == dt.date(2023, 4, 3)
    assert assignment.deadline_basis is None
    assert assignment.state == "not_started"
    (event,) = _events("assignment", "create")
    assert event.after["unit_id"] == ca.id and event.after["deadline"] == "2023-04-28"
    page = client.get(f"/directives/{directive.id}/assignments").get_data(as_text=True)
    assert "Công an thành phố" in page and "28/04/2023" in page


@pytest.mark.parametrize(
    ("today", "n", "deadline"),
    [
        # Wed 18/01/2023: Thu 19 is day 1, Tết closes 20–26/01, then 27, 30, 31/01, 1/02.
        ("2023-01-18", "5", dt.date(2023, 2, 1)),
        # Thu 27/04/2023: Fri 28 is day 1; 29/4 Giỗ Tổ, 30/4, 1/5 and 2–3/5 in lieu are off.
        ("2023-04-27", "3", dt.date(2023, 5, 5)),
    ],
)
def test_n_working_days_across_holidays(base, app, client, auth, today, n, deadline):
    app.config["TRACKER_TODAY"] = today
    auth.login("chutich")
    directive = _create(client, period=f"{today[5:7]}/2023", deadline_kind="none",
                        deadline="")
    response = client.post(
        f"/directives/{directive.id}/assignments",
        data=_assign_form(_unit("TCKH"), deadline_kind="working_days", working_days=n,
                          deadline=""),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    (assignment,) = _directive("16").assignments
    assert assignment.deadline == deadline
    day = dt.date.fromisoformat(today)
    assert assignment.deadline_basis == f"{n} ngày làm việc kể từ ngày {day:%d/%m/%Y}"


def test_make_up_saturday_from_the_calendar_page_counts(base, app, client, auth):
    """An admin's make-up Saturday shortens an N-working-day deadline given afterwards."""
    app.config["TRACKER_TODAY"] = "2023-03-01"
    auth.login("admin")
    response = client.post("/admin/calendar/exceptions", data={
        "day": "11/03/2023", "kind": "working_day", "note": "Làm bù",
        "legal_source": "Thông báo thử nghiệm",
    })
    assert response.status_code == 302
    directive = _create(client, period="03/2023")
    client.post(
        f"/directives/{directive.id}/assignments",
        data=_assign_form(_unit("KT"), deadline_kind="working_days", working_days="10"),
    )
    (assignment,) = _directive("16").assignments
    assert assignment.deadline == dt.date(2023, 3, 14)  # 15/03 without the make-up Saturday


def test_assign_without_deadline(base, client, auth):
    auth.login("vanphong")
    directive = _create(client)
    client.post(f"/directives/{directive.id}/assignments",
                data=_assign_form(_unit("VHTT"), role="support", deadline_kind="none"))
    (assignment,) = _directive("16").assignments
    assert assignment.deadline is None and assignment.role == "support"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"unit_id": "999999"}, "Đơn vị đã chọn không tồn tại."),
        ({"unit_id": "abc"}, "Đơn vị không hợp lệ."),
        ({"unit_id": ""}, "Hãy chọn đơn vị."),
        ({"deadline": "31/02/2023"}, "«31/02/2023» không phải ngày hợp lệ"),
        ({"deadline": "01/01/2020"}, "trước ngày giao"),
        ({"deadline_kind": "working_days", "working_days": "-3"},
         "Số ngày làm việc phải từ 1 đến 365 (đã nhập -3)."),
        ({"deadline_kind": "working_days", "working_days": "0"}, "Số ngày làm việc phải từ 1"),
        ({"deadline_kind": "working_days", "working_days": "9" * 5000},
         "Số ngày làm việc phải là một số nguyên"),
        ({"deadline_kind": "working_days", "working_days": "ba"},
         "Số ngày làm việc phải là một số nguyên"),
        ({"role": "boss"}, "Vai trò phải là chủ trì hoặc phối hợp."),
        ({"deadline_kind": ""}, "Hãy chọn loại thời hạn"),
    ],
)
def test_bad_assignment_input_is_refused(base, app, client, auth, overrides, message):
    auth.login("vanphong")
    directive = _create(client)
    before = snapshot()
    response = client.post(f"/directives/{directive.id}/assignments",
                           data=_assign_form(_unit("CA"), **overrides))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert "9" * 200 not in html
    assert snapshot() == before


def test_same_unit_twice_is_refused(base, client, auth):
    auth.login("vanphong")
    directive = _create(client)
    client.post(f"/directives/{directive.id}/assignments", data=_assign_form(_unit("CA")))
    before = snapshot()
    response = client.post(f"/directives/{directive.id}/assignments",
                           data=_assign_form(_unit("CA"), role="support"))
    assert response.status_code == 400
    assert "đã được phân công cho nhiệm vụ này" in response.get_data(as_text=True)
    assert snapshot() == before


def test_change_and_remove_an_assignment(base, app, client, auth):
    auth.login("vanphong")
    directive = _create(client)
    client.post(f"/directives/{directive.id}/assignments", data=_assign_form(_unit("CA")))
    (assignment,) = _directive("16").assignments
    page = client.get(f"/assignments/{assignment.id}/edit").get_data(as_text=True)
    assert f'name="version" value="{assignment.version}"' in page
    response = client.post(f"/assignments/{assignment.id}/edit", data={
        "role": "support", "deadline_kind": "working_days", "working_days": "10",
        "version": str(assignment.version),
    })
    assert response.status_code == 302
    (assignment,) = _directive("16").assignments
    assert assignment.role == "support"
    assert assignment.deadline == dt.date(2023, 4, 17)  # 10 working days from Mon 03/04
    (event,) = _events("assignment", "update")
    assert event.before == {"role": "lead", "deadline": "2023-04-28", "deadline_basis": None}
    assert event.after["deadline"] == "2023-04-17"

    # A form loaded before that save gets a 409 with the current values, and changes nothing.
    before = snapshot()
    stale = client.post(f"/assignments/{assignment.id}/edit", data={
        "role": "lead", "deadline_kind": "none", "version": str(assignment.version - 1),
    })
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "vừa được người khác thay đổi" in html and "17/04/2023" in html
    assert snapshot() == before

    response = client.post(f"/assignments/{assignment.id}/remove")
    assert response.status_code == 302
    assert _directive("16").assignments == []
    (event,) = _events("assignment", "delete")
    assert event.before["unit"] == "Công an thành phố" and event.after is None


def test_assignment_with_progress_cannot_change(base, client, auth):
    auth.login("vanphong")
    directive = _create(client)
    client.post(f"/directives/{directive.id}/assignments", data=_assign_form(_unit("CA")))
    (assignment,) = _directive("16").assignments
    db.session.add(ProgressUpdate(assignment_id=assignment.id, created_at=clock.now(),
                                  percent=30, result="Đã kiểm tra 2 chợ."))
    db.session.commit()
    before = snapshot()
    page = client.get(f"/directives/{directive.id}/assignments").get_data(as_text=True)
    assert "chỉ gia hạn qua đề nghị gia hạn" in page
    response = client.post(f"/assignments/{assignment.id}/edit", data={
        "role": "support", "deadline_kind": "none", "version": str(assignment.version),
    })
    assert response.status_code == 400
    assert "thời hạn chỉ thay đổi qua đề nghị gia hạn" in response.get_data(as_text=True)
    response = client.post(f"/assignments/{assignment.id}/remove")
    assert response.status_code == 400
    assert "không thể sửa hay xóa phân công" in response.get_data(as_text=True)
    assert snapshot() == before
    assert _directive("16").assignments[0].role == "lead"


# --------------------------------------------------------------------------------------------
# Withdraw
# --------------------------------------------------------------------------------------------


def test_leader_withdraws_with_a_reason(demo, client, auth):
    auth.login("chutich")
    item6 = _directive("6")
    assert client.get(f"/directives/{item6.id}/withdraw").status_code == 200
    before = snapshot()
    empty = client.post(f"/directives/{item6.id}/withdraw", data={"reason": "   "})
    assert empty.status_code == 400
    assert "Hãy nêu lý do rút nhiệm vụ." in empty.get_data(as_text=True)
    assert snapshot() == before

    response = client.post(f"/directives/{item6.id}/withdraw",
                           data={"reason": "Đã giao cho Ban Quản lý dự án tỉnh thực hiện."})
    assert response.status_code == 302
    item6 = _directive("6")
    assert item6.withdrawn_at is not None
    assert item6.withdrawn_reason == "Đã giao cho Ban Quản lý dự án tỉnh thực hiện."
    assert {a.state for a in item6.assignments} == {"withdrawn"}
    for child in item6.children:  # its sub-directives go with it
        assert child.is_withdrawn and {a.state for a in child.assignments} <= {"withdrawn"}
    events = _events("directive", "withdraw")
    assert len(events) == 3
    assert events[0].entity_id == item6.id
    states_before = events[0].before["assignment_states"]
    assert set(states_before) == {str(a.id) for a in item6.assignments}
    assert "withdrawn" not in states_before.values()
    assert set(events[0].after["assignment_states"].values()) == {"withdrawn"}
    assert events[0].after["withdrawn_reason"].startswith("Đã giao")

    # Withdrawn work is history: no edit, no assignment, no second withdrawal.
    before = snapshot()
    assert client.post(f"/directives/{item6.id}/withdraw",
                       data={"reason": "Lần nữa"}).status_code == 400
    assert client.post(f"/directives/{item6.id}/edit", data=_new_form()).status_code == 400
    response = client.post(f"/directives/{item6.id}/assignments",
                           data=_assign_form(_unit("CA"), deadline="28/04/2030"))
    assert response.status_code == 400
    assert snapshot() == before


def test_withdraw_reason_length_is_limited(demo, client, auth):
    auth.login("chutich")
    item2 = _directive("2")
    before = snapshot()
    response = client.post(f"/directives/{item2.id}/withdraw", data={"reason": "r" * 2001})
    assert response.status_code == 400
    assert "Lý do dài tối đa 2000 ký tự." in response.get_data(as_text=True)
    assert snapshot() == before


def test_secretariat_cannot_withdraw(demo, client, auth):
    auth.login("vanphong")
    item2 = _directive("2")
    before = snapshot()
    assert client.get(f"/directives/{item2.id}/withdraw").status_code == 403
    assert client.post(f"/directives/{item2.id}/withdraw",
                       data={"reason": "Không cần nữa"}).status_code == 403
    assert snapshot() == before


def test_manage_actions_partial_by_role(demo, app, client, auth):
    from flask import render_template_string

    item2 = _directive("2")
    source = '{% include "directives/_manage_actions.html" %}'
    for username, expected in (("chutich", {"Sửa nhiệm vụ", "Rút nhiệm vụ"}),
                               ("vanphong", {"Sửa nhiệm vụ"}), ("gddt", set()),
                               ("xem", set())):
        with app.test_request_context():
            from flask_login import login_user

            login_user(_user(username))
            html = render_template_string(source, directive=item2)
        shown = {label for label in ("Sửa nhiệm vụ", "Rút nhiệm vụ", "Phân công đơn vị")
                 if label in html}
        assert expected <= shown, username
        if not expected:
            assert shown == set(), username
        if username == "vanphong":
            assert "Rút nhiệm vụ" not in html


# --------------------------------------------------------------------------------------------
# Routing rules (admin)
# --------------------------------------------------------------------------------------------


def test_admin_manages_routing_rules(base, client, auth):
    auth.login("admin")
    page = client.get("/admin/routing-rules").get_data(as_text=True)
    assert "Quy tắc phân công" in page and "GDDT" in page
    response = client.post("/admin/routing-rules/new", data={
        "keywords": "chuyển đổi số, Đề án 06", "unit_codes": "vp, CA", "role": "lead",
        "field": "cai_cach_hanh_chinh", "position": "0",
    })
    assert response.status_code == 302
    rule = db.session.scalar(sa.select(RoutingRule).order_by(RoutingRule.id.desc()))
    assert rule.keywords == "chuyển đổi số, Đề án 06" and rule.unit_codes == "VP, CA"
    (created,) = _events("routing_rule", "create")
    assert created.after["unit_codes"] == "VP, CA"
    field, leads, _ = propose_units(
        "Đẩy mạnh chuyển đổi số trong cơ quan nhà nước.", routing_rules()
    )
    assert leads == ["VP", "CA"] and field == "cai_cach_hanh_chinh"

    response = client.post(f"/admin/routing-rules/{rule.id}/edit", data={
        "keywords": "chuyển đổi số", "unit_codes": "VP", "role": "lead",
        "field": "cai_cach_hanh_chinh", "position": "0", "version": str(rule.version),
    })
    assert response.status_code == 302
    (updated,) = _events("routing_rule", "update")
    assert updated.before == {"keywords": "chuyển đổi số, Đề án 06", "unit_codes": "VP, CA"}

    response = client.post(f"/admin/routing-rules/{rule.id}/active", data={"active": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(RoutingRule, rule.id).active is False
    assert all("chuyển đổi số" not in r.keywords for r in routing_rules())
    assert len(_events("routing_rule", "deactivate")) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"unit_codes": "CA, KHONGCO"}, "Không có đơn vị mã: KHONGCO."),
        ({"keywords": " , "}, "Cần ít nhất một từ khóa."),
        ({"keywords": "k" * 101}, "Mỗi từ khóa dài tối đa 100 ký tự."),
        ({"keywords": "k, " * 1000}, "Từ khóa dài tối đa 2000 ký tự"),
        ({"role": "owner"}, "Vai trò phải là chủ trì hoặc phối hợp."),
        ({"field": "x"}, "Lĩnh vực không hợp lệ."),
        ({"position": "-1"}, "Thứ tự phải là số nguyên"),
        ({"unit_codes": "", "field": ""}, "ít nhất một đơn vị hoặc một lĩnh vực"),
    ],
)
def test_bad_rules_are_refused(base, client, auth, overrides, message):
    auth.login("admin")
    form = {"keywords": "an ninh", "unit_codes": "CA", "role": "lead", "field": "noi_chinh",
            "position": "1"}
    form.update(overrides)
    before = snapshot()
    response = client.post("/admin/routing-rules/new", data=form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert snapshot() == before


def test_seeded_rules_keep_keywords_with_commas_whole(base):
    """'phường, xã' stays one keyword: "xã hội" must not propose every ward."""
    _field, _leads, supports = propose_units(
        "Đảm bảo an sinh xã hội cho người dân.", routing_rules()
    )
    assert "P1" not in supports
    _field, _leads, supports = propose_units(
        "Các phòng ban, phường, xã triển khai thực hiện.", routing_rules()
    )
    assert {"P1", "P9", "XLD"} <= set(supports)


# --------------------------------------------------------------------------------------------
# Permissions: officers and viewers change nothing anywhere here
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["gddt", "xem"])
def test_officers_and_viewers_get_403_everywhere(demo, client, auth, username):
    item2 = _directive("2")
    assignment = item2.assignments[0]
    rule = db.session.scalar(sa.select(RoutingRule))
    auth.login(username)
    before = snapshot()
    gets = [
        "/directives/new", f"/directives/{item2.id}/edit", f"/directives/{item2.id}/assignments",
        f"/assignments/{assignment.id}/edit", f"/directives/{item2.id}/withdraw",
        "/imports/new", "/admin/routing-rules", "/admin/routing-rules/new",
        f"/admin/routing-rules/{rule.id}/edit",
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
    posts = [
        ("/directives/new", _new_form()),
        (f"/directives/{item2.id}/edit", _new_form(number="2")),
        (f"/directives/{item2.id}/assignments", _assign_form(_unit("CA"))),
        (f"/assignments/{assignment.id}/edit",
         {"role": "support", "deadline_kind": "none", "version": str(assignment.version)}),
        (f"/assignments/{assignment.id}/remove", {}),
        (f"/directives/{item2.id}/withdraw", {"reason": "Thử"}),
        ("/admin/routing-rules/new", {"keywords": "x", "unit_codes": "CA", "role": "lead"}),
        (f"/admin/routing-rules/{rule.id}/edit",
         {"keywords": "x", "unit_codes": "CA", "role": "lead"}),
        (f"/admin/routing-rules/{rule.id}/active", {"active": "0"}),
    ]
    for url, data in posts:
        assert client.post(url, data=data).status_code == 403, url
    assert snapshot() == before
    nav = client.get("/").get_data(as_text=True)
    assert "Nhập báo cáo" not in nav and "Thêm nhiệm vụ" not in nav


@pytest.mark.parametrize("username", ["chutich", "vanphong"])
def test_leaders_and_secretariat_cannot_edit_rules(demo, client, auth, username):
    auth.login(username)
    rule = db.session.scalar(sa.select(RoutingRule))
    before = snapshot()
    assert client.get("/admin/routing-rules").status_code == 403
    assert client.post(f"/admin/routing-rules/{rule.id}/active",
                       data={"active": "0"}).status_code == 403
    assert snapshot() == before
    nav = client.get("/").get_data(as_text=True)
    assert "Nhập báo cáo" in nav and "Quy tắc phân công" not in nav


def test_unknown_ids_are_404(base, client, auth):
    auth.login("chutich")
    for url in ("/directives/999/edit", "/directives/999/assignments", "/assignments/999/edit",
                "/directives/999/withdraw"):
        assert client.get(url).status_code == 404, url
    assert client.post("/assignments/999/remove").status_code == 404


def test_assign_page_renders_for_an_imported_directive(demo, client, auth):
    auth.login("vanphong")
    item6 = _directive("6")
    html = client.get(f"/directives/{item6.id}/assignments").get_data(as_text=True)
    assert "Ban Quản lý dự án đầu tư xây dựng" in html
    assert "Giao thêm đơn vị" in html
    assert "Thêm nhiệm vụ con" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) > 0
