"""The section heading and the periods a report names, routing rules, and unit names read from
the text (split from test_parser.py, which keeps the seed report, items and debris)."""

from __future__ import annotations

import unicodedata

import pytest

from tests.intake.test_parser import HEADING, UNIT_CODES, _is_vietnamese_sentence, _report
from tracker.directives.fields import FIELD_LABELS
from tracker.intake.parser import ReportParseError, parse_report
from tracker.intake.routing import DEFAULT_RULES, RuleSpec, propose_units
from tracker.units.catalogue import WARD_CODES

# ---------------------------------------------------------------------------------------------
# The section heading and the period
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "heading",
    [
        "II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG 03/2023",
        "II. NHIỆM VỤ TRỌNG TÂM THÁNG 3/2023",
        "II. CÔNG TÁC TRỌNG TÂM THÁNG 03 NĂM 2023",
        "II. Một số nhiệm vụ trọng tâm trong tháng 3/2023:",
        "## II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG 03/2023",
        "**II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG 03/2023**",
        "### **II. Nhiệm vụ trọng tâm tháng 03-2023**",
        "II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG\nTHÁNG 03/2023",
    ],
)
def test_heading_variants(heading: str) -> None:
    report = parse_report(_report(heading))
    assert report.period == (2023, 3)
    assert [item.number for item in report.items] == ["1", "2"]
    assert report.items[0].lead_units == ["TCKH"]
    assert report.items[1].text == "Tiếp tục nâng cao chất lượng khám, chữa bệnh cho Nhân dân."


@pytest.mark.parametrize(
    "heading",
    [
        "II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG TỚI",
        "II. NHIỆM VỤ TRỌNG TÂM THÁNG TỚI",
        "ii. một số nhiệm vụ trọng tâm",
    ],
)
def test_heading_without_date_takes_the_given_period(heading: str) -> None:
    report = parse_report(_report(heading), period=(2023, 4))
    assert report.period == (2023, 4)
    assert len(report.items) == 2


def test_heading_without_date_takes_the_month_after_the_reports_own() -> None:
    report = parse_report(_report("II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG TỚI"))
    assert report.period == (2023, 3)  # the title speaks of 02/2023
    assert any("tháng 03/2023" in warning for warning in report.warnings)


def test_heading_without_date_and_no_period_asks_for_it() -> None:
    text = _report("II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG TỚI").replace(" tháng 02/2023", "")
    with pytest.raises(ReportParseError) as caught:
        parse_report(text)
    assert "chọn kỳ (tháng/năm)" in caught.value.message
    assert _is_vietnamese_sentence(caught.value.message)


def test_heading_period_wins_over_the_given_one_with_a_warning() -> None:
    report = parse_report(_report("II. NHIỆM VỤ TRỌNG TÂM THÁNG 3/2023"), period=(2023, 5))
    assert report.period == (2023, 3)
    assert any("05/2023" in warning and "03/2023" in warning for warning in report.warnings)


def test_invalid_period_argument_is_refused() -> None:
    with pytest.raises(ReportParseError, match="Tháng phải từ 1 đến 12"):
        parse_report(_report("II. NHIỆM VỤ TRỌNG TÂM THÁNG TỚI"), period=(2023, 13))


def test_month_only_heading_takes_the_year_from_the_issue_date() -> None:
    text = "Trà Vinh, ngày 28 tháng 12 năm 2023\n\n" + _report("II. NHIỆM VỤ TRỌNG TÂM THÁNG 01")
    assert parse_report(text).period == (2024, 1)


def test_text_without_section_two_is_refused() -> None:
    text = "BÁO CÁO\n\nI. KẾT QUẢ THỰC HIỆN:\n\n1. Đã họp 3 lần.\n\n2. Thu ngân sách đạt 24%.\n"
    with pytest.raises(ReportParseError) as caught:
        parse_report(text)
    assert caught.value.message.startswith("Không tìm thấy mục nhiệm vụ trọng tâm của kỳ tới")
    assert "rồi tải lên lại" in caught.value.message
    assert _is_vietnamese_sentence(caught.value.message)


def test_section_results_heading_is_not_section_two() -> None:
    text = "II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ THÁNG 02/2023\n\n1. Đã họp.\n"
    with pytest.raises(ReportParseError, match="Không tìm thấy mục"):
        parse_report(text)


def test_section_without_numbered_items_is_refused() -> None:
    with pytest.raises(ReportParseError, match="không có nhiệm vụ nào"):
        parse_report(_report("II. NHIỆM VỤ TRỌNG TÂM THÁNG 3/2023", "\nKhông có gì.\n"))


# ---------------------------------------------------------------------------------------------
# Routing rules
# ---------------------------------------------------------------------------------------------


def test_default_rules_use_known_units_and_fields() -> None:
    assert DEFAULT_RULES
    for rule in DEFAULT_RULES:
        assert rule.keywords and all(keyword.strip() for keyword in rule.keywords)
        assert set(rule.unit_codes) <= UNIT_CODES
        assert rule.role in ("lead", "support")
        assert rule.field is None or rule.field in FIELD_LABELS
        assert all(unicodedata.is_normalized("NFC", keyword) for keyword in rule.keywords)


def test_matching_ignores_case_and_diacritics() -> None:
    text = "TANG CUONG QUAN LY NGAN SACH, PHUONG – XA"
    field, leads, supports = propose_units(text, DEFAULT_RULES)
    assert field == "kinh_te"
    assert leads == ["TCKH"]
    assert supports == WARD_CODES


