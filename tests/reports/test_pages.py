"""Report pages, regeneration that keeps edits, bad input, the CLI, finalising, the exports."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.reports.conftest import LATE_TEXT, at, directive, lead, record
from tracker.core.periods import PeriodKey
from tracker.directives.models import Directive, Period
from tracker.extensions import db
from tracker.reports import next_tasks, pdf_export
from tracker.reports.models import FINAL, Report, ReportFile
from tracker.reports.prose import Block
from tracker.reports.sections import merge, parse_blocks, serialize

MARCH = PeriodKey(2023, 3)
needs_soffice = pytest.mark.skipif(not pdf_export.available(),
                                   reason="LibreOffice: make test installs it")


def _create(client, auth, period="2023-03", as_of="05/04/2023", user="vanphong"):  # noqa: ANN001, ANN201
    auth.login(user)
    return client.post("/reports/", data={"period": period, "as_of": as_of})


def _report() -> Report:
    db.session.expire_all()
    return db.session.scalar(sa.select(Report))


def _texts(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


# --- pure pieces ---------------------------------------------------------------------------------


def test_section_text_round_trips_with_footnotes_and_escapes() -> None:
    blocks = [Block("- Giải ngân đạt 45%, 2 gói thầu khởi công.", ("Vốn tỉnh 0,60%.",), (15,)),
              Block("1. Lĩnh vực Kinh tế:")]
    text = serialize(blocks)
    assert text == ("- Giải ngân đạt[^1] 45%, 2 gói thầu khởi công.\n1. Lĩnh vực Kinh tế:\n"
                    "[^1]: Vốn tỉnh 0,60%.")
    back = parse_blocks(text)
    assert back[0].text == blocks[0].text and back[0].notes == blocks[0].notes
    assert back[0].anchors == (15,)
    typed = parse_blocks("Gõ [\u2060^1] như chữ.\n[^1]: không phải chú thích")
    assert typed[0].text == "Gõ [^1] như chữ." and typed[0].notes == ()


def test_merge_keeps_edited_and_added_paragraphs_and_takes_new_wording() -> None:
    base = [Block("- A cũ.", key="a"), Block("- B cũ.", key="b"), Block("- C cũ.", key="c")]
    mine = ("- A cũ.\n- B do Văn phòng viết lại[^1].\n- Đoạn thêm tay.\n- C cũ.\n"
            "[^1]: Chú thích tay.")
    new = [Block("- A mới.", key="a"), Block("- B mới.", key="b"), Block("- C mới.", key="c"),
           Block("- D mới.", key="d")]
    merged = serialize(merge(serialize(base), ["a", "b", "c"], mine, new))
    assert merged.splitlines()[:5] == ["- A mới.", "- B do Văn phòng viết lại[^1].",
                                       "- Đoạn thêm tay.", "- C mới.", "- D mới."]
    assert "[^1]: Chú thích tay." in merged
    deleted = "- A cũ.\n- C cũ."
    assert [b.text for b in merge(serialize(base), ["a", "b", "c"], deleted, new)] == [
        "- A mới.", "- C mới.", "- D mới."]


def test_section_two_drops_past_events_and_keeps_standing_duties() -> None:
    before = dt.date(2023, 4, 1)
    text = ("Đẩy nhanh hoàn thành thu thuế môn bài. Tăng cường công tác kiểm tra việc thu - chi "
            "ngân sách. Phối hợp tổ chức hưởng ứng “Ngày Quyền của người tiêu dùng Việt Nam” năm "
            "2023; tổ chức hội nghị ngày 20/3. Tổ chức hội nghị sơ kết ngày 10/4/2023.")
    assert next_tasks.trim(text, before, finished=True) == (
        "Tăng cường công tác kiểm tra việc thu - chi ngân sách.")
    assert next_tasks.trim(text, before, finished=False) == (
        "Đẩy nhanh hoàn thành thu thuế môn bài. Tăng cường công tác kiểm tra việc thu - chi "
        "ngân sách. Tổ chức hội nghị sơ kết ngày 10/4/2023.")
    assert next_tasks.continue_wording("Đẩy nhanh giải ngân.") == "Tiếp tục đẩy nhanh giải ngân."
    assert next_tasks.continue_wording("Tiếp tục theo dõi.") == "Tiếp tục theo dõi."
    assert next_tasks.continue_wording("Thường xuyên kiểm tra.") == "Thường xuyên kiểm tra."
    assert next_tasks.continue_wording("UBND phường rà soát.") == "UBND phường rà soát."


# --- pages ---------------------------------------------------------------------------------------


def test_draft_page_is_an_editor_of_paragraphs(march, client, auth) -> None:  # noqa: ANN001
    assert _create(client, auth).status_code == 302
    report = _report()
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert 'class="rp-para' in page and 'contenteditable="true"' in page
    assert 'class="rp-fn"' in page  # footnotes as marks, not markup
    assert "js/report-editor.js" in page and "Tạo lại mục này" in page
    assert 'name="section-results"' in page  # the no-JavaScript fallback
    assert "style=" not in page and "<script>" not in page
    assert "Đề xuất đưa vào mục II" in page
    printed = client.get(f"/reports/{report.id}/in").get_data(as_text=True)
    assert "rp-sheet" in printed and "của UBND thành phố Trà Vinh)" in printed
    assert "Ngày hoàn thành" in printed


def test_regenerating_one_section_keeps_edits_everywhere(march, client, auth) -> None:  # noqa: ANN001
    _create(client, auth)
    report = _report()
    lines = report.sections["results"].splitlines()
    index = next(i for i, x in enumerate(lines) if "Nhiệm vụ số 9 " in x)
    lines[index] = ("- Văn phòng viết lại đoạn nhiệm vụ số 9[^vp].\n"
                    "[^vp]: Số liệu Văn phòng đối chiếu.")
    edited = "\n".join(lines)
    client.post(f"/reports/{report.id}/save",
                data={"version": report.version, "section-results": edited})
    record(lead(directive("8")), at(dt.date(2023, 4, 5), 8), 100,
           "Khám, chữa bệnh cho 700 lượt người.")
    record(lead(directive("15")), at(dt.date(2023, 4, 5), 9), 80, "Khai giảng lớp thứ ba.",
           "Giảng viên của tỉnh chưa bố trí được.")
    db.session.commit()
    report = _report()
    client.post(f"/reports/{report.id}/regenerate",
                data={"version": report.version, "section": "shortcomings"})
    report = _report()
    assert "Văn phòng viết lại đoạn nhiệm vụ số 9" in report.sections["results"]
    assert "700 lượt người" not in report.sections["results"]  # only the section asked for
    client.post(f"/reports/{report.id}/regenerate", data={"version": report.version})
    report = _report()
    results = report.sections["results"]
    assert "Văn phòng viết lại đoạn nhiệm vụ số 9" in results  # the edit stays
    assert "[^" in results and "Số liệu Văn phòng đối chiếu." in results
    assert "Phòng Nội vụ khai giảng lớp thứ ba" in results  # the rest takes the new data
    assert report.edited["results"] is True
    docx = client.get(f"/reports/{report.id}/bao-cao.docx")
    assert any("Văn phòng viết lại đoạn nhiệm vụ số 9" in t for t in _texts(docx.data))
    docx.close()
    client.post(f"/reports/{report.id}/regenerate",
                data={"version": _report().version, "overwrite": "1"})
    assert "Văn phòng viết lại" not in _report().sections["results"]


def test_stale_version_is_a_conflict(march, client, auth) -> None:  # noqa: ANN001
    _create(client, auth)
    stale = _report().version
    client.post(f"/reports/{_report().id}/save",
                data={"version": stale, "section-intro": "Mở đầu mới."})
    response = client.post(f"/reports/{_report().id}/save",
                           data={"version": stale, "section-intro": "Ghi đè mất dữ liệu."})
    assert response.status_code == 409 and "người khác sửa" in response.get_data(as_text=True)
    assert _report().sections["intro"] == "Mở đầu mới."


@pytest.mark.parametrize("username", ["gddt", "xem"])
def test_officer_and_viewer_cannot_edit_or_finalise(march, client, auth, username) -> None:  # noqa: ANN001
    _create(client, auth)
    report = _report()
    before = (dict(report.sections), report.version, report.status)
    auth.logout()
    auth.login(username)
    for url, data in [("/reports/", {"period": "2023-03", "as_of": "05/04/2023"}),
                      (f"/reports/{report.id}/save", {"version": report.version}),
                      (f"/reports/{report.id}/regenerate", {"version": report.version}),
                      (f"/reports/{report.id}/finalise", {"version": report.version,
                                                          "confirm": "1"})]:
        assert client.post(url, data=data).status_code == 403, url
    assert client.get(f"/reports/{report.id}").status_code == 403
    assert client.get(f"/reports/{report.id}/ban-hanh").status_code == 403
    report = _report()
    assert (dict(report.sections), report.version, report.status) == before


@pytest.mark.parametrize(
    ("period", "as_of", "message"),
    [
        ("2023-13", "05/04/2023", "Kỳ báo cáo «2023-13» không hợp lệ"),
        ("2023-03", "31/02/2023", "«31/02/2023» không phải ngày hợp lệ"),
        ("2023-03", "28/02/2023", "trước ngày đầu kỳ báo cáo"),
        ("2023-03", "05/04/2099", "chưa đến"),
        ("2023-07", "04/08/2023", "Kỳ 07/2023 không có nhiệm vụ trọng tâm nào"),
        ("2023-03", "", "Hãy nhập ngày số liệu"),
    ],
)
def test_bad_input_is_a_vietnamese_400_and_nothing_built(march, client, auth, period, as_of,
                                                         message) -> None:  # noqa: ANN001
    response = _create(client, auth, period=period, as_of=as_of)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 0


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "md"])
def test_cli_writes_each_format(march, runner, tmp_path, fmt) -> None:  # noqa: ANN001
    out = tmp_path / f"bao-cao.{fmt}"
    result = runner.invoke(args=["report", "build", "--period", "2023-03", "--as-of",
                                 "2023-04-05", "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    if fmt == "docx":
        assert "I. KẾT QUẢ THỰC HIỆN:" in _texts(out.read_bytes())
    elif fmt == "xlsx":
        sheet = load_workbook(out).active
        assert sheet.max_row == 2 + 17 and sheet["A3"].data_type == "s"
    else:
        text = out.read_text(encoding="utf-8")
        assert "II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG 04/2023" in text
        assert "[^1]:" in text and LATE_TEXT not in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 0


@pytest.mark.parametrize(("args", "message"), [
    (["--period", "2023-07", "--as-of", "2023-08-04"], "Kỳ 07/2023 không có nhiệm vụ"),
    (["--period", "2023-13"], "Kỳ báo cáo «2023-13» không hợp lệ"),
    (["--period", "2023-03", "--as-of", "2023-02-28"], "trước ngày đầu kỳ"),
])
def test_cli_refuses_with_a_vietnamese_message(march, runner, tmp_path, args, message) -> None:  # noqa: ANN001
    out = tmp_path / "x.docx"
    result = runner.invoke(args=["report", "build", *args, "-o", str(out)])
    assert result.exit_code == 1 and message in result.output
    assert not out.exists()


def test_finalise_lists_what_waits_and_asks_for_confirmation(march, client, auth) -> None:  # noqa: ANN001
    _create(client, auth)
    report = _report()
    page = client.get(f"/reports/{report.id}/ban-hanh").get_data(as_text=True)
    assert "Hoàn thành chờ xác nhận" in page and "Nhiệm vụ 6.1" in page
    assert "Đề nghị gia hạn chờ quyết định" in page and "đến 30/06/2023" in page
    assert "Đơn vị chưa cập nhật tiến độ" in page and "Phòng Dân tộc: nhiệm vụ 9, 11" in page
    assert "Chỗ «[...]» chưa điền" in page
    refused = client.post(f"/reports/{report.id}/finalise", data={"version": report.version})
    assert refused.status_code == 400 and _report().status != FINAL
    response = client.post(f"/reports/{report.id}/finalise",
                           data={"version": report.version, "confirm": "1"})
    assert response.status_code == 302
    report = _report()
    assert report.status == FINAL
    kinds = {f.kind for f in db.session.scalars(sa.select(ReportFile))}
    assert {"docx", "xlsx"} <= kinds
    april = db.session.scalar(sa.select(Period).where(Period.year == 2023, Period.month == 4))
    created = list(db.session.scalars(sa.select(Directive).where(Directive.period_id == april.id)))
    carried = {d.carried_from.number: d for d in created if d.carried_from_id}
    assert {"2", "6", "7", "9", "11", "13", "14", "15"} <= set(carried)  # unfinished
    assert {"8", "12"} <= set(carried)  # standing duties whose March task was done
    assert "10" not in carried  # withdrawn
    assert carried["8"].assignments[0].state == "not_started"  # a new month's duty
    assert carried["15"].assignments[0].state == "in_progress"
    assert "Ngày Quyền của người tiêu dùng" not in carried["2"].text


@needs_soffice
def test_pdf_download_and_the_report_rendered_by_libreoffice(march, client, auth) -> None:  # noqa: ANN001
    """The .docx through LibreOffice: a PDF whose pages are counted, and the first page as PNG."""
    _create(client, auth)
    report = _report()
    response = client.get(f"/reports/{report.id}/bao-cao.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.data))
    response.close()
    pages = len(pdf.pages)
    portrait = [p for p in pdf.pages if p.mediabox.width < p.mediabox.height]
    landscape = [p for p in pdf.pages if p.mediabox.width > p.mediabox.height]
    assert 4 <= len(portrait) <= 9 and 2 <= len(landscape) <= 5, pages
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "KẾT QUẢ THỰC HIỆN" in text and "PHỤ LỤC" in text
    assert LATE_TEXT not in text
    docx = client.get(f"/reports/{report.id}/bao-cao.docx")
    png = pdf_export.convert(docx.data, ".docx", "png")
    docx.close()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert 1.35 < height / width < 1.48  # an A4 portrait page
    assert len(png) > 20_000  # a page with text on it, not a blank sheet


def test_pdf_button_says_how_to_install_libreoffice_when_missing(march, client, auth, app) -> None:  # noqa: ANN001
    app.config["SOFFICE_PATH"] = "/nonexistent/soffice"
    _create(client, auth)
    report = _report()
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "apt-get install -y libreoffice-writer-nogui" in page
    response = client.get(f"/reports/{report.id}/bao-cao.pdf")
    assert response.status_code == 503
    assert "libreoffice-writer-nogui" in response.get_data(as_text=True)
