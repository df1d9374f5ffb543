"""Journey 1: the secretariat imports the monthly report, correcting one proposed unit on the
preview; a leader then sets a deadline and adds Phường 9 as a supporting unit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.journeys import directive_of
from tracker.demo.accounts import SEED_REPORT

pytestmark = pytest.mark.e2e


def test_import_correct_confirm_then_leader_assigns_phuong_9(live_server, browsing) -> None:
    server = live_server("2023-03-01", directives=False)  # units, users, rules; no directives
    session = browsing(server)

    # --- the secretariat uploads the February report
    page = session.login("vanphong")
    page.get_by_role("link", name="Nhập báo cáo").click()
    expect(page.get_by_role("heading", name="Nhập báo cáo")).to_be_visible()
    page.get_by_label("Tệp báo cáo").set_input_files(SEED_REPORT)
    page.get_by_role("button", name="Tải lên và xem trước").click()
    expect(page.get_by_role("heading", name="Xem trước: nhiệm vụ trọng tâm tháng 03/2023")
           ).to_be_visible()

    # task 4 is proposed to Phòng Kinh tế; the secretariat gives it to Tài chính - Kế hoạch
    lead_4 = page.get_by_role("group", name="Đơn vị chủ trì nhiệm vụ 4", exact=True)
    expect(lead_4.get_by_label("Phòng Kinh tế", exact=True)).to_be_checked()
    lead_4.get_by_text("Chọn hoặc bỏ chọn đơn vị").click()
    lead_4.get_by_label("Phòng Kinh tế", exact=True).uncheck()
    lead_4.get_by_label("Phòng Tài chính - Kế hoạch", exact=True).check()
    expect(lead_4.locator("[data-chosen]")).to_have_text("Phòng Tài chính - Kế hoạch")
    # task 8 names «Sở Y tế», a province department the city does not assign
    page.locator("fieldset.unknown-unit", has_text="Sở Y tế").get_by_label(
        "Không giao việc cho đơn vị này").check()
    page.get_by_role("button", name=re.compile("Xác nhận nhập")).click()
    expect(page.get_by_text("Đã nhập 17 nhiệm vụ kỳ 03/2023")).to_be_visible()

    task_4 = directive_of(server.app, 2023, 3, "4")
    assert [(a.unit.code, a.role) for a in task_4.assignments] == [("TCKH", "lead")]

    # --- the leader opens task 2, sets its deadline and adds Phường 9 as supporting unit
    server.set_today("2023-03-02")
    page = session.login("chutich")
    page.get_by_role("link", name="Nhiệm vụ", exact=True).click()
    page.get_by_role("link", name=re.compile("^Tập trung tháo gỡ các khó khăn")).click()
    expect(page.get_by_role("heading", name="Nhiệm vụ 2", exact=True)).to_be_visible()
    page.get_by_role("link", name="Sửa nhiệm vụ").click()
    page.get_by_label("Đến ngày").check()
    page.get_by_label("Ngày thời hạn").fill("15/03/2023")
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.get_by_text("Đã lưu nhiệm vụ 2.")).to_be_visible()

    page.get_by_role("link", name="Phân công đơn vị").click()
    page.get_by_label("Đơn vị", exact=True).select_option(label="Phường 9")
    page.get_by_label("Phối hợp").check()
    expect(page.get_by_label("Ngày thời hạn")).to_have_value("15/03/2023")
    page.get_by_role("button", name="Giao việc").click()
    expect(page.get_by_text("Đã giao Phường 9 (phối hợp), thời hạn 15/03/2023.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Phường 9 Phối hợp"))).to_be_visible()

    task_2 = directive_of(server.app, 2023, 3, "2")
    assert task_2.deadline == dt.date(2023, 3, 15)
    by_unit = {a.unit.code: a for a in task_2.assignments}
    assert by_unit["P9"].role == "support"
    assert by_unit["P9"].deadline == dt.date(2023, 3, 15)
    assert by_unit["P9"].assigned_on == dt.date(2023, 3, 2)
    assert by_unit["KT"].role == "lead"

    session.guard.check()