def test_matching_respects_word_boundaries() -> None:
    rules = [RuleSpec(("thuế",), ("TCKH",), "lead", "kinh_te")]
    assert propose_units("Thu thuế môn bài.", rules)[1] == ["TCKH"]
    assert propose_units("Thuếx, athuế không khớp.", rules) == (None, ["VP"], [])


def test_specific_phrase_beats_the_generic_word_it_contains() -> None:
    field, leads, supports = propose_units(
        "Thường xuyên tuyên truyền phổ biến giáo dục pháp luật.", DEFAULT_RULES
    )
    assert (field, leads) == ("noi_chinh", ["TP"])
    assert "GDDT" not in supports


def test_the_most_mentioned_lead_wins_and_ties_go_to_the_first() -> None:
    rules = [
        RuleSpec(("an ninh",), ("CA",), "lead", "noi_chinh"),
        RuleSpec(("khiếu nại", "tố cáo"), ("TTRA",), "lead", "noi_chinh"),
        RuleSpec(("khiếu nại",), ("VP",), "support"),
    ]
    # TTRA: 2 hits; CA and the VP support rule: 1 each, CA mentioned first.
    assert propose_units("An ninh; khiếu nại; tố cáo.", rules) == ("noi_chinh", ["TTRA"],
                                                                      ["CA", "VP"])
    assert propose_units("Tố cáo và an ninh.", rules)[1] == ["TTRA"]
    assert propose_units("An ninh và tố cáo.", rules)[1] == ["CA"]


def test_leads_are_capped_and_rule_fields_are_optional() -> None:
    rules = [
        RuleSpec(("đầu tư công",), ("BQLDA", "TCKH", "KT"), "lead"),
        RuleSpec(("đầu tư công",), (), "support", "xay_dung_do_thi"),
    ]
    assert propose_units("Giải ngân vốn đầu tư công.", rules) == (
        "xay_dung_do_thi", ["BQLDA", "TCKH"], ["KT"]
    )


def test_no_match_proposes_the_secretariat() -> None:
    assert propose_units("Nội dung khác.", DEFAULT_RULES) == (None, ["VP"], [])
    assert propose_units("", []) == (None, ["VP"], [])


def test_routing_rule_validates_role_and_accepts_lists() -> None:
    with pytest.raises(ValueError, match="role"):
        RuleSpec(("thuế",), ("TCKH",), "chủ trì")
    rule = RuleSpec(["thuế", "ngân sách"], ["TCKH"], "lead")  # type: ignore[arg-type]
    assert rule.keywords == ("thuế", "ngân sách") and rule.unit_codes == ("TCKH",)


def test_custom_rules_are_used_by_parse_report() -> None:
    rules = [RuleSpec(("ngân sách",), ("CCT",), "lead", "cai_cach_hanh_chinh")]
    item = parse_report(_report(HEADING), rules=rules).items[0]
    assert item.lead_units == ["CCT"]
    assert item.field == "cai_cach_hanh_chinh"


@pytest.mark.parametrize(
    ("sentence", "lead", "support"),
    [
        ("Phòng Lao động - Thương binh và Xã hội rà soát danh sách hộ nghèo; phối hợp Phòng Y "
         "tế khám bệnh cho người cao tuổi.", ["LDTBXH"], ["YT"]),
        ("Giao Phòng Lao động - Thương binh và Xã hội chủ trì, phối hợp UBND các phường, xã "
         "thực hiện chi trả trợ cấp.", ["LDTBXH"], WARD_CODES),
    ],
)
def test_xa_hoi_inside_a_unit_name_is_not_a_commune(sentence: str, lead: list[str],
                                                     support: list[str]) -> None:
    text = (
        "BÁO CÁO\n\nII. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG 12/2024\n\n"
        f"1. {sentence}\n\nTrên đây là báo cáo./.\n"
    )
    item = parse_report(text).items[0]
    assert item.lead_units == lead
    assert item.support_units == support
    assert item.unmatched_units == []


@pytest.mark.parametrize(
    ("title", "heading", "own", "target"),
    [
        ("Kết quả thực hiện nhiệm vụ quý III và phương hướng, nhiệm vụ quý IV năm 2025",
         "II. PHƯƠNG HƯỚNG, NHIỆM VỤ TRỌNG TÂM QUÝ IV NĂM 2025", "2025-Q3", "2025-Q4"),
        ("Tình hình thực hiện nhiệm vụ tháng 12 và nhiệm vụ trọng tâm tháng 01 năm 2024",
         "II. NHIỆM VỤ TRỌNG TÂM THÁNG 01 NĂM 2024", "2023-12", "2024-01"),
        ("Kết quả 6 tháng đầu năm và nhiệm vụ 6 tháng cuối năm 2025",
         "III. NHIỆM VỤ, GIẢI PHÁP 6 THÁNG CUỐI NĂM 2025", "2025-H1", "2025-H2"),
    ],
)
def test_a_title_naming_two_periods_with_one_year(title: str, heading: str, own: str,
                                                   target: str) -> None:
    text = f"BÁO CÁO\n{title}\n\n{heading}\n\n1. Phòng Kinh tế tổng hợp số liệu.\n"
    report = parse_report(text)
    assert report.report_period is not None and report.report_period.key == own
    assert report.target.key == target
