"""Journey: the daily loop on phones (390×844). Phường 9's officer finds a new assignment in
"Việc cần xử lý", posts progress with a photo from the form and later reports completion; the
chairman, on his phone too, confirms it from his inbox. No page either of them uses is wider
than the screen."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.journeys import assert_fits_phone, directive_of, photo_jpeg

pytestmark = pytest.mark.e2e

TASK_11 = "Nhiệm vụ 11 (tháng 03/2023)"


def _shots(tmp_path: Path) -> Path:
    """Where the phone screenshots go (E2E_SCREENSHOTS=<dir> keeps them for a person to see)."""
    target = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path / "phone")
    target.mkdir(parents=True, exist_ok=True)
    return target


def _look(page, shots: Path, name: str) -> None:
    assert_fits_phone(page)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def _assign_task_11_to_phuong_9(app) -> None:
    """The leader gives Phường 9 a share of task 11 (by the service, as the manage page does)."""
    import sqlalchemy as sa

    from tracker.auth.models import User
    from tracker.core import uow
    from tracker.directives import services
    from tracker.extensions import db
    from tracker.units.models import Unit

    with app.app_context():
        task = directive_of(app, 2023, 3, "11")
        task = db.session.merge(task)
        p9 = db.session.scalar(sa.select(Unit).where(Unit.code == "P9"))
        leader = db.session.scalar(sa.select(User).where(User.username == "chutich"))
        services.assign_unit(task, p9, "support",
                             services.DeadlineSpec("date", day=dt.date(2023, 4, 28)),
                             user=leader)
        uow.commit()
        db.session.remove()


def test_officer_and_leader_work_the_day_from_their_phones(live_server, browsing, tmp_path):
    server = live_server("2023-04-05")
    session = browsing(server)
    shots = _shots(tmp_path)
    _assign_task_11_to_phuong_9(server.app)

    # --- the officer signs in and lands on "Việc cần xử lý"
    officer = session.login("phuong9", phone=True)
    expect(officer).to_have_url(re.compile(r"/inbox$"))
    expect(officer.get_by_role("heading", name=re.compile("^Việc cần xử lý"))).to_be_visible()
    new = officer.locator("#inbox-new .inbox-item", has_text=TASK_11)
    expect(new).to_be_visible()
    expect(officer.locator("#bell-count")).to_have_text("1")  # told of the new assignment
    _look(officer, shots, "1-officer-inbox")

    # --- progress with a photo, from the form the row leads to
    new.click()
    expect(officer.get_by_role("heading", name="Nhiệm vụ 11", exact=True)).to_be_visible()
    _look(officer, shots, "2-officer-directive")
    card = officer.locator(".card", has_text="Thao tác: Phường 9")
    card.get_by_label("Tiến độ (%)").fill("40")
    card.get_by_label("Kết quả đạt được").fill(
        "Đã rà soát 45 hộ đồng bào Khmer trên địa bàn, lập danh sách hỗ trợ.")
    card.get_by_label("Tệp minh chứng").set_input_files(
        {"name": "hien-truong.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg(officer)})
    _look(officer, shots, "3-officer-progress-form")
    card.get_by_role("button", name="Gửi báo cáo").click()
    expect(officer).to_have_url(re.compile(r"/inbox$"))  # back where the day started
    expect(officer.get_by_text("Đã lưu báo cáo tiến độ.")).to_be_visible()
    expect(officer.locator("#inbox-new")).to_have_count(0)  # acting removed the row

    # --- "Việc của đơn vị" through the phone menu, then completion
    officer.get_by_role("button", name="Mở menu").click()
    officer.get_by_role("link", name="Việc của đơn vị").click()
    expect(officer.get_by_role("heading", name="Việc của đơn vị: Phường 9")).to_be_visible()
    _look(officer, shots, "4-officer-unit-work")
    officer.locator("#unit-work tr", has_text=TASK_11).get_by_role("link").click()
    expect(officer.get_by_role("link", name="hien-truong.jpg")).to_be_visible()
    card = officer.locator(".card", has_text="Thao tác: Phường 9")
    card.get_by_label("Tiến độ (%)").fill("100")
    card.get_by_label("Kết quả đạt được").fill("Đã hỗ trợ đủ 45 hộ; gửi danh sách kèm theo.")
    card.get_by_label(re.compile("Báo cáo đã hoàn thành nhiệm vụ")).check()
    card.get_by_role("button", name="Gửi báo cáo").click()
    expect(officer.get_by_text("Đã gửi báo cáo hoàn thành; chờ lãnh đạo xác nhận.")).to_be_visible()
    _look(officer, shots, "5-officer-reported")

    # --- the chairman, on his phone, confirms from his inbox
    leader = session.login("chutich", phone=True)
    expect(leader).to_have_url(re.compile(r"/inbox$"))
    row = leader.locator("#inbox-confirm .inbox-item", has_text=TASK_11)
    expect(row).to_contain_text("Phường 9")
    expect(leader.locator("#bell-count")).to_have_text("1")  # told of the completion
    _look(leader, shots, "6-leader-inbox")
    row.click()
    _look(leader, shots, "7-leader-directive")
    confirm = leader.locator(".card", has_text="Thao tác: Phường 9")
    confirm.get_by_role("button", name="Xác nhận hoàn thành").click()
    expect(leader).to_have_url(re.compile(r"/inbox$"))
    expect(leader.get_by_text("Đã xác nhận hoàn thành.")).to_be_visible()
    expect(leader.locator("#inbox-confirm .inbox-item", has_text=TASK_11)).to_have_count(0)
    expect(leader.locator("#inbox-confirm .inbox-item", has_text="Nhiệm vụ 6.1")).to_be_visible()

    # --- the other pages they open on a phone fit the screen too
    for name, path in (("8-leader-first-page", "/"), ("9-leader-dashboard", "/dashboard"),
                       ("10-leader-units", "/units/"), ("11-leader-search", "/directives")):
        leader.goto(path)
        _look(leader, shots, name)
    officer.goto("/notifications")
    expect(officer.locator(".notification", has_text="Đã xác nhận hoàn thành " + TASK_11)) \
        .to_be_visible()
    _look(officer, shots, "12-officer-notifications")

    task = directive_of(server.app, 2023, 3, "11")
    p9 = next(a for a in task.assignments if a.unit.code == "P9")
    assert p9.state == "done" and p9.on_time is True
    session.guard.check()


@pytest.mark.parametrize("username", ["admin", "chutich"])
def test_the_menu_with_its_counts_fits_every_desktop_width(live_server, browsing, username):
    """The inbox count and the bell joined the menu: it still fits one line from 1200 px (icons
    stand for the inbox and the person up to 1600 px), and a phone shows both beside the menu
    button."""
    server = live_server("2023-04-05")
    session = browsing(server)
    page = session.login(username)
    for width in (1200, 1280, 1366, 1440, 1600, 1920):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/inbox")
        page.wait_for_load_state("load")
        right = page.evaluate("() => document.querySelector('#bell').getBoundingClientRect().right")
        scroll = page.evaluate("() => document.documentElement.scrollWidth")
        assert right <= width and scroll <= width, (width, right, scroll)
    session.guard.check()
