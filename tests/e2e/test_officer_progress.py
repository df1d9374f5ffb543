"""Journey 2: the officer of Phường 9 reports progress with a PDF and then completion on a task
of the unit; the leader confirms it; the unit's row on the dashboard moves to "done on time"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.journeys import directive_of, tiny_pdf, unit_id

pytestmark = pytest.mark.e2e

TASK_9 = re.compile("^Tăng cường công tác quản lý Nhà nước về lĩnh vực văn hóa")
# columns of the unit scoreboard: name, total, done on time, done late, overdue, in time, ...
DONE_ON_TIME, IN_TIME = 2, 5


def scoreboard_row(page, p9_id: int):
    page.get_by_role("link", name="Tổng hợp", exact=True).click()
    expect(page.get_by_role("heading", name="Bảng tổng hợp nhiệm vụ tháng 03/2023")).to_be_visible()
    return page.locator(f'#scoreboard-units tr[data-unit="{p9_id}"] td')


def test_phuong_9_reports_completion_and_the_leader_confirms(live_server, browsing) -> None:
    server = live_server("2023-03-20")  # the demo data: March 2023 tasks, Phường 9 supports 7-9
    session = browsing(server)
    p9 = unit_id(server.app, "P9")

    leader = session.login("chutich")
    cells = scoreboard_row(leader, p9)
    expect(cells.nth(0)).to_have_text("Phường 9")
    done_before = int(cells.nth(DONE_ON_TIME).inner_text())
    in_time_before = int(cells.nth(IN_TIME).inner_text())

    # --- the officer finds the task under "Việc của đơn vị"
    officer = session.login("phuong9")
    officer.get_by_role("link", name="Việc của đơn vị").click()
    expect(officer.get_by_role("heading", name="Việc của đơn vị: Phường 9")).to_be_visible()
    officer.get_by_role("link", name=TASK_9).click()
    expect(officer.get_by_role("heading", name="Nhiệm vụ 9", exact=True)).to_be_visible()

    card = officer.locator(".card", has_text="Thao tác: Phường 9")
    card.get_by_label("Tiến độ (%)").fill("60")
    card.get_by_label("Kết quả đạt được").fill(
        "Đã kiểm tra 12 cơ sở kinh doanh karaoke, lập biên bản 2 trường hợp vi phạm."
    )
    card.get_by_label("Khó khăn, vướng mắc").fill("Thiếu cán bộ văn hóa chuyên trách.")
    pdf = tiny_pdf()
    card.get_by_label("Tệp minh chứng").set_input_files(
        {"name": "bien-ban-kiem-tra.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    card.get_by_role("button", name="Gửi báo cáo").click()
    expect(officer.get_by_text("Đã lưu báo cáo tiến độ.")).to_be_visible()

    # the evidence is listed under the update and downloads byte for byte
    with officer.expect_download() as download_info:
        officer.get_by_role("link", name="bien-ban-kiem-tra.pdf").click()
    assert download_info.value.path().read_bytes() == pdf

    # --- later the same week (yesterday's sessions have timed out): completion
    server.set_today("2023-03-24")
    officer = session.login("phuong9")
    officer.get_by_role("link", name="Việc của đơn vị").click()
    officer.get_by_role("link", name=TASK_9).click()
    card = officer.locator(".card", has_text="Thao tác: Phường 9")
    card.get_by_label("Tiến độ (%)").fill("100")
    card.get_by_label("Kết quả đạt được").fill("Hoàn thành kiểm tra toàn bộ 25 cơ sở trên địa bàn.")
    card.get_by_label(re.compile("Báo cáo đã hoàn thành nhiệm vụ")).check()
    card.get_by_role("button", name="Gửi báo cáo").click()
    expect(officer.get_by_text("Đã gửi báo cáo hoàn thành; chờ lãnh đạo xác nhận.")).to_be_visible()
    expect(officer.get_by_role("row", name=re.compile("Phường 9 Phối hợp"))).to_contain_text(
        "Chờ xác nhận hoàn thành"
    )

    # --- the leader confirms from the directive page
    leader = session.login("chutich")
    leader.get_by_role("link", name="Nhiệm vụ", exact=True).click()
    leader.get_by_role("link", name=TASK_9).click()
    confirm = leader.locator(".card", has_text="Thao tác: Phường 9")
    confirm.get_by_role("button", name="Xác nhận hoàn thành").click()
    expect(leader.get_by_text("Đã xác nhận hoàn thành.")).to_be_visible()
    expect(leader.get_by_role("row", name=re.compile("Phường 9 Phối hợp"))).to_contain_text(
        "Hoàn thành đúng hạn"
    )

    # --- the dashboard: Phường 9 has one more task done on time, one fewer in progress
    cells = scoreboard_row(leader, p9)
    expect(cells.nth(DONE_ON_TIME)).to_have_text(str(done_before + 1))
    expect(cells.nth(IN_TIME)).to_have_text(str(in_time_before - 1))

    task_9 = directive_of(server.app, 2023, 3, "9")
    p9_assignment = next(a for a in task_9.assignments if a.unit.code == "P9")
    assert p9_assignment.state == "done"
    assert p9_assignment.on_time is True
    assert str(p9_assignment.completed_on) == "2023-03-24"

    session.guard.check()
