"""The admin's working-day calendar: the package's holidays read-only, exceptions editable,
bad input refused in Vietnamese, everyone but the admin gets 403."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.directives.manage_helpers import base, snapshot
from tracker.calendar.models import CalendarException
from tracker.calendar.services import load_calendar
from tracker.core.models import AuditEvent
from tracker.extensions import db

__all__ = ["base"]


def _form(**overrides: str) -> dict[str, str]:
    form = {"day": "11/03/2023", "kind": "working_day", "note": "Làm bù cho ngày nghỉ thêm",
            "legal_source": "Thông báo số 5/TB-UBND"}
    form.update(overrides)
    return form


def test_year_page_lists_package_holidays_and_exceptions(base, client, auth):
    auth.login("admin")
    html = client.get("/admin/calendar/?year=2023").get_data(as_text=True)
    assert "Lịch làm việc năm 2023" in html
    assert "Giao thừa Tết Nguyên Đán" in html and "Thứ Bảy, 21/01/2023" in html
    assert "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)" in html
    assert "Chưa có ngày ngoại lệ nào trong năm 2023." in html
    html_2024 = client.get("/admin/calendar/?year=2024").get_data(as_text=True)
    assert "Thứ Bảy, 04/05/2024" in html_2024 and "Ngày làm việc bù" in html_2024


def test_add_and_delete_an_exception_with_audit(base, client, auth):
    auth.login("admin")
    response = client.post("/admin/calendar/exceptions", data=_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/calendar/?year=2023")
    row = db.session.scalar(sa.select(CalendarException))
    assert (row.day, row.kind, row.legal_source) == (
        dt.date(2023, 3, 11), "working_day", "Thông báo số 5/TB-UBND"
    )
    assert load_calendar().is_working_day(dt.date(2023, 3, 11))
    html = client.get("/admin/calendar/?year=2023").get_data(as_text=True)
    assert "Thứ Bảy, 11/03/2023" in html and "Làm bù cho ngày nghỉ thêm" in html
    created = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.entity == "calendar_exception")
    )
    assert created.action == "create" and created.after["day"] == "2023-03-11"

    response = client.post(f"/admin/calendar/exceptions/{row.id}/delete")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarException)) == 0
    deleted = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "delete",
                                    AuditEvent.entity == "calendar_exception")
    )
    assert deleted.before["kind"] == "working_day" and deleted.after is None


def test_an_extra_holiday_moves_working_day_deadlines(base, client, auth):
    auth.login("admin")
    client.post("/admin/calendar/exceptions",
                data=_form(day="2023-03-02", kind="holiday", note="Nghỉ thêm"))
    assert load_calendar().add_working_days(dt.date(2023, 3, 1), 1) == dt.date(2023, 3, 3)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"day": "31/02/2023"}, "«31/02/2023» không phải ngày hợp lệ"),
        ({"day": "hôm qua"}, "không phải ngày hợp lệ"),
        ({"day": ""}, "Hãy nhập ngày"),
        ({"day": "9" * 10_000}, "không phải ngày hợp lệ"),
        ({"kind": "weekend"}, "Loại ngày phải là ngày nghỉ hoặc ngày làm việc bù."),
        ({"note": ""}, "Hãy ghi chú lý do"),
        ({"note": "n" * 201}, "dài tối đa 200 ký tự"),
        ({"legal_source": "s" * 201}, "dài tối đa 200 ký tự"),
    ],
)
def test_bad_input_is_refused(base, client, auth, overrides, message):
    auth.login("admin")
    before = snapshot()
    response = client.post("/admin/calendar/exceptions", data=_form(**overrides))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert "9" * 100 not in html
    assert snapshot() == before


def test_same_day_twice_is_refused(base, client, auth):
    auth.login("admin")
    client.post("/admin/calendar/exceptions", data=_form())
    before = snapshot()
    response = client.post("/admin/calendar/exceptions", data=_form(kind="holiday"))
    assert response.status_code == 400
    assert "Ngày 11/03/2023 đã có trong danh sách ngoại lệ" in response.get_data(as_text=True)
    assert snapshot() == before


def test_bad_year_and_unknown_exception(base, client, auth):
    auth.login("admin")
    assert client.get("/admin/calendar/?year=abc").status_code == 400
    assert "Năm không hợp lệ" in client.get("/admin/calendar/?year=1800").get_data(as_text=True)
    assert client.post("/admin/calendar/exceptions/999/delete").status_code == 404


@pytest.mark.parametrize("username", ["chutich", "vanphong", "gddt", "xem"])
def test_only_the_admin_edits_the_calendar(base, client, auth, username):
    auth.login("admin")
    client.post("/admin/calendar/exceptions", data=_form())
    row = db.session.scalar(sa.select(CalendarException))
    auth.logout()
    auth.login(username)
    before = snapshot()
    assert client.get("/admin/calendar/").status_code == 403
    assert client.post("/admin/calendar/exceptions",
                       data=_form(day="12/03/2023")).status_code == 403
    assert client.post(f"/admin/calendar/exceptions/{row.id}/delete").status_code == 403
    assert snapshot() == before
    assert "Lịch làm việc" not in client.get("/").get_data(as_text=True)
