"""Tests for the section II report parser (pure Python: no app, no database)."""

from __future__ import annotations

import datetime as dt
import io
import json
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from tracker.core.errors import UserError
from tracker.demo.accounts import SEED_REPORT
from tracker.directives.fields import DEFAULT_FIELD, FIELD_LABELS
from tracker.intake.parser import ParsedItem, ParsedReport, ReportParseError, parse_report
from tracker.intake.reading import read_report_file
from tracker.units.catalogue import UNITS, WARD_CODES

SEED_PATH = SEED_REPORT  # the seed report, copied into the project as demo data
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
UNIT_CODES = {unit.code for unit in UNITS}
VIETNAMESE_MARKS = set("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


def _seed_path() -> Path:
    return SEED_PATH


@pytest.fixture(scope="module")
def seed_bytes() -> bytes:
    return _seed_path().read_bytes()


@pytest.fixture(scope="module")
def seed_text(seed_bytes: bytes) -> str:
    return read_report_file(SEED_PATH.name, seed_bytes)


@pytest.fixture(scope="module")
def seed(seed_text: str) -> ParsedReport:
    return parse_report(seed_text)


def _all_items(items: list[ParsedItem]) -> list[ParsedItem]:
    out = []
    for item in items:
        out.append(item)
        out.extend(_all_items(item.children))
    return out


def _by_number(report: ParsedReport) -> dict[str, ParsedItem]:
    return {item.number: item for item in _all_items(report.items)}


def _is_vietnamese_sentence(message: str) -> bool:
    return (
        unicodedata.is_normalized("NFC", message)
        and any(char in VIETNAMESE_MARKS for char in message.lower())
        and message.rstrip().endswith((".", ")"))
    )


def _docx_bytes(paragraphs: list[str], *, header: list[str] | None = None,
                signature: list[str] | None = None) -> bytes:
    document = docx.Document()
    if header:
        table = document.add_table(rows=1, cols=2)
        table.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ TRÀ VINH"
        table.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
        row = table.add_row().cells
        row[0].text, row[1].text = header[0], header[1]
    for text in paragraphs:
        document.add_paragraph(text)
    if signature:
        table = document.add_table(rows=1, cols=2)
        table.cell(0, 0).text = signature[0]
        table.cell(0, 1).text = signature[1]
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


SECTION_BODY = """
Thực hiện chương trình công tác, các phòng ban, phường – xã cần tập trung thực hiện:

1. Đẩy nhanh hoàn thành thu thuế môn bài. Tăng cường quản lý ngân sách.

2. Tiếp tục nâng cao chất lượng khám, chữa bệnh cho Nhân dân.

Trên đây là những nhiệm vụ trọng tâm./.

Nơi nhận:
- Lưu: VT.
"""


def _report(heading: str, body: str = SECTION_BODY) -> str:
    return (
        "BÁO CÁO\n\nTình hình thực hiện nhiệm vụ tháng 02/2023\n\nI. KẾT QUẢ THỰC HIỆN:\n\n"
        "1. Công tác chỉ đạo điều hành: đã họp 3 lần.\n\n" + heading + "\n" + body
    )


# ---------------------------------------------------------------------------------------------
# The seed report
# ---------------------------------------------------------------------------------------------


def test_seed_period_and_item_numbers(seed: ParsedReport) -> None:
    assert (seed.year, seed.month) == (2023, 3)
    assert seed.period == (2023, 3)
    assert [item.number for item in seed.items] == [str(n) for n in range(1, 16)]


def test_seed_report_metadata(seed: ParsedReport) -> None:
    assert seed.title == "Tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội tháng 02/2023"
    assert seed.document_number is None  # the seed has no "Số: ..." line
    assert seed.issued_on is None


def test_seed_item6_has_exactly_two_sub_items(seed: ParsedReport) -> None:
    item6 = seed.items[5]
    assert [child.number for child in item6.children] == ["6.1", "6.2"]
    assert item6.children[0].text.startswith("Tiếp tục điều chỉnh các đồ án")
    assert item6.children[1].text.startswith("Tiếp tục triển khai thực hiện tốt Chỉ thị 27")
    assert item6.text.startswith("Tập trung đẩy nhanh tiến độ giải ngân vốn đầu tư công.")
    assert "đồ án" not in item6.text  # the parent does not repeat its sub-items
    assert all(not item.children for item in seed.items if item.number != "6")


def test_seed_footnote_tail_and_footnotes_are_not_in_item1(seed: ParsedReport) -> None:
    item1 = seed.items[0]
    assert item1.text.startswith("Tập trung thực hiện quyết liệt")
    assert item1.text.endswith("năm 2023.")
    for item in _all_items(seed.items):
        for debris in ("xuất trình", "Sổ tạm trú", "Lương Xú Chầy", "Đặng Việt Thắng",
                       "Lê Thị Hiệp"):
            assert debris not in item.text
            assert debris not in item.title
    assert seed.items[1].text.startswith("Tập trung tháo gỡ các khó khăn")


def test_seed_dropped_debris_is_reported(seed: ParsedReport) -> None:
    assert any("nghiệp phải xuất trình" in warning for warning in seed.warnings)
    assert any("3 dòng chú thích" in warning for warning in seed.warnings)
    assert all(unicodedata.is_normalized("NFC", warning) for warning in seed.warnings)


def test_seed_items_hold_no_layout_debris(seed: ParsedReport) -> None:
    for item in _all_items(seed.items):
        for text in (item.text, item.title):
            for debris in ("Trên đây", "Nơi nhận", "TM. ỦY BAN", "CHỦ TỊCH", "Nguyễn Văn Tâm",
                           "Lưu: VT", "(1)", "Thực hiện chương trình công tác"):
                assert debris not in text, (item.number, debris)
            assert not any(char in SUPERSCRIPTS for char in text), item.number
            assert "  " not in text and text == text.strip()
            assert unicodedata.is_normalized("NFC", text)


def test_seed_last_item_ends_cleanly(seed: ParsedReport) -> None:
    assert seed.items[-1].number == "15"
    assert seed.items[-1].text.endswith("hành chính.")


def test_seed_titles_are_first_sentences(seed: ParsedReport) -> None:
    items = _by_number(seed)
    assert items["5"].title == "Đẩy nhanh hoàn thành thu thuế môn bài"
    assert items["6"].title == "Tập trung đẩy nhanh tiến độ giải ngân vốn đầu tư công"
    assert items["8"].title == "Tiếp tục nâng cao chất lượng khám, chữa bệnh cho Nhân dân"
    assert items["6.1"].title == (
        "Tiếp tục điều chỉnh các đồ án quy hoạch không phù hợp trên địa bàn"
    )
    for item in items.values():
        assert item.title and not item.title.endswith(".")
        assert len(item.title) <= 200
    # Item 1 is one long sentence: shortened on a word boundary.
    assert items["1"].title.endswith("…")
    assert items["1"].text.startswith(items["1"].title[:-1])


@pytest.mark.parametrize(
    ("number", "lead", "supports"),
    [
        ("5", "TCKH", {"CCT"}),
        ("7", "GDDT", set()),
        ("8", "YT", {"TTYT"}),
        ("12", "BCHQS", {"CA"}),
        ("13", "CA", set()),
        ("14", "TTRA", {"TP", "THADS"}),
    ],
)
def test_seed_unit_proposals(seed: ParsedReport, number: str, lead: str,
                             supports: set[str]) -> None:
    item = _by_number(seed)[number]
    assert item.lead_units == [lead]
    assert supports <= set(item.support_units)
    assert lead not in item.support_units


def test_seed_other_unit_proposals(seed: ParsedReport) -> None:
    items = _by_number(seed)
    assert items["1"].lead_units == ["TCKH"]
    assert items["2"].lead_units == items["3"].lead_units == items["4"].lead_units == ["KT"]
    assert items["6"].lead_units == ["BQLDA"]
    assert {"TCKH", "TNMT"} <= set(items["6"].support_units)
    assert items["6.1"].lead_units == ["QLDT"]
    assert items["6.2"].lead_units == ["TNMT"]
    assert items["9"].lead_units == ["VHTT"]
    assert "P9" in items["9"].support_units  # "Phường 9 đạt chuẩn đô thị văn minh"
    assert items["10"].lead_units == ["LDTBXH"]
    assert items["11"].lead_units == ["DT"]
    assert items["15"].lead_units == ["NV"]
    assert "TTHCC" in items["15"].support_units
    # "xã, phường" in item 8: every ward supports.
    assert set(WARD_CODES) <= set(items["8"].support_units)
    assert "GDDT" not in items["14"].support_units  # "giáo dục pháp luật" is TP's


def test_seed_fields_follow_the_report_order(seed: ParsedReport) -> None:
    expected = (
        ["kinh_te"] * 5 + ["xay_dung_do_thi"] + ["van_hoa_xa_hoi"] * 5 + ["noi_chinh"] * 3
        + ["cai_cach_hanh_chinh"]
    )
    assert [item.field for item in seed.items] == expected
    assert [child.field for child in seed.items[5].children] == ["xay_dung_do_thi"] * 2


def test_seed_every_item_has_a_lead_and_a_known_field(seed: ParsedReport) -> None:
    for item in _all_items(seed.items):
        assert 1 <= len(item.lead_units) <= 2
        assert item.field in FIELD_LABELS
        assert set(item.lead_units) | set(item.support_units) <= UNIT_CODES
        assert len(set(item.support_units)) == len(item.support_units)


def test_seed_to_json_shape(seed: ParsedReport) -> None:
    data = seed.to_json()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["period"] == "2023-03"
    assert len(data["items"]) == 15
    item6 = data["items"][5]
    assert set(item6) >= {"number", "title", "text", "children", "lead_units", "support_units",
                          "field"}
    assert [child["number"] for child in item6["children"]] == ["6.1", "6.2"]
    assert item6["children"][0]["children"] == []
    assert item6["lead_units"] == ["BQLDA"]
    assert data["items"][4]["field"] == "kinh_te"


def test_seed_as_docx_parses_to_the_same_items(seed_text: str, seed: ParsedReport) -> None:
    paragraphs = [part.strip() for part in seed_text.split("\n\n") if part.strip()]
    data = _docx_bytes(paragraphs)
    from_docx = parse_report(read_report_file("bao-cao.DOCX", data))
    assert from_docx.period == (2023, 3)
    assert [i.to_json() for i in from_docx.items] == [i.to_json() for i in seed.items]


def test_seed_with_crlf_and_bom_parses_the_same(seed_bytes: bytes, seed: ParsedReport) -> None:
    data = b"\xef\xbb\xbf" + seed_bytes.replace(b"\n", b"\r\n")
    text = read_report_file("bao-cao.md", data)
    assert not text.startswith("\ufeff") and "\r" not in text
    assert parse_report(text).to_json()["items"] == seed.to_json()["items"]


def test_seed_in_nfd_is_normalised(seed_text: str, seed: ParsedReport) -> None:
    report = parse_report(unicodedata.normalize("NFD", seed_text))
    assert [i.text for i in report.items] == [i.text for i in seed.items]


# ---------------------------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------------------------


def _zip_bytes(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("filename", "data", "fragment"),
    [
        ("bao-cao.txt", b"", "Tệp rỗng."),
        ("bao-cao.docx", b"", "Tệp rỗng."),
        ("bao-cao.txt", b" \n\t\n", "Tệp rỗng."),
        ("bao-cao.txt", "II. NHIỆM VỤ TRỌNG TÂM THÁNG 3/2023".encode("latin-1", "replace"),
         "không phải UTF-8"),
        ("bao-cao.txt", "Báo cáo tháng 3".encode("cp1258"), "không phải UTF-8"),
        ("bao-cao.txt", "Báo cáo".encode("utf-16-le"), "không phải UTF-8"),
        ("bao-cao.docx", bytes(range(256)) * 4, "Tệp .docx bị hỏng"),
        ("bao-cao.docx", _zip_bytes({"hello.txt": "xin chào"}), "Tệp .docx bị hỏng"),
        ("bao-cao.docx",
         _zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": "<not-xml"}),
         "Tệp .docx bị hỏng"),
        ("bao-cao.pdf", b"%PDF-1.7 ...", "Tệp PDF bị hỏng"),
        ("bao-cao.pdf", b"not a pdf", "Tệp PDF bị hỏng"),
        ("bao-cao.odt", b"PK", "không được hỗ trợ (.odt)"),
        ("bao-cao", b"II. ...", "không được hỗ trợ"),
        ("bao-cao.doc", b"\xd0\xcf\x11\xe0", ".doc (Word 97-2003)"),
        ("bao-cao.txt", b"a" * (5 * 1024 * 1024 + 1),
         "Tệp vượt quá dung lượng cho phép (5 MB)."),
    ],
)
def test_bad_files_are_refused_in_vietnamese(filename: str, data: bytes, fragment: str) -> None:
    with pytest.raises(ReportParseError) as caught:
        read_report_file(filename, data)
    assert fragment in caught.value.message
    assert str(caught.value) == caught.value.message
    assert isinstance(caught.value, UserError)
    assert _is_vietnamese_sentence(caught.value.message)


def test_size_limit_is_configurable() -> None:
    with pytest.raises(ReportParseError, match=r"\(1 KB\)"):
        read_report_file("a.txt", b"x" * 1025, max_bytes=1024)
    assert read_report_file("a.txt", b"x" * 1024, max_bytes=1024) == "x" * 1024


def test_text_file_is_returned_as_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Nhiệm vụ trọng tâm")
    assert read_report_file("a.txt", nfd.encode()) == "Nhiệm vụ trọng tâm"


def test_docx_reads_tables_in_order_with_number_and_date() -> None:
    data = _docx_bytes(
        ["BÁO CÁO", "Tình hình thực hiện nhiệm vụ tháng 3/2023",
         "II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG 04/2023",
         "1. Tăng cường công tác bảo đảm an ninh trật tự trên địa bàn.",
         "2. Duy trì nghiêm chế độ trực sẵn sàng chiến đấu.",
         "Trên đây là những nhiệm vụ trọng tâm./."],
        header=["Số: 45/BC-UBND", "Trà Vinh, ngày 05 tháng 04 năm 2023"],
        signature=["Nơi nhận:\n- UBND tỉnh;\n- Lưu: VT.",
                   "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n\nNguyễn Văn Tâm"],
    )
    text = read_report_file("bao-cao.docx", data)
    assert text.index("Số: 45/BC-UBND") < text.index("BÁO CÁO") < text.index("Nơi nhận")
    report = parse_report(text)
    assert report.document_number == "45/BC-UBND"
    assert report.issued_on == dt.date(2023, 4, 5)
    assert report.title == "Tình hình thực hiện nhiệm vụ tháng 3/2023"
    assert report.period == (2023, 4)
    assert [item.lead_units for item in report.items] == [["CA"], ["BCHQS"]]
    assert report.items[-1].text == "Duy trì nghiêm chế độ trực sẵn sàng chiến đấu."
    data = report.to_json()
    assert data["document_number"] == "45/BC-UBND"
    assert data["issued_on"] == "2023-04-05"


def test_docx_word_numbered_list_keeps_its_numbers() -> None:
    document = docx.Document()
    document.add_paragraph("II. NHIỆM VỤ TRỌNG TÂM THÁNG 5/2023")
    document.add_paragraph("Đẩy nhanh hoàn thành thu thuế môn bài.", style="List Number")
    document.add_paragraph("Tập trung giải ngân vốn đầu tư công.", style="List Number")
    document.add_paragraph("Tiếp tục điều chỉnh các đồ án quy hoạch.", style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    text = read_report_file("a.docx", buffer.getvalue())
    assert "1. Đẩy nhanh" in text and "2. Tập trung" in text and "• Tiếp tục" in text
    report = parse_report(text)
    assert [item.number for item in report.items] == ["1", "2"]
    assert [child.number for child in report.items[1].children] == ["2.1"]


def test_docx_keeps_tracked_insertions_and_drops_deletions() -> None:
    document = docx.Document()
    document.add_paragraph("II. NHIỆM VỤ TRỌNG TÂM THÁNG 5/2023")
    paragraph = document.add_paragraph("1. Tăng cường quản lý ")
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    paragraph._p.append(etree.fromstring(
        f'<w:ins xmlns:w="{w}" w:id="1" w:author="VP"><w:r><w:t>ngân sách.</w:t></w:r></w:ins>'
    ))
    paragraph._p.append(etree.fromstring(
        f'<w:del xmlns:w="{w}" w:id="2" w:author="VP"><w:r><w:delText>đất đai.</w:delText>'
        "</w:r></w:del>"
    ))
    buffer = io.BytesIO()
    document.save(buffer)
    report = parse_report(read_report_file("a.docx", buffer.getvalue()))
    assert report.items[0].text == "Tăng cường quản lý ngân sách."
    assert report.items[0].lead_units == ["TCKH"]


# ---------------------------------------------------------------------------------------------
# Items, sub-items and debris
# ---------------------------------------------------------------------------------------------

HEADING = "II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG 03/2023"


def test_text_cut_by_a_page_break_is_joined_across_footnotes() -> None:
    body = (
        "\n1. Tiếp tục hỗ trợ xã Long Đức đạt 19/19 tiêu chí nông thôn mới nâng\n\n"
        "¹ Ghi chú trang trước.\n\n"
        "cao; hoàn thành hồ sơ nông thôn mới kiểu mẫu.\n\n"
        "² ông Nguyễn Văn A, chuyên viên.\n\n"
        "2. Tăng cường quản lý ngân sách.\n"
    )
    report = parse_report(_report(HEADING, body))
    assert report.items[0].text == (
        "Tiếp tục hỗ trợ xã Long Đức đạt 19/19 tiêu chí nông thôn mới nâng cao; hoàn thành hồ "
        "sơ nông thôn mới kiểu mẫu."
    )
    assert report.items[0].lead_units == ["KT"]
    assert "XLD" in report.items[0].support_units
    assert "Nguyễn Văn A" not in report.items[1].text


def test_footnote_tail_after_a_finished_sentence_is_dropped() -> None:
    body = (
        "\n1. Tăng cường quản lý ngân sách.\n"
        "nghiệp phải xuất trình giấy tờ, tài liệu chứng minh\n"
        "về cư trú.\n\n"
        "¹³ ông Lương Xú Chầy, Hiệu trưởng\n"
        "Trường Tiểu học Hùng Vương.\n\n"
        "[^14]: bà Lê Thị Hiệp\n\n"
        "2. Tiếp tục nâng cao chất lượng khám, chữa bệnh.\n"
    )
    report = parse_report(_report(HEADING, body))
    assert [item.text for item in report.items] == [
        "Tăng cường quản lý ngân sách.",
        "Tiếp tục nâng cao chất lượng khám, chữa bệnh.",
    ]
    assert any("nghiệp phải xuất trình" in warning for warning in report.warnings)


def test_plain_number_footnote_after_a_sentence_is_dropped() -> None:
    body = "\n1. Tăng cường quản lý ngân sách.\n\n13 ông Lương Xú Chầy, Hiệu trưởng.\n"
    report = parse_report(_report(HEADING, body))
    assert report.items[0].text == "Tăng cường quản lý ngân sách."


def test_hard_wrapped_lines_and_second_paragraphs_stay_in_the_item() -> None:
    body = (
        "\n1. Tập trung đẩy nhanh tiến độ giải ngân vốn\n"
        "đầu tư công năm 2023 với\n"
        "2023. Dòng này bắt đầu bằng năm nhưng vẫn là phần tiếp theo.\n\n"
        "Đồng thời thẩm tra quyết toán các công trình.\n\n"
        "(2)\n\n"
        "2. Tăng cường quản lý ngân sách.\n"
    )
    report = parse_report(_report(HEADING, body))
    assert [item.number for item in report.items] == ["1", "2"]
    assert report.items[0].text == (
        "Tập trung đẩy nhanh tiến độ giải ngân vốn đầu tư công năm 2023 với 2023. Dòng này bắt "
        "đầu bằng năm nhưng vẫn là phần tiếp theo. Đồng thời thẩm tra quyết toán các công trình."
    )


def test_sub_items_bullets_and_nested_bullets() -> None:
    body = (
        "\n1. Tập trung giải ngân vốn đầu tư công.\n"
        "– Tiếp tục điều chỉnh các đồ án quy hoạch.\n"
        "+ Rà soát quy hoạch phường 7.\n"
        "- Tăng cường quản lý đất đai.\n\n"
        "2. Công tác khác:\n\n"
        "+ Thường xuyên tuyên truyền phổ biến giáo dục pháp luật.\n\n"
        "+ Tiếp tục nâng cao chất lượng khám, chữa bệnh.\n\n"
        "3. Công tác cải cách hành chính:\n"
        "3.1. Nâng cao chất lượng dịch vụ hành chính công.\n"
        "3.2 Tăng cường kỷ luật, kỷ cương.\n"
    )
    items = _by_number(parse_report(_report(HEADING, body)))
    assert sorted(items) == ["1", "1.1", "1.2", "2", "2.1", "2.2", "3", "3.1", "3.2"]
    assert items["1.1"].text == (
        "Tiếp tục điều chỉnh các đồ án quy hoạch. Rà soát quy hoạch phường 7."
    )
    assert items["1.1"].lead_units == ["QLDT"] and "P7" in items["1.1"].support_units
    assert items["1.2"].lead_units == ["TNMT"]
    assert items["2.1"].lead_units == ["TP"] and items["2.2"].lead_units == ["YT"]
    assert items["3.2"].text == "Tăng cường kỷ luật, kỷ cương."


def test_markdown_bold_numbers_and_numbers_on_their_own_line() -> None:
    body = (
        "\n**1.** **Tăng cường** quản lý ngân sách.\n\n"
        "2.\nTăng cường quản lý đất đai.\n\n"
        "**3. Tiếp tục nâng cao chất lượng khám, chữa bệnh.**\n"
    )
    report = parse_report(_report(HEADING, body))
    assert [(item.number, item.text) for item in report.items] == [
        ("1", "Tăng cường quản lý ngân sách."),
        ("2", "Tăng cường quản lý đất đai."),
        ("3", "Tiếp tục nâng cao chất lượng khám, chữa bệnh."),
    ]
    assert [item.lead_units for item in report.items] == [["TCKH"], ["TNMT"], ["YT"]]


def test_sub_item_inherits_only_the_field() -> None:
    body = (
        "\n1. Tăng cường quản lý ngân sách, chống thất thu thuế.\n"
        "- Tổ chức kiểm tra định kỳ.\n"
        "- Tuyên truyền pháp luật trong nhân dân.\n"
    )
    report = parse_report(_report(HEADING, body))
    parent, plain, legal = report.items[0], *report.items[0].children
    assert parent.field == "kinh_te" and parent.lead_units == ["TCKH"]
    assert plain.field == "kinh_te"  # inherited: its own text matches no rule
    assert plain.lead_units == ["VP"] and plain.support_units == []
    assert legal.field == "noi_chinh" and legal.lead_units == ["TP"]
    assert any("1.1" in warning and "VP" in warning for warning in report.warnings)


def test_unmatched_top_item_falls_back_to_vp_and_default_field() -> None:
    body = "\n1. Thực hiện tốt các nhiệm vụ khác được giao.\n"
    item = parse_report(_report(HEADING, body)).items[0]
    assert item.lead_units == ["VP"]
    assert item.field == DEFAULT_FIELD


def test_superscript_markers_are_removed_but_units_kept() -> None:
    body = (
        "\n1. Giải phóng mặt bằng 1.200 m² đất công trình¹², hoàn thành 3 km³ nạo vét⁷.\n"
        "2. Hỗ trợ doanh nghiệp[^3] theo quy định **khẩn trương**.\n"
    )
    report = parse_report(_report(HEADING, body))
    assert report.items[0].text == (
        "Giải phóng mặt bằng 1.200 m² đất công trình, hoàn thành 3 km³ nạo vét."
    )
    assert report.items[1].text == "Hỗ trợ doanh nghiệp theo quy định khẩn trương."


def test_section_ends_at_signature_and_section_three() -> None:
    body = (
        "\n1. Tăng cường quản lý ngân sách.\n\n"
        "III. ĐỀ XUẤT, KIẾN NGHỊ\n\n1. Đề nghị UBND tỉnh hỗ trợ vốn.\n"
    )
    assert len(parse_report(_report(HEADING, body)).items) == 1
    body = "\n1. Tăng cường quản lý ngân sách.\n\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\n2. Lạc đề.\n"
    assert len(parse_report(_report(HEADING, body)).items) == 1


def test_numbering_gap_is_accepted_with_a_warning() -> None:
    body = "\n1. Tăng cường quản lý ngân sách.\n\n3. Tăng cường quản lý đất đai.\n"
    report = parse_report(_report(HEADING, body))
    assert [item.number for item in report.items] == ["1", "3"]
    assert any("từ 1 lên 3" in warning for warning in report.warnings)


def test_unnumbered_section_uses_bullets_as_items() -> None:
    body = (
        "\n- Tăng cường quản lý ngân sách.\n"
        "+ Kiểm soát chi chặt chẽ.\n"
        "- Tăng cường quản lý đất đai.\n"
    )
    report = parse_report(_report(HEADING, body))
    assert [item.number for item in report.items] == ["1", "2"]
    assert [child.number for child in report.items[0].children] == ["1.1"]
    assert any("không được đánh số" in warning for warning in report.warnings)
