"""Journey 3: the secretariat builds the March 2023 report, rewrites one paragraph and downloads
the Word file; the edited paragraph is in the .docx."""

from __future__ import annotations

import pytest
from docx import Document
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

EDITED = (
    "- Phòng Văn hóa và Thông tin chủ trì kiểm tra 25 cơ sở kinh doanh dịch vụ văn hóa, "
    "xử lý 2 trường hợp vi phạm (số liệu Văn phòng đối chiếu ngày 05/04/2023)."
)


def test_secretariat_builds_edits_and_downloads_the_march_report(
    live_server, browsing, tmp_path
) -> None:
    server = live_server("2023-04-05")
    session = browsing(server)

    page = session.login("vanphong")
    page.get_by_role("link", name="Báo cáo tháng", exact=True).click()
    expect(page.get_by_role("heading", name="Báo cáo tháng", exact=True)).to_be_visible()
    page.get_by_label("Kỳ báo cáo (tháng)").fill("2023-03")
    page.get_by_label("Số liệu tính đến ngày").fill("05/04/2023")
    page.get_by_role("button", name="Lập báo cáo").click()
    expect(page.get_by_text("Đã lập dự thảo báo cáo tháng 03/2023")).to_be_visible()

    # rewrite the first "- " paragraph of the results, leave the rest as drafted
    results = page.get_by_label("I. Kết quả thực hiện theo lĩnh vực")
    drafted = results.input_value()
    lines = drafted.split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith("- "))
    replaced = lines[index]
    lines[index] = EDITED
    results.fill("\n".join(lines))
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_text("Đã lưu báo cáo.")).to_be_visible()
    expect(page.get_by_text("Đã sửa tay", exact=True)).to_have_count(1)
    assert EDITED in page.get_by_label("I. Kết quả thực hiện theo lĩnh vực").input_value()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải Word (.docx)").click()
    download = download_info.value
    assert download.suggested_filename == "bao-cao-thang-03-2023.docx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    paragraphs = [p.text for p in Document(str(saved)).paragraphs]
    edited_body = EDITED.removeprefix("- ")
    assert any(edited_body in text for text in paragraphs), "edited paragraph not in the .docx"
    assert not any(replaced.removeprefix("- ") == text.removeprefix("- ") for text in paragraphs)
    assert any("MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG 04/2023" in t.upper() for t in paragraphs)

    session.guard.check()
