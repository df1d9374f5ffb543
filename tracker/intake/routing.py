"""Routing rules: the editable keyword table that proposes a field and lead/support units.

``RuleSpec`` is the plain-data form of one row of the table (the ORM model is
``tracker.directives.models.RuleSpec``); ``DEFAULT_RULES`` seed that table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tracker.intake.text import fold
from tracker.units.catalogue import UNITS, WARD, WARD_CODES

__all__ = [
    "DEFAULT_RULES",
    "FALLBACK_LEAD_UNIT",
    "LEAD",
    "MAX_LEAD_UNITS",
    "SUPPORT",
    "RuleSpec",
    "field_of_heading",
    "propose_units",
]

FALLBACK_LEAD_UNIT = "VP"  # the secretariat triages what no rule recognises
MAX_LEAD_UNITS = 2

LEAD = "lead"
SUPPORT = "support"


@dataclass(frozen=True)
class RuleSpec:
    """One row of the editable routing table: keywords → units (lead or support) and a field.

    Keywords match case- and diacritics-insensitively on word boundaries ("phường, xã" also
    matches "phường – xã"). A rule may carry only a field and no units.
    """

    keywords: tuple[str, ...]
    unit_codes: tuple[str, ...] = ()
    role: str = SUPPORT  # "lead" or "support"
    field: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.keywords, str):
            object.__setattr__(self, "keywords", (self.keywords,))
        object.__setattr__(self, "keywords", tuple(self.keywords))
        object.__setattr__(self, "unit_codes", tuple(self.unit_codes))
        if self.role not in (LEAD, SUPPORT):
            raise ValueError(f"role must be 'lead' or 'support', not {self.role!r}")


def _rule(keywords: str, units: str | tuple[str, ...], role: str, field: str | None) -> RuleSpec:
    codes = (units,) if isinstance(units, str) else units
    words = tuple(keyword.strip() for keyword in keywords.split(";") if keyword.strip())
    return RuleSpec(words, codes, role, field)


_KT, _XD, _VH, _NC, _CCHC, _CD = (
    "kinh_te", "xay_dung_do_thi", "van_hoa_xa_hoi", "noi_chinh", "cai_cach_hanh_chinh", "chi_dao",
)

# Keywords are written with diacritics for the admin's sake; matching ignores them. A keyword
# inside a longer matched keyword does not count ("giáo dục" in "giáo dục pháp luật"), which is
# how the more specific phrase wins.
DEFAULT_RULES: list[RuleSpec] = [
    # Chỉ đạo điều hành
    _rule("chỉ đạo điều hành; chương trình công tác; lịch công tác; tổng hợp báo cáo; "
          "chế độ báo cáo", "VP", LEAD, _CD),
    # Kinh tế: the socio-economic plan, budget and tax
    _rule("kinh tế - xã hội; dự toán ngân sách; ngân sách; thuế; nguồn thu; tài chính; "
          "kiểm soát chi; chống lãng phí; thực hành tiết kiệm", "TCKH", LEAD, _KT),
    _rule("thuế; nguồn thu; thu ngân sách; thu nợ", "CCT", SUPPORT, _KT),
    # Kinh tế: enterprises, trade, agriculture, science and technology, cooperatives
    _rule("doanh nghiệp; hộ kinh doanh; công nghiệp; tiểu thủ công nghiệp; cụm công nghiệp; "
          "thương mại; người tiêu dùng; sử dụng điện; giá bán điện; môi trường kinh doanh; "
          "môi trường đầu tư; năng lực cạnh tranh; nhà đầu tư; thủ tục đầu tư; kêu gọi đầu tư; "
          "đầu tư công nghiệp; đầu tư công nghệ; khởi nghiệp; nông nghiệp; nông thôn mới; OCOP; "
          "cây trồng; vật nuôi; chăn nuôi; trồng trọt; gia súc; thủy sản; thủy lợi; thiên tai; "
          "triều cường; xâm nhập mặn; dịch bệnh trên cây trồng; "
          "dịch bệnh trên cây trồng vật nuôi; hợp tác xã; HTX; kinh tế tập thể; KTTT; "
          "khoa học công nghệ; khoa học và công nghệ; KHCN", "KT", LEAD, _KT),
    # Xây dựng cơ bản, giải phóng mặt bằng, đô thị, đất đai, môi trường
    _rule("đầu tư công; giải ngân; xây dựng cơ bản; vốn đầu tư; công trình; thi công; "
          "quyết toán; thẩm tra quyết toán", "BQLDA", LEAD, _XD),
    _rule("đầu tư công; giải ngân; quyết toán; kế hoạch vốn", "TCKH", SUPPORT, _XD),
    _rule("giải phóng mặt bằng; bồi thường", "TNMT", SUPPORT, _XD),
    _rule("quy hoạch; đồ án quy hoạch; quản lý đô thị; trật tự đô thị; chỉnh trang đô thị; "
          "mỹ quan đô thị; đô thị loại; tiêu chí đô thị; trật tự xây dựng; giấy phép xây dựng; "
          "cấp phép xây dựng; hạ tầng giao thông; công trình giao thông; giao thông nông thôn; "
          "chiếu sáng; cây xanh; lấn chiếm vỉa hè", "QLDT", LEAD, _XD),
    _rule("đất đai; quản lý đất đai; lấn chiếm đất; quyền sử dụng đất; quy hoạch sử dụng đất; "
          "kế hoạch sử dụng đất; tài nguyên; khoáng sản; môi trường; ô nhiễm môi trường; "
          "bảo vệ môi trường; vệ sinh môi trường; rác thải; chất thải", "TNMT", LEAD, _XD),
    # Văn hóa - xã hội
    _rule("giáo dục; sách giáo khoa; học sinh; giáo viên; năm học; bậc học; phổ cập giáo dục; "
          "xóa mù chữ; cộng đồng học tập; học tập cộng đồng; xã hội học tập; khuyến học; "
          "mầm non; tiểu học; trung học", "GDDT", LEAD, _VH),
    _rule("y tế; dịch bệnh; khám, chữa bệnh; bệnh viện; sốt xuất huyết; tay chân miệng; "
          "covid-19; covid; vắc xin; vaccine; tiêm chủng; an toàn thực phẩm; bệnh cúm; cúm A; "
          "cúm gia cầm; dân số", "YT", LEAD, _VH),
    _rule("y tế; dịch bệnh; khám, chữa bệnh; bệnh viện; sốt xuất huyết; tay chân miệng; "
          "covid-19; covid; vắc xin; vaccine; tiêm chủng; an toàn thực phẩm", "TTYT", SUPPORT,
          _VH),
    _rule("văn hóa; dịch vụ văn hóa; đời sống văn hóa; đô thị văn minh; du lịch; thể thao; "
          "thể dục thể thao; lễ hội; di tích; truyền thanh; thông tin và truyền thông; "
          "công viên", "VHTT", LEAD, _VH),
    _rule("người có công; gia đình chính sách; đền ơn đáp nghĩa; thương binh; lao động; "
          "người lao động; hợp đồng lao động; giải quyết việc làm; tạo việc làm; "
          "bảo hiểm xã hội; bảo hiểm y tế; bảo hiểm thất nghiệp; bảo trợ xã hội; giảm nghèo; "
          "hộ nghèo; trẻ em; bình đẳng giới; tệ nạn xã hội; kiểm tra liên ngành 178; AAV",
          "LDTBXH", LEAD, _VH),
    _rule("dân tộc; đồng bào dân tộc; dân tộc thiểu số; tôn giáo; tín ngưỡng; Khmer", "DT",
          LEAD, _VH),
    # Nội chính
    _rule("quân sự; quốc phòng; sẵn sàng chiến đấu; trực sẵn sàng chiến đấu; tuyển quân; "
          "nhập ngũ; nghĩa vụ quân sự; huấn luyện; dân quân; quân dân; diễn tập; "
          "giáo dục quốc phòng", "BCHQS", LEAD, _NC),
    _rule("an ninh; an ninh trật tự; an ninh chính trị; trật tự an toàn xã hội; tội phạm; "
          "ma túy; tín dụng đen; giao thông; an toàn giao thông; tuần tra; phòng cháy chữa cháy; "
          "cứu nạn cứu hộ; đề án 06; cư trú; căn cước", "CA", LEAD, _NC),
    _rule("khiếu nại; tố cáo; khiếu kiện; đơn thư; tiếp công dân; thanh tra; tham nhũng",
          "TTRA", LEAD, _NC),
    _rule("phổ biến giáo dục pháp luật; tuyên truyền pháp luật; phổ biến pháp luật; "
          "giáo dục pháp luật; tiếp cận pháp luật; hòa giải ở cơ sở; hộ tịch; chứng thực; "
          "trợ giúp pháp lý; kiểm tra văn bản; xử lý vi phạm hành chính", "TP", LEAD, _NC),
    _rule("thi hành án; thi hành án dân sự; án dân sự", "THADS", LEAD, _NC),
    # Cải cách hành chính
    _rule("cải cách hành chính; cán bộ, công chức; công chức, viên chức; công chức; viên chức; "
          "công vụ; kỷ luật, kỷ cương; kỷ cương; đào tạo, bồi dưỡng; tổ chức bộ máy; biên chế; "
          "thi đua, khen thưởng; quy hoạch cán bộ", "NV", LEAD, _CCHC),
    _rule("thủ tục hành chính; một cửa; dịch vụ công trực tuyến", "TTHCC", LEAD, _CCHC),
    _rule("cải cách hành chính; dịch vụ hành chính công; hành chính công", "TTHCC", SUPPORT,
          _CCHC),
    _rule("địa giới hành chính", "NV", SUPPORT, None),
    # Wards: the whole level ("phường, xã" also matches "phường – xã"), or one ward by name
    _rule("phường, xã; xã, phường; các phường; cấp xã", tuple(WARD_CODES), SUPPORT, None),
    *[_rule(unit.name, unit.code, SUPPORT, None) for unit in UNITS if unit.kind == WARD],
]


def _fold(text: str) -> str:
    """Lowercase ASCII form used for matching: "Phường – Xã" → "phuong - xa"."""
    return fold(text)


@lru_cache(maxsize=4096)
def _keyword_pattern(keyword: str) -> re.Pattern[str] | None:
    tokens = re.findall(r"[a-z0-9]+", _fold(keyword))
    if not tokens:
        return None
    body = r"[^a-z0-9]{1,4}".join(re.escape(token) for token in tokens)
    return re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])")


@dataclass
class _RuleHits:
    index: int
    rule: RuleSpec
    count: int = 0
    first: int = 1 << 30
    first_end: int = 0  # end of the first hit in the text, to show the words that matched


def _rank_key(hits: _RuleHits) -> tuple[int, int, int]:
    # Most keyword occurrences first; on a tie the rule the text mentions first; then table order.
    return (-hits.count, hits.first, hits.index)


def propose_units(text: str, rules: list[RuleSpec]) -> tuple[str | None, list[str], list[str]]:
    """Propose (field, lead unit codes, support unit codes) for one directive's text.

    The lead comes from the lead rule the text mentions most often (ties: the one mentioned
    first), at most MAX_LEAD_UNITS units; every other matched rule's units become support.
    With no lead rule matched the lead is FALLBACK_LEAD_UNIT (VP) for the secretariat to triage.
    The field is that of the best lead rule carrying one, else of the best support rule; None
    when nothing matched, so a sub-item can fall back to its parent's field.
    """
    field, leads, supports, _ = _propose(text, rules)
    return field, leads, supports


def _rule_hits(text: str, rules: list[RuleSpec]) -> list[_RuleHits]:
    """Matched rules with their keyword counts, best first."""
    folded = _fold(text)
    spans: list[tuple[int, int, int]] = []  # (start, end, rule index)
    for index, rule in enumerate(rules):
        for keyword in rule.keywords:
            pattern = _keyword_pattern(keyword)
            if pattern is not None:
                spans.extend((m.start(), m.end(), index) for m in pattern.finditer(folded))
    # A hit strictly inside a longer hit is the less specific reading of the same words.
    kept = sorted(
        (start, end, index)
        for start, end, index in spans
        if not any(s <= start and end <= e and (e - s) > (end - start) for s, e, _ in spans)
    )
    by_rule: dict[int, _RuleHits] = {}
    occupied: dict[int, list[tuple[int, int]]] = {}
    for start, end, index in kept:
        taken = occupied.setdefault(index, [])
        if any(s < end and start < e for s, e in taken):  # overlapping keywords of one rule
            continue
        taken.append((start, end))
        hits = by_rule.setdefault(index, _RuleHits(index, rules[index]))
        hits.count += 1
        if start < hits.first:
            hits.first, hits.first_end = start, end
    return sorted(by_rule.values(), key=_rank_key)


rule_hits = _rule_hits
RuleHit = _RuleHits


_HEADING_FIELDS = [
    ("chi_dao", ("chi dao dieu hanh", "chi dao, dieu hanh")),
    ("cai_cach_hanh_chinh", ("cai cach hanh chinh", "noi vu", "xay dung chinh quyen",
                             "to chuc bo may", "chuyen doi so")),
    ("noi_chinh", ("noi chinh", "quoc phong", "an ninh", "tu phap", "thanh tra",
                   "phong, chong tham nhung")),
    ("xay_dung_do_thi", ("xay dung co ban", "do thi", "giai phong mat bang", "tai nguyen",
                         "moi truong", "dat dai", "quy hoach", "ha tang", "dau tu cong")),
    ("van_hoa_xa_hoi", ("van hoa", "xa hoi", "giao duc", "y te", "lao dong", "an sinh")),
    ("kinh_te", ("kinh te", "nong nghiep", "cong nghiep", "thuong mai", "tai chinh",
                 "ngan sach", "dich vu")),
]


def field_of_heading(text: str | None) -> str | None:
    """The field a heading that groups tasks names ("LĨNH VỰC VĂN HÓA - XÃ HỘI"), if any.

    The field named first wins ("kinh tế - xã hội" is economy).
    """
    if not text or len(text) > 120:
        return None
    folded = _fold(text)
    best: tuple[int, str] | None = None
    for code, words in _HEADING_FIELDS:
        for word in words:
            found = re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", folded)
            if found and (best is None or found.start() < best[0]):
                best = (found.start(), code)
    return best[1] if best else None


def _propose(
    text: str, rules: list[RuleSpec]
) -> tuple[str | None, list[str], list[str], bool]:
    ranked = _rule_hits(text, rules)
    best_lead = next((h for h in ranked if h.rule.role == LEAD and h.rule.unit_codes), None)
    lead_units: list[str] = []
    support_units: list[str] = []
    if best_lead is not None:
        codes = list(dict.fromkeys(best_lead.rule.unit_codes))
        lead_units, support_units = codes[:MAX_LEAD_UNITS], codes[MAX_LEAD_UNITS:]
    for hits in ranked:
        if hits is not best_lead:
            support_units.extend(hits.rule.unit_codes)
    if not lead_units:
        lead_units = [FALLBACK_LEAD_UNIT]
    support_units = [code for code in dict.fromkeys(support_units) if code not in lead_units]
    if best_lead is not None and best_lead.rule.field:
        field = best_lead.rule.field
    else:
        field = next((h.rule.field for h in ranked if h.rule.field), None)
    return field, lead_units, support_units, best_lead is not None

