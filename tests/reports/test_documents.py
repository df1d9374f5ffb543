"""Document writers: the .docx follows Nghị định 30/2020/NĐ-CP, the .xlsx is safe to open."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import load_workbook

from tracker.reports.document import (
    AppendixRow,
    Paragraph,
    ReportDocument,
    clean_text,
    format_doc_number,
    format_vn_date,
    normalize_recipients,
    paragraph_runs,
    to_markdown,
)
from tracker.reports.docx_export import build_docx
from tracker.reports.xlsx_export import build_xlsx

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FORMULA_TITLE = '=HYPERLINK("http://x")'
FOOTNOTE_1 = "Tăng chủ yếu ở một số ngành như: sản xuất thiết bị điện, sản xuất trang phục."
FOOTNOTE_2 = "Nguyên nhân do nhu cầu mua sắm sau Tết Nguyên đán giảm theo quy luật hàng năm."
FOOTNOTE_3 = "Vốn ngân sách tỉnh quản lý: giải ngân được 754,82 triệu đồng, đạt 0,60 %."


def _rows() -> list[AppendixRow]:
    return [
        AppendixRow(
            number="1",
            content=FORMULA_TITLE,
            lead_units="Phòng Kinh tế",
            support_units="UBND các phường, xã",
            deadline=date(2023, 4, 5),
            extended_deadline=date(2023, 4, 20),
            bucket="Đang thực hiện quá hạn",
            percent=60,
            last_update=date(2023, 4, 3),
        ),
        AppendixRow(
            number="2",
            content="- gạch đầu dòng",
            lead_units="Phòng Tài chính - Kế hoạch",
            support_units="",
            deadline=date(2023, 3, 31),
            extended_deadline=None,
            bucket="Hoàn thành đúng hạn",
            percent=100,
            last_update=date(2023, 3, 30),
        ),
        AppendixRow(
            number="3",
            content="Thường xuyên tuyên truyền phổ biến giáo dục pháp luật trong nhân dân",
            lead_units="Phòng Tư pháp",
            support_units="Công an thành phố",
            deadline=None,
            extended_deadline=None,
            bucket="Không có thời hạn / thường xuyên",
            percent=30,
            last_update=None,
        ),
    ]


@pytest.fixture
def report() -> ReportDocument:
    return ReportDocument(
        issued_on=date(2023, 4, 5),
        summary="Tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội tháng 03/2023",
        body=[
            Paragraph(
                "Thực hiện nhiệm vụ trọng tâm tháng 03/2023 của UBND tỉnh và Thành ủy, UBND "
                "thành phố Trà Vinh đã tập trung chỉ đạo đạt được kết quả như sau:"
            ),
            Paragraph("I. KẾT QUẢ THỰC HIỆN:", style="heading"),
            Paragraph("1. Lĩnh vực Kinh tế:", style="subheading"),
            Paragraph.from_marked(
                "2.1 Công nghiệp – tiểu thủ công nghiệp: giá trị sản xuất ước đạt 1.097 tỷ "
                "đồng, tăng 5,14% so tháng trước[^]. Tổng mức bán lẻ giảm 7,04%[^].",
                [FOOTNOTE_1, FOOTNOTE_2],
            ),
            Paragraph(
                "- Tiến độ thực hiện kế hoạch vốn đầu tư công năm 2023: giải ngân đạt 6,39 %.",
                footnotes=[FOOTNOTE_3],
            ),
            Paragraph(
                "* Bên cạnh những kết quả đạt được vẫn còn những mặt hạn chế, tồn tại sau: "
                "thu thuế môn bài chưa đạt so với kế hoạch tháng.",
                style="note",
            ),
            Paragraph("II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG 04/2023", style="heading"),
            Paragraph("1. Tập trung đẩy nhanh tiến độ giải ngân vốn đầu tư công\x0b\x07."),
        ],
        recipients=["UBND tỉnh", "- TT.TU- TT. HĐND.TP;", "Các phòng ban TP", "UBND phường xã"],
        signer_name="Nguyễn Văn Tâm",
        appendix_title="Tình hình thực hiện các nhiệm vụ trọng tâm tháng 03/2023",
        appendix=_rows(),
    )


@pytest.fixture
def docx_bytes(report: ReportDocument) -> bytes:
    return build_docx(report)


def _reopen(data: bytes):  # noqa: ANN202 - python-docx's Document type is private
    return Document(io.BytesIO(data))


def _run_has_tnr(run) -> bool:  # noqa: ANN001
    fonts = run._r.rPr.rFonts
    return all(fonts.get(qn(f"w:{a}")) == "Times New Roman" for a in ("ascii", "eastAsia", "cs"))


# --------------------------------------------------------------------------------------------
# format helpers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2023, 3, 15), "ngày 15 tháng 3 năm 2023"),
        (date(2023, 2, 5), "ngày 05 tháng 02 năm 2023"),
        (date(2023, 4, 5), "ngày 05 tháng 4 năm 2023"),
        (date(2024, 1, 31), "ngày 31 tháng 01 năm 2024"),
        (date(2023, 12, 9), "ngày 09 tháng 12 năm 2023"),
        (date(2023, 10, 10), "ngày 10 tháng 10 năm 2023"),
    ],
)
def test_format_vn_date_pads_day_below_10_and_january_february_only(
    value: date, expected: str
) -> None:
    assert format_vn_date(value) == expected


def test_format_vn_date_with_place() -> None:
    assert format_vn_date(date(2023, 4, 5), "Trà Vinh") == "Trà Vinh, ngày 05 tháng 4 năm 2023"


def test_format_doc_number() -> None:
    assert format_doc_number(5) == "Số: 05/BC-UBND"
    assert format_doc_number(45) == "Số: 45/BC-UBND"
    assert format_doc_number(None) == "Số:      /BC-UBND"


def test_recipients_get_the_decree_shape() -> None:
    lines = normalize_recipients(["UBND tỉnh", "- TT.TU;", "  ", "Lưu: VT, KT"])
    assert lines == ["- UBND tỉnh;", "- TT.TU;", "- Lưu: VT, KT."]
    assert normalize_recipients([]) == ["- Lưu: VT."]


def test_clean_text_strips_xml_illegal_characters_and_normalises() -> None:
    decomposed = "Tra\u0300 Vinh"  # "Trà" typed as a + combining grave accent
    assert clean_text(decomposed + "\x00\x1f\ufffe\r\n") == "Trà Vinh\n"


def test_paragraph_runs_anchor_footnotes_and_bold_note_lead() -> None:
    p = Paragraph.from_marked("* Hạn chế: A[^] B.", ["x"], style="note")
    assert paragraph_runs(p) == [("* Hạn chế:", True), (" A", False), 0, (" B.", False)]
    with pytest.raises(ValueError, match="style"):
        Paragraph("x", style="title")


def test_markdown_rendering(report: ReportDocument) -> None:
    text = to_markdown(report)
    assert "*Trà Vinh, ngày 05 tháng 4 năm 2023*" in text
    assert "so tháng trước[^1]. Tổng mức bán lẻ giảm 7,04%[^2]." in text
    assert "giải ngân đạt 6,39 %.[^3]" in text
    assert f"[^1]: {FOOTNOTE_1}" in text
    assert f"[^3]: {FOOTNOTE_3}" in text
    assert "- Lưu: VT." in text
    assert "| 3 | Thường xuyên" in text
    assert "| 05/04/2023<br>(gia hạn đến 20/04/2023) |" in text


# --------------------------------------------------------------------------------------------
# .docx
# --------------------------------------------------------------------------------------------


def test_docx_pages_are_a4_with_decree_margins(docx_bytes: bytes) -> None:
    doc = _reopen(docx_bytes)
    assert len(doc.sections) == 2
    for section in doc.sections:
        assert {round(section.page_width.mm), round(section.page_height.mm)} == {210, 297}
        assert section.top_margin.mm == pytest.approx(20, abs=0.1)
        assert section.bottom_margin.mm == pytest.approx(20, abs=0.1)
        assert section.left_margin.mm == pytest.approx(30, abs=0.1)
        assert section.right_margin.mm == pytest.approx(15, abs=0.1)
    first, last = doc.sections[0], doc.sections[-1]
    assert first.orientation == WD_ORIENT.PORTRAIT
    assert first.page_width < first.page_height
    assert last.orientation == WD_ORIENT.LANDSCAPE
    assert last.page_width > last.page_height


def test_docx_header_table(docx_bytes: bytes) -> None:
    doc = _reopen(docx_bytes)
    header = doc.tables[0]
    left = [p.text for p in header.cell(0, 0).paragraphs if p.text]
    right = [p.text for p in header.cell(0, 1).paragraphs if p.text]
    assert left == ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ TRÀ VINH"]
    assert right == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert header.cell(1, 0).text.startswith("Số:")
    assert header.cell(1, 0).text.endswith("/BC-UBND")

    issuer_run = header.cell(0, 0).paragraphs[1].runs[0]
    assert issuer_run.bold and issuer_run.font.size == Pt(13)
    motto_run = header.cell(0, 1).paragraphs[1].runs[0]
    assert motto_run.bold and motto_run.underline
    date_para = header.cell(1, 1).paragraphs[0]
    assert date_para.text == "Trà Vinh, ngày 05 tháng 4 năm 2023"
    assert all(r.italic and r.font.size == Pt(14) for r in date_para.runs)

    # a short rule under the issuing body: a bordered paragraph in the left cell
    assert header.cell(0, 0)._tc.xpath(".//w:pBdr/w:bottom[@w:val='single']")


@pytest.mark.parametrize("index", [0, 1])
def test_docx_header_and_closing_tables_have_no_borders(docx_bytes: bytes, index: int) -> None:
    doc = _reopen(docx_bytes)
    table = doc.tables[index]
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None
    assert len(borders) == 6
    assert {b.get(qn("w:val")) for b in borders} <= {"nil", "none"}
    assert not table._tbl.xpath(".//w:tcBorders")


def test_docx_title_and_body_formatting(docx_bytes: bytes) -> None:
    doc = _reopen(docx_bytes)
    paragraphs = doc.paragraphs
    title = next(p for p in paragraphs if p.text == "BÁO CÁO")
    assert title.alignment == WD_PARAGRAPH_ALIGNMENT.CENTER
    assert all(r.bold for r in title.runs)
    summary = next(p for p in paragraphs if p.text.startswith("Tình hình thực hiện nhiệm vụ"))
    assert all(r.bold and r.font.size == Pt(14) for r in summary.runs)

    body = next(p for p in paragraphs if p.text.startswith("Thực hiện nhiệm vụ trọng tâm"))
    fmt = body.paragraph_format
    assert body.alignment == WD_PARAGRAPH_ALIGNMENT.JUSTIFY
    assert fmt.first_line_indent == Cm(1.27)
    assert fmt.space_after >= Pt(6)
    assert 1.15 <= fmt.line_spacing <= 1.5
    for run in body.runs:
        assert run.font.size == Pt(14)
        assert run.font.name == "Times New Roman"
        assert _run_has_tnr(run)

    heading = next(p for p in paragraphs if p.text == "I. KẾT QUẢ THỰC HIỆN:")
    assert all(r.bold for r in heading.runs)
    note = next(p for p in paragraphs if p.text.startswith("* Bên cạnh"))
    assert note.runs[0].bold and note.runs[0].text.endswith("tồn tại sau:")
    assert not note.runs[1].bold

    # control characters were dropped, the vertical tab became a line break
    last = next(p for p in paragraphs if p.text.startswith("1. Tập trung đẩy nhanh"))
    assert "\x07" not in last.text and "\x0b" not in last.text
    assert last._p.xpath(".//w:br")


def test_docx_normal_style_sets_east_asian_font(docx_bytes: bytes) -> None:
    doc = _reopen(docx_bytes)
    normal = doc.styles["Normal"]
    fonts = normal.element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "Times New Roman"
    assert fonts.get(qn("w:cs")) == "Times New Roman"
    assert normal.font.size == Pt(14)
    runs = [r for p in doc.paragraphs for r in p.runs]
    runs += [r for t in doc.tables for c in t._cells for p in c.paragraphs for r in p.runs]
    assert runs
    assert all(_run_has_tnr(r) for r in runs)


def test_docx_footnotes_are_real_word_footnotes(docx_bytes: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as package:
        names = package.namelist()
        content_types = package.read("[Content_Types].xml").decode()
        rels = package.read("word/_rels/document.xml.rels").decode()
        footnotes_xml = package.read("word/footnotes.xml").decode()
        document_xml = package.read("word/document.xml").decode()
    assert "word/footnotes.xml" in names
    assert "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml" in (
        content_types
    )
    assert "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" in rels
    for text in (FOOTNOTE_1, FOOTNOTE_2, FOOTNOTE_3):
        assert text in footnotes_xml
    assert 'w:type="separator" w:id="-1"' in footnotes_xml
    assert 'w:type="continuationSeparator" w:id="0"' in footnotes_xml
    assert document_xml.count("<w:footnoteReference ") == 3
    assert footnotes_xml.count("<w:footnoteRef/>") == 3

    doc = _reopen(docx_bytes)
    para = next(p for p in doc.paragraphs if p.text.startswith("2.1 Công nghiệp"))
    refs = para._p.xpath(".//w:footnoteReference")
    assert [r.get(qn("w:id")) for r in refs] == ["1", "2"]
    # the first reference sits right after "so tháng trước", before the rest of the sentence
    ref_run = refs[0].getparent()
    assert ref_run.getprevious().xpath("string(.//w:t)").endswith("so tháng trước")
    assert ref_run.rPr.vertAlign.get(qn("w:val")) == "superscript"


def test_docx_closing_block(docx_bytes: bytes) -> None:
    doc = _reopen(docx_bytes)
    closing = doc.tables[1]
    left, right = closing.rows[0].cells
    label = left.paragraphs[0]
    assert label.text == "Nơi nhận:"
    assert all(r.bold and r.italic and r.font.size == Pt(12) for r in label.runs)
    lines = [p.text for p in left.paragraphs[1:]]
    assert lines == [
        "- UBND tỉnh;",
        "- TT.TU- TT. HĐND.TP;",
        "- Các phòng ban TP;",
        "- UBND phường xã;",
        "- Lưu: VT.",
    ]
    assert all(r.font.size == Pt(11) for p in left.paragraphs[1:] for r in p.runs)

    signature = [p for p in right.paragraphs if p.text]
    assert [p.text for p in signature] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn Tâm"]
    assert all(r.bold for p in signature for r in p.runs)


def test_docx_page_numbers_from_page_two(docx_bytes: bytes) -> None:
    doc = _reopen(docx_bytes)
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    assert section._sectPr.find(qn("w:titlePg")) is not None
    header_xml = section.header._element
    instructions = "".join(header_xml.xpath(".//w:instrText/text()"))
    assert "PAGE" in instructions
    assert section.header.paragraphs[0].alignment == WD_PARAGRAPH_ALIGNMENT.CENTER
    assert not section.first_page_header.is_linked_to_previous
    assert "PAGE" not in "".join(section.first_page_header._element.xpath(".//text()"))
    # the appendix numbers every page, with the inherited header
    assert not doc.sections[-1].different_first_page_header_footer


def test_docx_appendix_table(docx_bytes: bytes) -> None:
    doc = _reopen(docx_bytes)
    table = doc.tables[-1]
    header = [c.text for c in table.rows[0].cells]
    assert header == [
        "STT",
        "Nội dung nhiệm vụ",
        "Đơn vị chủ trì",
        "Đơn vị phối hợp",
        "Thời hạn",
        "Tình trạng",
        "Tiến độ (%)",
        "Ngày hoàn thành",
        "Cập nhật lần cuối",
    ]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    first = [c.text for c in table.rows[1].cells]
    assert first[1] == FORMULA_TITLE
    assert first[4] == "05/04/2023\n(gia hạn đến 20/04/2023)"
    assert first[6] == "60"
    assert table.rows[2].cells[1].text == "- gạch đầu dòng"
    assert table.rows[3].cells[4].text == "Thường xuyên"
    assert len(table.rows) == 4
    titles = [p.text for p in doc.paragraphs]
    assert "PHỤ LỤC" in titles
    # the appendix title is in the landscape section: after the last section break
    body = doc.element.body
    breaks = body.xpath("./w:p[w:pPr/w:sectPr]")
    assert len(breaks) == 1
    appendix_heading = next(p for p in doc.paragraphs if p.text == "PHỤ LỤC")
    assert body.index(appendix_heading._p) > body.index(breaks[0])


def test_docx_escapes_markup_and_survives_control_characters() -> None:
    doc = ReportDocument(
        issued_on=date(2023, 1, 2),
        summary="<b>&amp; \x00\x1b</b>",
        body=[Paragraph("<w:p/> & \x01 \ud800 text", footnotes=["<x>\x02"])],
        signer_name="A",
    )
    reopened = _reopen(build_docx(doc))
    texts = [p.text for p in reopened.paragraphs]
    assert "<b>&amp; </b>" in texts
    assert "<w:p/> &   text" in texts
    assert len(reopened.sections) == 1  # no appendix rows, no appendix section


def test_docx_with_a_thousand_appendix_rows_builds() -> None:
    rows = [
        AppendixRow(
            number=str(i),
            content=f"Nhiệm vụ số {i}: tiếp tục triển khai thực hiện",
            lead_units="Phòng Kinh tế",
            support_units="UBND phường 1",
            deadline=date(2023, 4, 1 + i % 28),
            extended_deadline=None,
            bucket="Đang thực hiện trong hạn",
            percent=i % 101,
            last_update=date(2023, 3, 31),
        )
        for i in range(1, 1001)
    ]
    doc = ReportDocument(issued_on=date(2023, 4, 5), summary="Tháng 03/2023", signer_name="A",
                         appendix=rows)  # fmt: skip
    reopened = _reopen(build_docx(doc))
    assert len(reopened.tables[-1].rows) == 1001
    workbook = load_workbook(io.BytesIO(build_xlsx(rows, "Phụ lục")))
    assert workbook.active.max_row == 1002


# --------------------------------------------------------------------------------------------
# .xlsx
# --------------------------------------------------------------------------------------------


def test_xlsx_table(report: ReportDocument) -> None:
    data = build_xlsx(report.appendix, report.appendix_title)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == report.appendix_title
    assert [c.value for c in sheet[2]][:3] == ["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì"]
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:K5"
    assert sheet.column_dimensions["B"].width >= 40
    assert sheet["B3"].alignment.wrap_text

    deadline = sheet["E3"]
    assert isinstance(deadline.value, datetime)
    assert deadline.value.date() == date(2023, 4, 5)
    assert deadline.number_format == "dd/mm/yyyy"
    assert sheet["E5"].value is None
    assert sheet["A3"].value == "1"  # STT is text: "6.1" and "6" keep their form
    assert sheet["H4"].value == 100
    headers = [c.value for c in sheet[2]]
    assert headers[8:10] == ["Ngày hoàn thành", "Số ngày chậm (ngày làm việc)"]
    # rows as tall as their longest wrapped cell: nothing overlaps when printed
    assert sheet.row_dimensions[3].height >= 15


def test_xlsx_completion_and_days_late_columns() -> None:
    row = AppendixRow("6.1", "Điều chỉnh quy hoạch", "Phòng Quản lý đô thị", "", date(2023, 3, 31),
                      None, "Hoàn thành quá hạn (2 ngày làm việc)", 100, date(2023, 4, 4),
                      completed_on=date(2023, 4, 4), days_late=2,
                      text="Tiếp tục điều chỉnh các đồ án quy hoạch không phù hợp. " * 12)
    sheet = load_workbook(io.BytesIO(build_xlsx([row], "Phụ lục"))).active
    assert sheet["A3"].value == "6.1" and sheet["A3"].data_type == "s"
    assert sheet["B3"].value.count("Tiếp tục điều chỉnh") == 12  # the whole text, never cut
    assert sheet["I3"].value.date() == date(2023, 4, 4) and sheet["J3"].value == 2
    assert sheet.row_dimensions[3].height >= 8 * 15


def test_xlsx_formula_like_text_stays_text(report: ReportDocument) -> None:
    rows = report.appendix
    rows.append(AppendixRow("4", "@SUM(1)", "+cmd", "\tx", None, None, "=1+1", 0, None))
    data = build_xlsx(rows, "=danger()")
    sheet = load_workbook(io.BytesIO(data)).active
    for ref, expected in [
        ("B3", FORMULA_TITLE),
        ("B4", "- gạch đầu dòng"),
        ("B6", "@SUM(1)"),
        ("C6", "+cmd"),
        ("D6", "\tx"),
        ("G6", "=1+1"),
        ("A1", "=danger()"),
    ]:
        cell = sheet[ref]
        assert cell.value == expected, ref
        assert cell.data_type == "s", ref
        assert cell.quotePrefix, ref
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        sheet_xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
