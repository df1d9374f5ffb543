"""Journey: a report of another city, whose priority section is "III." and whose task 2 has
lettered sub-items, imported through the preview on a phone: one unit the catalogue lacks is
mapped to an existing unit, one deadline read from the text is corrected, a group "các phường,
xã" is narrowed to two wards; a first confirm with a mistake comes back with every choice kept;
the second creates the directives with exactly those choices."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.journeys import directive_of
from tracker.calendar.services import load_calendar
from tracker.directives.models import SourceDocument
from tracker.extensions import db

pytestmark = pytest.mark.e2e

REPORT = Path(__file__).parent / "data" / "bao-cao-vi-thanh-thang-11-2024.txt"
UNKNOWN = "Trung tâm Phát triển quỹ đất thành phố"
PHONE = {"width": 390, "height": 844}


def _task(page, number: str):
    return page.locator(f"li.import-task[data-number='{number}']")


def test_section_iii_with_lettered_items_mapped_corrected_confirmed(live_server,
                                                                    browsing) -> None:
    server = live_server("2024-12-02", directives=False)  # units, users, rules; no directives
    session = browsing(server)
    page = session.login("vanphong")
    page.set_viewport_size(PHONE)

    page.goto("/imports/new")
    page.get_by_label("Tệp báo cáo").set_input_files(REPORT)
    page.get_by_role("button", name="Tải lên và xem trước").click()
    expect(page.get_by_role("heading", name="Xem trước: nhiệm vụ trọng tâm tháng 12/2024")
           ).to_be_visible()

    # What was read from the report: the section taken, the issuer, both periods.
    facts = page.locator("dl.import-facts")
    expect(facts).to_contain_text("«III. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM THÁNG 12 NĂM 2024»")
    expect(facts).to_contain_text("ỦY BAN NHÂN DÂN THÀNH PHỐ VỊ THANH")  # as read
    expect(facts).to_contain_text("Tháng 12/2024")
    expect(facts).to_contain_text("3 nhiệm vụ và 3 nhiệm vụ con")
    for number in ("2.a", "2.b", "2.c"):
        expect(_task(page, number)).to_be_visible()

    # Deadlines as read, with their words.
    task_1 = _task(page, "1")
    expect(task_1).to_contain_text("Văn bản ghi: «trước ngày 25/12/2024» → 25/12/2024")
    date_1 = task_1.get_by_label("Ngày thời hạn nhiệm vụ 1")
    expect(date_1).to_have_value("25/12/2024")
    task_2b = _task(page, "2.b")
    expect(task_2b.get_by_label("Số ngày làm việc kể từ ngày giao")).to_be_checked()
    expect(task_2b.get_by_label("Số ngày làm việc nhiệm vụ 2.b")).to_have_value("10")
    expect(_task(page, "2.c").get_by_label("Thường xuyên (không có thời hạn)")).to_be_checked()
    expect(task_2b).to_contain_text("không có trong danh mục đơn vị")

    # The group "các phường, xã" is one choice, all ticked; narrowed to two wards by taps.
    group = _task(page, "2.c").get_by_role("group", name=re.compile("Nhóm «các phường, xã»"))
    expect(group.get_by_role("checkbox")).to_have_count(10)
    expect(group.get_by_label("Xã Long Đức")).to_be_checked()
    group.get_by_role("button", name="Bỏ chọn tất cả").click()
    group.get_by_label("Phường 1", exact=True).check()
    group.get_by_label("Phường 2", exact=True).check()
    expect(group).to_contain_text("Đang chọn 2/10.")

    # The unit the catalogue lacks is mapped to an existing one; task 1's deadline corrected.
    unknown = page.locator("fieldset.unknown-unit", has_text=UNKNOWN)
    expect(unknown).to_contain_text("không có trong danh mục đơn vị")
    unknown.get_by_label(f"Đơn vị có sẵn cho «{UNKNOWN}»").select_option(
        label="Ban Quản lý dự án đầu tư xây dựng")
    expect(unknown.get_by_label("Là đơn vị có sẵn trong danh mục")).to_be_checked()
    date_1.fill("27/12/2024")
    # ... and a mistake: task 3 gets an impossible date.
    _task(page, "3").get_by_label("Ngày thời hạn nhiệm vụ 3").fill("31/02/2024")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("button", name=re.compile("Xác nhận nhập 6 nhiệm vụ")).click()
    expect(page.locator("#import-errors")).to_contain_text(
        "Nhiệm vụ 3: thời hạn: «31/02/2024» không phải ngày hợp lệ")
    # Nothing the secretariat did is lost.
    expect(_task(page, "1").get_by_label("Ngày thời hạn nhiệm vụ 1")).to_have_value("27/12/2024")
    unknown = page.locator("fieldset.unknown-unit", has_text=UNKNOWN)
    expect(unknown.get_by_label("Là đơn vị có sẵn trong danh mục")).to_be_checked()
    expect(unknown.get_by_label(f"Đơn vị có sẵn cho «{UNKNOWN}»").locator("option:checked")
           ).to_have_text("Ban Quản lý dự án đầu tư xây dựng")
    group = _task(page, "2.c").get_by_role("group", name=re.compile("Nhóm «các phường, xã»"))
    expect(group.locator("input:checked")).to_have_count(2)
    expect(group.get_by_label("Phường 2", exact=True)).to_be_checked()
    with server.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SourceDocument.id))) == 0
        db.session.remove()
    # The refused confirm answered 400, which Chromium logs; that one was asked for.
    refused = session.guard.console_errors
    assert len(refused) == 1 and "/confirm" in refused[0] and "400" in refused[0], refused
    refused.clear()

    _task(page, "3").get_by_label("Ngày thời hạn nhiệm vụ 3").fill("31/12/2024")
    page.get_by_role("button", name=re.compile("Xác nhận nhập 6 nhiệm vụ")).click()
    expect(page.get_by_text("Đã nhập 6 nhiệm vụ kỳ 12/2024 (3 nhiệm vụ, 3 nhiệm vụ con).")
           ).to_be_visible()

    # The directives carry exactly the reviewed choices.
    task_1 = directive_of(server.app, 2024, 12, "1")
    assert task_1.deadline == dt.date(2024, 12, 27)
    assert {(a.unit.code, a.role, a.deadline) for a in task_1.assignments} == {
        ("TCKH", "lead", dt.date(2024, 12, 27)), ("CCT", "support", dt.date(2024, 12, 27))}
    task_2b = directive_of(server.app, 2024, 12, "2.b")
    with server.app.app_context():
        ten_days = load_calendar().add_working_days(dt.date(2024, 12, 2), 10)
        db.session.remove()
    assert task_2b.deadline == ten_days
    assert {(a.unit.code, a.role) for a in task_2b.assignments} == {
        ("BQLDA", "lead"), ("TNMT", "support")}
    assert {a.deadline_basis for a in task_2b.assignments} == {
        "10 ngày làm việc kể từ ngày 02/12/2024"}
    task_2c = directive_of(server.app, 2024, 12, "2.c")
    assert task_2c.deadline is None
    assert {(a.unit.code, a.role) for a in task_2c.assignments} == {
        ("VP", "lead"), ("P1", "support"), ("P2", "support")}
    assert directive_of(server.app, 2024, 12, "3").deadline == dt.date(2024, 12, 31)
    with server.app.app_context():
        source = db.session.scalar(sa.select(SourceDocument))
        assert source.issuer == "UBND thành phố Vị Thanh"
        db.session.remove()

    session.guard.check()
