"""The monthly report: composition, .docx/.xlsx exports, pages, finalising, the CLI."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from tests.reports.conftest import AS_OF, directive
from tracker.constants import LEAD
from tracker.core.periods import PeriodKey
from tracker.directives.fields import FIELDS
from tracker.directives.models import Assignment, Directive, Period
from tracker.directives.status import Bucket, Status, compute_status, facts_of, roll_up
from tracker.extensions import db
from tracker.intake.models import ImportDraft
from tracker.reports import finalise as issuing
from tracker.reports import services
from tracker.reports.compose import (
    DirectiveData,
    ReportInput,
    UnitReport,
    compose,
    continue_wording,
)
from tracker.reports.docx_export import build_docx
from tracker.reports.drafting import parse_section
from tracker.reports.models import FINAL, Report, ReportFile
from tracker.units.models import Unit

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MARCH = PeriodKey(2023, 3)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _independent_status(d: Directive, as_of: dt.date) -> Status | None:
    """The bucket from the DB rows through the pure functions only (not the presenters)."""
    if d.withdrawn_at is not None:
        return Status(Bucket.WITHDRAWN)
    if d.children:
        return roll_up(_independent_status(c, as_of) for c in d.children)
    leads = [a for a in d.assignments if a.role == LEAD] or d.assignments
    return roll_up(compute_status(facts_of(a), as_of) for a in leads)


def _db_counts(year: int, month: int, as_of: dt.date) -> dict[Bucket, int]:
    db.session.expire_all()
    period = db.session.scalar(sa.select(Period).where(Period.year == year, Period.month == month))
    tops = db.session.scalars(
        sa.select(Directive).where(Directive.period_id == period.id, Directive.parent_id.is_(None))
    )
    counts = {b: 0 for b in Bucket}
    for d in tops:
        counts[_independent_status(d, as_of).bucket] += 1
    return counts


def _reopen(data: bytes):  # noqa: ANN202 - python-docx's Document type is private
    return Document(io.BytesIO(data))


def _body_texts(doc) -> list[str]:  # noqa: ANN001
    return [p.text for p in doc.paragraphs]


def _number(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else 0


def _login_create(client, auth, username="vanphong", period="2023-03", as_of="05/04/2023"):  # noqa: ANN001, ANN201
    auth.login(username)
    return client.post("/reports/", data={"period": period, "as_of": as_of})


def _report() -> Report:
    db.session.expire_all()
    return db.session.scalar(sa.select(Report))


# --------------------------------------------------------------------------------------------
# Pure composition
# --------------------------------------------------------------------------------------------


def test_continue_wording() -> None:
    assert continue_wording("Đẩy nhanh hoàn thành thu thuế môn bài.") == (
        "Tiếp tục đẩy nhanh hoàn thành thu thuế môn bài."
    )
    assert continue_wording("Tiếp tục theo dõi các nhiệm vụ KHCN") == (
        "Tiếp tục theo dõi các nhiệm vụ KHCN"
    )
    assert continue_wording("UBND phường rà soát") == "Tiếp tục UBND phường rà soát" or (
        continue_wording("UBND phường rà soát") == "UBND phường rà soát"
    )
    assert continue_wording("Phòng Kinh tế chủ trì kiểm tra") == "Phòng Kinh tế chủ trì kiểm tra"


def test_parse_section_footnotes_and_styles() -> None:
    text = (
        "1. Lĩnh vực Kinh tế:\n"
        "- Giải ngân đạt 6,39%[^a], thu ngân sách đạt 24,45%[^b].\n"
        "- Ghi chú [^x] không có định nghĩa.\n\n"
        "[^a]: Vốn tỉnh quản lý 0,60%.\n"
        "[^b]: Tăng 29,09% so cùng kỳ.\n"
        "[^unused]: không dùng\n"
    )
    paragraphs = parse_section(text, "results")
    assert [p.style for p in paragraphs] == ["subheading", "body", "body"]
    second = paragraphs[1]
    assert second.text == "- Giải ngân đạt 6,39%, thu ngân sách đạt 24,45%."
    assert second.footnotes == ["Vốn tỉnh quản lý 0,60%.", "Tăng 29,09% so cùng kỳ."]
    assert second.anchors == [len("- Giải ngân đạt 6,39%"), len(second.text) - 1]
    assert paragraphs[2].text == "- Ghi chú [^x] không có định nghĩa."
    note = parse_section("* Bên cạnh ...: còn chậm.", "shortcomings")[0]
    assert note.style == "note"


def _data(bucket: Bucket, number: str, **kw) -> DirectiveData:  # noqa: ANN003
    return DirectiveData(number=number, title=f"Nhiệm vụ mẫu {number}",
                         text=f"Đẩy nhanh việc {number}.", field="kinh_te",
                         status=Status(bucket, dt.date(2023, 3, 31), 5), **kw)


def test_compose_moves_ward_figures_and_extra_units_to_footnotes() -> None:
    units = [UnitReport("Phòng Giáo dục và Đào tạo", "department", "lead", "Đã kiểm tra.")]
    units += [UnitReport(f"Phường {i}", "ward", "support", f"Kết quả phường {i}.")
              for i in range(1, 6)]
    units += [UnitReport(f"Phòng {i}", "department", "support", f"Việc {i}.") for i in range(4)]
    data = ReportInput(period=MARCH, as_of=AS_OF, directives=[
        _data(Bucket.IN_PROGRESS, "1", units=units)])
    sections = compose(data).sections
    line = next(x for x in sections["results"].splitlines() if x.startswith("- "))
    assert "Phòng Giáo dục và Đào tạo: Đã kiểm tra" in line
    assert "Phường 3" not in line  # ward figures are in the footnote
    assert "UBND 05 phường, xã đã báo cáo kết quả thực hiện[^" in line
    assert "đơn vị khác[^" in line
    notes = [x for x in sections["results"].splitlines() if x.startswith("[^")]
    assert any("Phường 3: Kết quả phường 3" in n for n in notes)


def test_compose_previous_period_change_and_next_month() -> None:
    from tracker.directives.status import summarize

    previous = summarize([Status(Bucket.DONE_ON_TIME), Status(Bucket.OVERDUE, None, 3)])
    data = ReportInput(
        period=PeriodKey(2023, 12), as_of=dt.date(2024, 1, 5), previous=previous,
        directives=[_data(Bucket.DONE_ON_TIME, "1"), _data(Bucket.OVERDUE, "2")],
    )
    composition = compose(data)
    summary = composition.sections["summary"]
    assert "So với tháng 11/2023" in summary
    assert "không thay đổi" in summary
    assert composition.sections["next_tasks"].splitlines()[1] == "1. Tiếp tục đẩy nhanh việc 2."
    assert "tháng 01/2024" in composition.sections["closing"]


# --------------------------------------------------------------------------------------------
# The .docx over the demo data
# --------------------------------------------------------------------------------------------


@pytest.fixture
def march_docx(march) -> bytes:  # noqa: ANN001
    return build_docx(services.fresh_document(MARCH, AS_OF))


def test_docx_header_headings_and_layout(march_docx: bytes) -> None:
    doc = _reopen(march_docx)
    header = doc.tables[0]
    left = header.rows[0].cells[0].text
    right = header.rows[0].cells[1].text
    assert "ỦY BAN NHÂN DÂN" in left and "THÀNH PHỐ TRÀ VINH" in left
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right and "Độc lập - Tự do - Hạnh phúc" in right
    assert header.rows[1].cells[0].text.startswith("Số:")
    assert header.rows[1].cells[0].text.endswith("/BC-UBND")
    date_run = header.rows[1].cells[1].paragraphs[0].runs[0]
    assert date_run.text == "Trà Vinh, ngày 05 tháng 4 năm 2023" and date_run.italic
    motto = [r for p in header.rows[0].cells[1].paragraphs for r in p.runs
             if r.text == "Độc lập - Tự do - Hạnh phúc"][0]
    assert motto.underline and motto.bold

    texts = _body_texts(doc)
    assert "BÁO CÁO" in texts
    assert "Tình hình thực hiện nhiệm vụ trọng tâm tháng 03/2023" in texts
    assert "I. KẾT QUẢ THỰC HIỆN:" in texts
    assert "II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG 04/2023" in texts
    shortcomings = [p for p in doc.paragraphs if p.text.startswith("* Bên cạnh những kết quả")]
    assert len(shortcomings) == 1 and shortcomings[0].runs[0].bold
    assert texts.index("I. KẾT QUẢ THỰC HIỆN:") < texts.index(shortcomings[0].text) < texts.index(
        "II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG 04/2023")
    assert any(t.startswith("1. Lĩnh vực Kinh tế:") for t in texts)
    heading = next(p for p in doc.paragraphs if p.text == "I. KẾT QUẢ THỰC HIỆN:")
    assert all(r.bold for r in heading.runs)
    assert not any("KHÔNG ĐƯỢC XUẤT HIỆN" in t for t in texts)

    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert section.left_margin.mm == pytest.approx(30, abs=0.1)
    assert section.right_margin.mm == pytest.approx(15, abs=0.1)
    assert section.top_margin.mm == pytest.approx(20, abs=0.1)
    body = [p for p in doc.paragraphs if p.text.startswith("- Nhiệm vụ số")]
    assert body
    for p in body:
        assert p.alignment == 3  # justified
        assert p.paragraph_format.first_line_indent.cm == pytest.approx(1.27, abs=0.01)
        for run in p.runs:
            if run.text.strip():
                assert run.font.size.pt == 14
                fonts = run._r.rPr.rFonts
                assert fonts.get(qn("w:ascii")) == "Times New Roman"
                assert fonts.get(qn("w:eastAsia")) == "Times New Roman"

    closing = doc.tables[1].rows[0].cells
    assert closing[0].paragraphs[0].text == "Nơi nhận:"
    assert closing[0].paragraphs[0].runs[0].bold and closing[0].paragraphs[0].runs[0].italic
    assert closing[0].paragraphs[0].runs[0].font.size.pt == 12
    assert closing[0].paragraphs[-1].text == "- Lưu: VT."
    assert closing[0].paragraphs[1].text == "- UBND tỉnh;"
    assert closing[0].paragraphs[-1].runs[0].font.size.pt == 11
    signature = [p.text for p in closing[1].paragraphs if p.text]
    assert signature == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn Tâm"]
    assert doc.sections[1].orientation == 1  # the Phụ lục on landscape pages


def test_docx_has_real_footnotes_with_the_ward_figures(march_docx: bytes) -> None:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(march_docx)) as archive:
        notes_xml = archive.read("word/footnotes.xml").decode("utf-8")
        body_xml = archive.read("word/document.xml").decode("utf-8")
    assert body_xml.count("<w:footnoteReference") >= 2
    assert "Phường 9: Phường 9 tổ chức 4 buổi tuyên truyền" in notes_xml
    assert "lở mồm long móng" in notes_xml  # the long result's tail


def test_docx_summary_counts_equal_the_database(march_docx: bytes) -> None:
    doc = _reopen(march_docx)
    summary = next(p.text for p in doc.paragraphs if " giao " in p.text and "nhiệm vụ" in p.text)
    counts = _db_counts(2023, 3, AS_OF)
    done = counts[Bucket.DONE_ON_TIME] + counts[Bucket.DONE_LATE]
    open_ = counts[Bucket.IN_PROGRESS] + counts[Bucket.NOT_STARTED] + counts[Bucket.OVERDUE]
    total = sum(counts.values()) - counts[Bucket.WITHDRAWN]
    due = done + counts[Bucket.OVERDUE]
    # every bucket has members in the fixture, so the comparison means something
    assert all(counts[b] for b in Bucket), counts
    assert _number(r"giao (\d+) nhiệm vụ", summary) == total == 14
    assert _number(r"đã hoàn thành (\d+) nhiệm vụ", summary) == done
    assert _number(r"trong đó đúng hạn (\d+) nhiệm vụ", summary) == counts[Bucket.DONE_ON_TIME]
    assert _number(r"đúng hạn \d+ nhiệm vụ, quá hạn (\d+)", summary) == counts[Bucket.DONE_LATE]
    assert _number(r"đang thực hiện (\d+) nhiệm vụ", summary) == open_
    assert _number(r"đang thực hiện \d+ nhiệm vụ, trong đó quá hạn (\d+)", summary) == (
        counts[Bucket.OVERDUE])
    assert _number(r"chưa triển khai (\d+)", summary) == counts[Bucket.NOT_STARTED]
    assert _number(r"(\d+) nhiệm vụ thường xuyên", summary) == counts[Bucket.NO_DEADLINE]
    assert _number(r"(\d+) nhiệm vụ đã rút", summary) == counts[Bucket.WITHDRAWN]
    assert _number(r"số nhiệm vụ đến hạn \((\d+) nhiệm vụ\)", summary) == due
    rate = f"{done / due * 100:.2f}".replace(".", ",").removesuffix(",00") + "%"
    assert f"đạt {rate} số nhiệm vụ đến hạn" in summary


def test_previous_period_comparison_uses_its_data(march) -> None:  # noqa: ANN001
    feb = Period(year=2023, month=2)
    db.session.add(feb)
    db.session.flush()
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == "KT"))
    old = Directive(period_id=feb.id, number="1", title="Nhiệm vụ tháng 2", text="x",
                    field="kinh_te", deadline=dt.date(2023, 2, 28))
    old.assignments.append(Assignment(unit=unit, role=LEAD, deadline=dt.date(2023, 2, 28),
                                      state="done", completed_on=dt.date(2023, 2, 20),
                                      on_time=True, percent=100))
    db.session.add(old)
    db.session.commit()
    summary = services.compose_period(MARCH, AS_OF)[0].sections["summary"]
    assert "So với tháng 02/2023 (giao 01 nhiệm vụ, hoàn thành 01, đạt 100%)" in summary
    assert "giảm" in summary


# --------------------------------------------------------------------------------------------
# .xlsx, empty period, many directives, CLI
# --------------------------------------------------------------------------------------------


def test_xlsx_formula_looking_title_stays_text(march, client, auth) -> None:  # noqa: ANN001
    d = directive("4")
    d.title = "=1+1"
    db.session.commit()
    _login_create(client, auth)
    report = _report()
    response = client.get(f"/reports/{report.id}/phu-luc.xlsx")
    assert response.status_code == 200
    data = response.data
    response.close()
    sheet = load_workbook(io.BytesIO(data)).active
    rows = {sheet.cell(row=r, column=1).value: r for r in range(3, sheet.max_row + 1)}
    cell = sheet.cell(row=rows[4], column=2)
    assert cell.value == "=1+1" and cell.data_type == "s"
    assert sheet.freeze_panes == "A3"
    assert sheet.max_row == 2 + 17  # every directive, sub-directives included
    assert isinstance(sheet.cell(row=rows[1], column=5).value, dt.datetime)


def test_empty_period_gives_a_sensible_report(app, demo) -> None:  # noqa: ANN001
    ref = PeriodKey(2023, 7)
    report = services.create_report(ref, dt.date(2023, 8, 4))
    db.session.commit()
    assert "không có nhiệm vụ trọng tâm nào được giao" in report.sections["summary"]
    doc = _reopen(build_docx(services.document_of(report)))
    texts = _body_texts(doc)
    assert "II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG 08/2023" in texts
    result = issuing.finalise(report, report.version)
    db.session.commit()
    assert report.status == FINAL and not result.carried and not result.new


def test_a_period_with_1000_directives_builds(app, demo) -> None:  # noqa: ANN001
    period = Period(year=2024, month=1)
    db.session.add(period)
    db.session.flush()
    units = list(db.session.scalars(sa.select(Unit).order_by(Unit.id)))
    for i in range(1000):
        d = Directive(period_id=period.id, number=str(i + 1), position=i,
                      title=f"Nhiệm vụ số {i + 1}", text=f"Thực hiện việc {i + 1}.",
                      field=["kinh_te", "noi_chinh", "chi_dao"][i % 3],
                      deadline=dt.date(2024, 1, 31))
        d.assignments.append(Assignment(unit=units[i % len(units)], role=LEAD,
                                        deadline=dt.date(2024, 1, 31),
                                        state="done" if i % 4 == 0 else "in_progress",
                                        completed_on=dt.date(2024, 1, 20) if i % 4 == 0
                                        else None, on_time=True if i % 4 == 0 else None))
        db.session.add(d)
    db.session.commit()
    doc = services.fresh_document(PeriodKey(2024, 1), dt.date(2024, 2, 5))
    assert len(doc.appendix) == 1000
    data = build_docx(doc)
    summary = next(p.text for p in _reopen(data).paragraphs if " giao " in p.text)
    assert "giao 1000 nhiệm vụ" in summary and "đã hoàn thành 250 nhiệm vụ" in summary


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "md"])
def test_cli_writes_each_format(march, runner, tmp_path, fmt: str) -> None:  # noqa: ANN001
    out = tmp_path / f"bao-cao.{fmt}"
    result = runner.invoke(args=["report", "build", "--period", "2023-03", "--as-of",
                                 "2023-04-05", "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    if fmt == "docx":
        assert "I. KẾT QUẢ THỰC HIỆN:" in _body_texts(_reopen(out.read_bytes()))
    elif fmt == "xlsx":
        assert load_workbook(out).active.max_row == 19
    else:
        text = out.read_text(encoding="utf-8")
        assert "II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG 04/2023" in text
        assert "[^1]:" in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 0


def test_cli_refuses_a_bad_period(march, runner, tmp_path) -> None:  # noqa: ANN001
    result = runner.invoke(args=["report", "build", "--period", "2023-13", "-o",
                                 str(tmp_path / "x.docx")])
    assert result.exit_code != 0 and "Kỳ báo cáo «2023-13» không hợp lệ" in result.output


# --------------------------------------------------------------------------------------------
# Pages: create, edit, regenerate, permissions, bad input
# --------------------------------------------------------------------------------------------


def test_create_and_draft_page(march, client, auth) -> None:  # noqa: ANN001
    response = _login_create(client, auth)
    assert response.status_code == 302
    report = _report()
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert 'name="section-results"' in page and "Tạo lại" in page and "Ghi đè phần đã sửa" in page
    assert "II. Một số nhiệm vụ trọng tâm trong tháng 04/2023" in page
    assert "style=" not in page
    listing = client.get("/reports/").get_data(as_text=True)
    assert "Báo cáo tháng 03/2023" in listing and "Dự thảo" in listing
    printed = client.get(f"/reports/{report.id}/in").get_data(as_text=True)
    assert "II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG 04/2023" in printed
    assert "Nơi nhận:" in printed and "style=" not in printed
    assert 'class="report-noteref"' in printed
    again = _login_create(client, auth)  # one report per period: the existing one opens
    assert again.status_code == 302 and again.location.endswith(f"/reports/{report.id}")


def test_manual_edits_survive_regeneration_until_overwritten(march, client, auth) -> None:  # noqa: ANN001
    _login_create(client, auth)
    report = _report()
    generated_results = report.sections["results"]
    edited = "1. Lĩnh vực Kinh tế:\n- Đoạn do Văn phòng viết lại[^1].\n[^1]: Chú thích tay."
    response = client.post(f"/reports/{report.id}/save", data={
        "version": report.version, "section-results": edited,
        "section-title": report.sections["title"],
    })
    assert response.status_code == 302
    report = _report()
    assert report.edited["results"] is True and report.edited["title"] is False
    # new data arrives, then "Tạo lại"
    post_date = dt.date(2023, 4, 4)
    from tests.reports.conftest import lead, post

    post(lead(directive("8")), post_date, 50, "Khám, chữa bệnh cho 700 lượt người.")
    db.session.commit()
    client.post(f"/reports/{report.id}/regenerate", data={"version": _report().version})
    report = _report()
    assert report.sections["results"] == edited
    assert report.generated["results"] != generated_results
    assert "700 lượt người" in report.generated["results"]
    docx = client.get(f"/reports/{report.id}/bao-cao.docx")
    texts = _body_texts(_reopen(docx.data))
    docx.close()
    assert "- Đoạn do Văn phòng viết lại." in texts
    client.post(f"/reports/{report.id}/regenerate",
                data={"version": report.version, "overwrite": "1"})
    report = _report()
    assert "700 lượt người" in report.sections["results"]
    assert report.edited["results"] is False


def test_stale_version_is_a_conflict(march, client, auth) -> None:  # noqa: ANN001
    _login_create(client, auth)
    report = _report()
    stale = report.version
    client.post(f"/reports/{report.id}/save",
                data={"version": stale, "section-intro": "Mở đầu mới."})
    response = client.post(f"/reports/{report.id}/save",
                           data={"version": stale, "section-intro": "Ghi đè mất dữ liệu."})
    assert response.status_code == 409
    assert "người khác sửa" in response.get_data(as_text=True)
    assert _report().sections["intro"] == "Mở đầu mới."


@pytest.mark.parametrize("username", ["gddt", "xem"])
def test_officer_and_viewer_cannot_edit_or_finalise(march, client, auth, username: str) -> None:  # noqa: ANN001
    _login_create(client, auth)
    report = _report()
    before = (dict(report.sections), report.version, report.status)
    auth.logout()
    auth.login(username)
    assert client.post("/reports/", data={"period": "2023-04", "as_of": "05/05/2023"}
                       ).status_code == 403
    assert client.get(f"/reports/{report.id}").status_code == 403  # drafts are not theirs
    assert client.post(f"/reports/{report.id}/save", data={
        "version": report.version, "section-intro": "Sửa trái phép."}).status_code == 403
    assert client.post(f"/reports/{report.id}/regenerate",
                       data={"version": report.version}).status_code == 403
    assert client.post(f"/reports/{report.id}/finalise",
                       data={"version": report.version}).status_code == 403
    assert client.get("/reports/settings").status_code == 403
    report = _report()
    assert (dict(report.sections), report.version, report.status) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 1
    assert "Báo cáo tháng 03/2023" not in client.get("/reports/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("period", "as_of", "message"),
    [
        ("2023-13", "05/04/2023", "Kỳ báo cáo «2023-13» không hợp lệ"),
        ("tháng ba", "05/04/2023", "Kỳ báo cáo «tháng ba» không hợp lệ"),
        ("2023-03", "32/01/2023", "Ngày số liệu: «32/01/2023» không phải ngày hợp lệ"),
        ("2023-03", "", "Hãy nhập ngày số liệu"),
    ],
)
def test_bad_input_is_a_vietnamese_400(march, client, auth, period, as_of, message) -> None:  # noqa: ANN001
    response = _login_create(client, auth, period=period, as_of=as_of)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 0


def test_settings_change_the_signer(march, client, auth) -> None:  # noqa: ANN001
    """The report's wording is the organization's: the Văn phòng reads it, an admin edits it
    on "Quản trị → Cơ quan", and the next draft uses it."""
    auth.login("vanphong")
    response = client.get("/reports/settings")
    assert response.status_code == 302 and response.headers["Location"].endswith("/organization/")
    assert "Nguyễn Văn Tâm" in client.get("/organization/").get_data(as_text=True)
    auth.logout()
    auth.login("admin")
    assert client.get("/reports/settings").headers["Location"].endswith("/admin/organization")
    page = client.get("/admin/organization").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    data = {"level": "district", "name": "Thành phố Trà Vinh", "place": "Trà Vinh",
            "header_parent": "ỦY BAN NHÂN DÂN", "header_name": "THÀNH PHỐ TRÀ VINH",
            "short_name": "UBND thành phố Trà Vinh", "signer_name": "Trần Thị Hồng",
            "signer_title": "PHÓ CHỦ TỊCH", "signer_capacity": "KT. CHỦ TỊCH",
            "number_series": "BC-UBND", "recipients": "UBND tỉnh\nLưu: VT, TH",
            "fields": "\n".join(f"{c} | {label}" for c, label in FIELDS),
            "version": version}
    assert client.post("/admin/organization", data=data).status_code == 302
    doc = services.fresh_document(MARCH, AS_OF)
    assert doc.signer_name == "Trần Thị Hồng" and doc.recipients == ["- UBND tỉnh", "- Lưu: VT, TH"]
    data["signer_capacity"] = ""  # blank: the default capacity, not an error
    data["version"] = str(int(version) + 1)
    data["name"] = ""
    assert client.post("/admin/organization", data=data).status_code == 400


# --------------------------------------------------------------------------------------------
# Finalising: the round trip report -> next month's directives
# --------------------------------------------------------------------------------------------


def test_round_trip_finalise_creates_april_directives(march, client, auth) -> None:  # noqa: ANN001
    _login_create(client, auth)
    report = _report()
    march_id = report.period_id
    next_tasks = report.sections["next_tasks"]
    lines = next_tasks.splitlines()
    numbered = [x for x in lines if re.match(r"^\d+\. ", x)]
    assert numbered[0].startswith("1. Tiếp tục ")
    assert not any(x.startswith(("1. Tiếp tục tập trung thực hiện quyết", "Tiếp tục Tiếp tục"))
                   for x in lines)  # directive 1 is done, nothing doubled
    assert not any(x.startswith("Tiếp tục tiếp tục") or " Tiếp tục tiếp tục" in x for x in lines)
    new_task = (f"{len(numbered) + 1}. Tổ chức Hội nghị sơ kết công tác quý I năm 2023 của UBND "
                "thành phố.")
    edited = next_tasks + "\n" + new_task
    client.post(f"/reports/{report.id}/save",
                data={"version": report.version, "section-next_tasks": edited})
    response = client.post(f"/reports/{report.id}/finalise",
                           data={"version": _report().version})
    assert response.status_code == 302
    report = _report()
    assert report.status == FINAL
    kinds = {f.kind for f in db.session.scalars(sa.select(ReportFile))}
    assert kinds == {"docx", "xlsx"}

    april = db.session.scalar(sa.select(Period).where(Period.year == 2023, Period.month == 4))
    created = list(db.session.scalars(
        sa.select(Directive).where(Directive.period_id == april.id).order_by(Directive.id)))
    carried = [d for d in created if d.carried_from_id]
    unfinished = set()
    for d in db.session.scalars(sa.select(Directive).where(Directive.period_id == march_id)):
        status = _independent_status(d, AS_OF)
        parent_open = d.parent is None or not _independent_status(d.parent, AS_OF).is_done
        if not status.is_done and status.bucket is not Bucket.WITHDRAWN and parent_open:
            unfinished.add(d.number)
    assert {"3", "7", "14", "15"} <= unfinished  # the fixture's open tasks at least
    assert {d.carried_from.number for d in carried} == unfinished
    for d in carried:
        old = d.carried_from
        assert {(a.unit_id, a.role) for a in d.assignments} == {
            (a.unit_id, a.role) for a in old.assignments}
        assert d.field == old.field
        if d.parent_id is None:
            assert d.deadline >= dt.date(2023, 4, 30)
    assert directive("3").id in {d.carried_from_id for d in carried}
    assert all(d.carried_from.number not in {"1", "2", "13"} for d in carried)
    d15 = next(d for d in carried if d.carried_from.number == "15")
    assert d15.assignments[0].state == "in_progress" and d15.assignments[0].percent == 40

    # the typed-in task goes to the import review, as an uploaded report would
    draft = db.session.scalar(sa.select(ImportDraft))
    assert draft is not None and "Hội nghị sơ kết công tác quý I" in draft.text
    assert response.location.endswith(f"/imports/{draft.token}")
    assert "Hội nghị sơ kết" not in " ".join(d.text for d in created)

    # locked: no more edits, the kept files are served
    locked = client.post(f"/reports/{report.id}/save",
                         data={"version": report.version, "section-intro": "Sửa sau."})
    assert locked.status_code == 409
    assert "đã ban hành" in locked.get_data(as_text=True)
    assert client.post(f"/reports/{report.id}/finalise",
                       data={"version": report.version}).status_code == 409
    kept = db.session.scalar(sa.select(ReportFile).where(ReportFile.kind == "docx"))
    download = client.get(f"/reports/{report.id}/bao-cao.docx")
    assert download.data == kept.data
    download.close()
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Chuyển tiếp từ tháng 03/2023" in page
    assert f"/imports/{draft.token}" in page  # the review is still waiting

    # readers may read an issued report
    auth.logout()
    auth.login("xem")
    assert client.get(f"/reports/{report.id}").status_code == 200
    assert "Báo cáo tháng 03/2023" in client.get("/reports/").get_data(as_text=True)
    assert client.post(f"/reports/{report.id}/save",
                       data={"version": report.version}).status_code == 403
