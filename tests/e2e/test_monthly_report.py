"""Journey 3: the secretariat drafts the March 2023 report, rewrites a paragraph and gives it a
footnote in place, regenerates another section, issues the report after reading what still
waits, and downloads the PDF: the edit and its footnote are in it."""

from __future__ import annotations

import io

import pytest
from docx import Document
from playwright.sync_api import expect
from pypdf import PdfReader

from tracker.reports import pdf_export

pytestmark = pytest.mark.e2e

EDITED = ("Phòng Văn hóa và Thông tin chủ trì kiểm tra 25 cơ sở kinh doanh dịch vụ văn hóa, "
          "xử lý 2 trường hợp vi phạm")
NOTE = "Số liệu Văn phòng đối chiếu với biên bản kiểm tra ngày 05/04/2023."


def test_secretariat_edits_regenerates_issues_and_downloads(live_server, browsing, tmp_path
                                                            ) -> None:
    if not pdf_export.available():
        pytest.fail("LibreOffice is missing: `make test` installs it (.ci/ensure-libreoffice).")
    server = live_server("2023-04-05")
    session = browsing(server)

    page = session.login("vanphong")
    page.get_by_role("link", name="Báo cáo tháng", exact=True).click()
    expect(page.get_by_role("heading", name="Báo cáo tháng", exact=True)).to_be_visible()
    page.get_by_label("Kỳ báo cáo (tháng)").fill("2023-03")
    page.get_by_label("Số liệu tính đến ngày").fill("05/04/2023")
    page.get_by_role("button", name="Lập báo cáo").click()
    expect(page.get_by_text("Đã lập dự thảo báo cáo tháng 03/2023")).to_be_visible()

    # Rewrite the paragraph about task 9 in place and give it a footnote: no markup typed.
    results = page.locator("#section-results")
    paragraph = results.locator(".rp-para", has_text="Nhiệm vụ số 9 ")
    paragraph.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(EDITED + ".")
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")  # the mark goes before the full stop
    results.get_by_role("button", name="Chèn chú thích").click()
    note_box = results.locator(".rp-note-text:focus")
    expect(note_box).to_have_value("")
    note_box.fill(NOTE)
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_text("Đã lưu báo cáo.")).to_be_visible()
    saved = page.locator("#section-results .rp-para", has_text=EDITED)
    expect(saved).to_have_count(1)
    expect(saved.locator(".rp-fn")).to_have_attribute("data-note", NOTE)

    # Regenerate another section: the edited one stays as written.
    page.locator("#section-shortcomings").get_by_role("button", name="Tạo lại mục này").click()
    expect(page.get_by_text("Đã tạo lại mục «Hạn chế, tồn tại»")).to_be_visible()
    expect(page.locator("#section-results .rp-para", has_text=EDITED)).to_have_count(1)

    # The Word file holds the edit with a real footnote.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải Word (.docx)").click()
    docx_path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(docx_path)
    assert any(EDITED in p.text for p in Document(str(docx_path)).paragraphs)

    # Issue it: the page lists what still waits and asks for confirmation.
    page.get_by_role("link", name="Ban hành…").click()
    expect(page.get_by_role("heading", name="Ban hành báo cáo tháng 03/2023")).to_be_visible()
    pending = page.locator(".rp-pending")
    expect(pending.get_by_text("Hoàn thành chờ xác nhận")).to_be_visible()
    expect(pending.get_by_role("link", name="Nhiệm vụ 6.1")).to_be_visible()
    expect(pending.get_by_text("Đề nghị gia hạn chờ quyết định")).to_be_visible()
    expect(pending.get_by_text("Đơn vị chưa cập nhật tiến độ")).to_be_visible()
    page.get_by_label("Tôi đã xem các việc còn chờ").check()
    page.get_by_role("button", name="Ban hành", exact=True).click()
    expect(page.get_by_text("Đã ban hành báo cáo tháng 03/2023.")).to_be_visible()

    # Download the PDF LibreOffice made from the issued Word file.
    expect(page.get_by_text("Báo cáo đã ban hành và được khóa")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải PDF").first.click()
    download = download_info.value
    assert download.suggested_filename == "bao-cao-thang-03-2023.pdf"
    pdf_path = tmp_path / download.suggested_filename
    download.save_as(pdf_path)
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)
    assert "kiểm tra 25 cơ sở kinh doanh dịch vụ văn hóa" in text
    assert "biên bản kiểm tra ngày 05/04/2023" in text  # the footnote, at the foot of its page

    session.guard.check()
