"""Ready profiles: the shape of an organization (level, wording, units, report fields, routing
rules) for `flask init-organization --profile NAME` and `flask seed-demo --profile NAME`.

- ``city-2023``: Trà Vinh city as it was in 2023 (today's demo, the default);
- ``province-2025``: a province after 1/7/2025, its sở/ngành and its ~120 communes and wards
  (grouped under the former districts, which ended on 1/7/2025, for reading old data);
- ``commune-2025``: a ward or commune after 1/7/2025 with its phòng (NĐ 150/2025, NĐ
  370/2025), Công an and Ban Chỉ huy Quân sự, and officers as assignees.

Plain data only; tracker/organization/setup.py writes a profile into the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from unidecode import unidecode

from tracker.organization import defaults
from tracker.organization.services import OrgInfo
from tracker.units import kinds
from tracker.units.catalogue import UNITS as CITY_UNITS

REFORM_DAY = dt.date(2025, 7, 1)


@dataclass(frozen=True)
class UnitDef:
    code: str
    name: str
    unit_type: str
    parent: str | None = None
    valid_from: dt.date | None = None
    ended_on: dt.date | None = None


@dataclass(frozen=True)
class RuleDef:
    """A routing rule: keywords ("a; b") propose units (lead/support) and a field."""

    keywords: str
    units: tuple[str, ...]
    role: str
    field: str | None


@dataclass(frozen=True)
class Profile:
    key: str
    label: str
    level: str
    default_name: str
    default_place: str
    signer_name: str
    fields: list[tuple[str, str]]
    units: Callable[[str], list[UnitDef]]  # from the organization's name
    rules: Callable[[str], list[RuleDef]] | None  # None: the importer's built-in rules
    officer_assignees: bool = False
    mail_domain: str = "example.vn"
    signer_title: str = defaults.SIGNER_TITLE
    notes: list[str] = field(default_factory=list)

    def org_info(self, name: str | None = None, place: str | None = None,
                 signer_name: str | None = None) -> OrgInfo:
        """The organization this profile describes, named ``name`` (not stored)."""
        name = " ".join((name or self.default_name).split())
        return OrgInfo(
            profile=self.key,
            level=self.level,
            name=name,
            short_name=defaults.short_name(name),
            header_parent=defaults.HEADER_PARENT,
            header_name=defaults.header_name(name),
            place=place or (self.default_place if name == self.default_name
                            else defaults.place_of(name)),
            signer_capacity=defaults.SIGNER_CAPACITY,
            signer_title=self.signer_title,
            signer_name=self.signer_name if signer_name is None else signer_name,
            number_series=defaults.NUMBER_SERIES,
            recipients=tuple(defaults.default_recipients(self.level, name)),
            fields=tuple(self.fields),
            officer_assignees=self.officer_assignees,
        )


def code_of(name: str, prefix: str = "") -> str:
    """An ASCII code from a name: "Xã Cái Nhum" → "X-CAINHUM" (max 20 characters)."""
    letters = "".join(ch for ch in unidecode(name).upper() if ch.isalnum())
    return (prefix + letters)[:20]


# --- city-2023 -------------------------------------------------------------------------------


def _city_units(_name: str) -> list[UnitDef]:
    return [UnitDef(u.code, u.name, u.unit_type) for u in CITY_UNITS]


# --- province-2025 ---------------------------------------------------------------------------

_PROVINCE_OFFICES: list[tuple[str, str, str]] = [
    ("LDUBT", "Lãnh đạo UBND tỉnh", kinds.LANH_DAO),
    ("VPUBT", "Văn phòng UBND tỉnh", kinds.SO_NGANH),
    ("SNV", "Sở Nội vụ", kinds.SO_NGANH),
    ("STP", "Sở Tư pháp", kinds.SO_NGANH),
    ("STC", "Sở Tài chính", kinds.SO_NGANH),
    ("SCT", "Sở Công Thương", kinds.SO_NGANH),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", kinds.SO_NGANH),
    ("SXD", "Sở Xây dựng", kinds.SO_NGANH),
    ("SKHCN", "Sở Khoa học và Công nghệ", kinds.SO_NGANH),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", kinds.SO_NGANH),
    ("SGDDT", "Sở Giáo dục và Đào tạo", kinds.SO_NGANH),
    ("SYT", "Sở Y tế", kinds.SO_NGANH),
    ("SDTTG", "Sở Dân tộc và Tôn giáo", kinds.SO_NGANH),
    ("TTRT", "Thanh tra tỉnh", kinds.SO_NGANH),
    ("CAT", "Công an tỉnh", kinds.NGANH_DOC),
    ("BCHQST", "Bộ Chỉ huy Quân sự tỉnh", kinds.NGANH_DOC),
    ("THUET", "Thuế tỉnh", kinds.NGANH_DOC),
    ("BHXHT", "Bảo hiểm xã hội tỉnh", kinds.NGANH_DOC),
    ("TTPVHCC", "Trung tâm Phục vụ hành chính công tỉnh", kinds.SU_NGHIEP),
    ("BQLDAT", "Ban Quản lý dự án đầu tư xây dựng tỉnh", kinds.SU_NGHIEP),
]

# Former districts (ended on 1/7/2025) and the communes and wards formed in their area. The
# names are those of the demo: a real province loads its own list through the .xlsx onboarding.
_FORMER_DISTRICTS: list[tuple[str, list[str], list[str]]] = [
    ("Thành phố Vĩnh Long", ["Thanh Đức", "Long Châu", "Phước Hậu", "Tân Hạnh", "Tân Ngãi"], []),
    ("Huyện Long Hồ", [], ["Long Hồ", "Phú Quới", "An Bình", "Phước Hậu Tây", "Lộc Hòa"]),
    ("Huyện Mang Thít", [], ["Cái Nhum", "Tân Long Hội", "Nhơn Phú", "Bình Phước",
                             "Mỹ An"]),
    ("Huyện Vũng Liêm", [], ["Vũng Liêm", "Quới Thiện", "Trung Thành", "Trung Ngãi",
                             "Quới An", "Trung Hiệp", "Hiếu Phụng", "Hiếu Thành"]),
    ("Huyện Tam Bình", [], ["Tam Bình", "Song Phú", "Cái Ngang", "Ngãi Tứ", "Hòa Hiệp",
                            "Long Phú"]),
    ("Huyện Trà Ôn", [], ["Trà Ôn", "Lục Sĩ Thành", "Trà Côn", "Vĩnh Xuân", "Hòa Bình",
                          "Thới Hòa"]),
    ("Huyện Bình Tân", [], ["Tân Quới", "Tân Lược", "Mỹ Thuận", "Tân Bình"]),
    ("Thị xã Bình Minh", ["Bình Minh", "Cái Vồn", "Đông Thành"], ["Đông Bình"]),
    ("Thành phố Trà Vinh", ["Trà Vinh", "Long Đức", "Nguyệt Hóa"], []),
    ("Huyện Càng Long", [], ["Càng Long", "An Trường", "Tân An", "Nhị Long", "Bình Phú",
                             "Đại Phước"]),
    ("Huyện Châu Thành", [], ["Châu Thành", "Song Lộc", "Hưng Mỹ", "Hòa Minh", "Long Hòa",
                              "Lương Hòa A"]),
    ("Huyện Cầu Kè", [], ["Cầu Kè", "Phong Thạnh", "An Phú Tân", "Tam Ngãi", "Tân Hòa"]),
    ("Huyện Tiểu Cần", [], ["Tiểu Cần", "Hùng Hòa", "Tập Ngãi", "Tân Hùng"]),
    ("Huyện Cầu Ngang", [], ["Cầu Ngang", "Mỹ Long", "Vinh Kim", "Nhị Trường", "Hiệp Mỹ",
                             "Long Sơn"]),
    ("Huyện Trà Cú", [], ["Trà Cú", "Đại An", "Hàm Giang", "Lưu Nghiệp Anh", "Tập Sơn",
                          "Long Hiệp", "Ngãi Xuyên"]),
    ("Thị xã Duyên Hải", ["Duyên Hải", "Trường Long Hòa"], ["Long Vĩnh", "Đông Hải",
                                                          "Long Thành"]),
    ("Thành phố Bến Tre", ["An Hội", "Phú Khương", "Bến Tre", "Sơn Đông", "Phú Tân"], []),
    ("Huyện Mỏ Cày Nam", ["Hòa Thuận"], ["Mỏ Cày", "Thành Thới", "An Định", "Hương Mỹ",
                                          "Cẩm Sơn"]),
    ("Huyện Mỏ Cày Bắc", [], ["Phước Mỹ Trung", "Tân Thành Bình", "Nhuận Phú Tân",
                              "Thạnh Ngãi"]),
    ("Huyện Chợ Lách", [], ["Chợ Lách", "Phú Phụng", "Vĩnh Thành", "Hưng Khánh Trung"]),
    ("Huyện Giồng Trôm", [], ["Giồng Trôm", "Phước Long", "Tân Hào", "Lương Hòa", "Châu Hòa",
                              "Hưng Nhượng"]),
    ("Huyện Bình Đại", [], ["Bình Đại", "Lộc Thuận", "Châu Hưng", "Thới Thuận",
                            "Thạnh Phước"]),
    ("Huyện Ba Tri", [], ["Ba Tri", "Tân Xuân", "Mỹ Chánh Hòa", "An Ngãi Trung", "Tân Thủy",
                          "Bảo Thạnh"]),
    ("Huyện Thạnh Phú", [], ["Thạnh Phú", "Đại Điền", "Quới Điền", "An Qui", "Thạnh Hải",
                             "Giao Thạnh"]),
]


def _province_units(_name: str) -> list[UnitDef]:
    units = [UnitDef(code, name, kind) for code, name, kind in _PROVINCE_OFFICES]
    for district, wards, communes in _FORMER_DISTRICTS:
        dcode = code_of(district, "H")
        units.append(UnitDef(dcode, f"{district} (cũ)", kinds.HUYEN, ended_on=REFORM_DAY))
        for ward in wards:
            units.append(UnitDef(code_of(ward, "P"), f"Phường {ward}", kinds.PHUONG, dcode,
                                 valid_from=REFORM_DAY))
        for commune in communes:
            units.append(UnitDef(code_of(commune, "X"), f"Xã {commune}", kinds.XA, dcode,
                                 valid_from=REFORM_DAY))
    return units


def _local_codes(units: list[UnitDef]) -> tuple[str, ...]:
    local = kinds.UNIT_GROUPS[kinds.LOCAL_GROUP][1]
    return tuple(u.code for u in units if u.unit_type in local)


def _province_rules(name: str) -> list[RuleDef]:
    lead, support = "lead", "support"
    return [
        RuleDef("chỉ đạo điều hành; chương trình công tác; chế độ báo cáo; tổng hợp báo cáo",
                ("VPUBT",), lead, "chi_dao"),
        RuleDef("chính quyền địa phương hai cấp; chính quyền hai cấp; sắp xếp đơn vị hành "
                "chính; sắp xếp tổ chức bộ máy; trụ sở dôi dư", ("SNV",), lead,
                "chinh_quyen_hai_cap"),
        RuleDef("cán bộ, công chức; công chức, viên chức; biên chế; thi đua, khen thưởng; "
                "tổ chức bộ máy", ("SNV",), lead, "cai_cach_hanh_chinh"),
        RuleDef("cải cách hành chính; thủ tục hành chính; dịch vụ công trực tuyến; một cửa; "
                "chuyển đổi số; đề án 06", ("TTPVHCC",), lead, "cai_cach_hanh_chinh"),
        RuleDef("ngân sách; dự toán; thu ngân sách; chi ngân sách; tài chính; kinh tế - xã "
                "hội; tăng trưởng; GRDP; doanh nghiệp; đầu tư công; giải ngân", ("STC",), lead,
                "kinh_te"),
        RuleDef("thuế; thu nợ thuế; hóa đơn điện tử", ("THUET",), support, "kinh_te"),
        RuleDef("công nghiệp; thương mại; xuất khẩu; thị trường; điện; năng lượng",
                ("SCT",), lead, "kinh_te"),
        RuleDef("nông nghiệp; thủy sản; thủy lợi; nông thôn mới; OCOP; xâm nhập mặn; thiên "
                "tai; đất đai; môi trường; tài nguyên; khoáng sản", ("SNNMT",), lead,
                "xay_dung_do_thi"),
        RuleDef("xây dựng; quy hoạch; giao thông; hạ tầng; nhà ở xã hội; đô thị", ("SXD",),
                lead, "xay_dung_do_thi"),
        RuleDef("dự án đầu tư xây dựng; công trình trọng điểm; thi công", ("BQLDAT",), support,
                "xay_dung_do_thi"),
        RuleDef("khoa học công nghệ; khoa học và công nghệ; đổi mới sáng tạo", ("SKHCN",), lead,
                "kinh_te"),
        RuleDef("giáo dục; học sinh; giáo viên; năm học; tuyển sinh", ("SGDDT",), lead,
                "van_hoa_xa_hoi"),
        RuleDef("y tế; dịch bệnh; khám, chữa bệnh; tiêm chủng; an toàn thực phẩm",
                ("SYT",), lead, "van_hoa_xa_hoi"),
        RuleDef("bảo hiểm xã hội; bảo hiểm y tế", ("BHXHT",), support, "van_hoa_xa_hoi"),
        RuleDef("văn hóa; thể thao; du lịch; lễ hội; di tích", ("SVHTTDL",), lead,
                "van_hoa_xa_hoi"),
        RuleDef("người có công; lao động; việc làm; giảm nghèo; bảo trợ xã hội; an sinh xã "
                "hội", ("SNV",), lead, "van_hoa_xa_hoi"),
        RuleDef("dân tộc; tôn giáo; đồng bào dân tộc thiểu số; Khmer", ("SDTTG",), lead,
                "van_hoa_xa_hoi"),
        RuleDef("an ninh; trật tự an toàn xã hội; tội phạm; ma túy; an toàn giao thông; "
                "phòng cháy chữa cháy", ("CAT",), lead, "noi_chinh"),
        RuleDef("quân sự; quốc phòng; tuyển quân; dân quân; diễn tập", ("BCHQST",), lead,
                "noi_chinh"),
        RuleDef("thanh tra; khiếu nại; tố cáo; tiếp công dân; tham nhũng", ("TTRT",), lead,
                "noi_chinh"),
        RuleDef("pháp luật; văn bản quy phạm pháp luật; hộ tịch; trợ giúp pháp lý", ("STP",),
                lead, "noi_chinh"),
        # The communes and wards as a group: "các xã, phường" goes to all of them.
        RuleDef("các xã, phường; xã, phường, đặc khu; cấp xã; chính quyền cấp xã; UBND cấp xã",
                _local_codes(_province_units(name)), support, None),
    ]


# --- commune-2025 ----------------------------------------------------------------------------


def _commune_units(name: str) -> list[UnitDef]:
    word = defaults.local_word(name)
    economy = ("Phòng Kinh tế - Hạ tầng - Đô thị" if word in ("phường", "đặc khu")
               else "Phòng Kinh tế")
    return [
        UnitDef("LDUB", f"Lãnh đạo UBND {word}", kinds.LANH_DAO),
        UnitDef("VP", "Văn phòng HĐND và UBND", kinds.PHONG),
        UnitDef("KT", economy, kinds.PHONG),
        UnitDef("VHXH", "Phòng Văn hóa - Xã hội", kinds.PHONG),
        UnitDef("TTPVHCC", "Trung tâm Phục vụ hành chính công", kinds.SU_NGHIEP),
        UnitDef("CA", f"Công an {word}", kinds.NGANH_DOC),
        UnitDef("BCHQS", f"Ban Chỉ huy Quân sự {word}", kinds.NGANH_DOC),
    ]


def _commune_rules(_name: str) -> list[RuleDef]:
    lead = "lead"
    return [
        RuleDef("chỉ đạo điều hành; chương trình công tác; tổng hợp báo cáo; chế độ báo cáo",
                ("VP",), lead, "chi_dao"),
        RuleDef("nội vụ; cán bộ, công chức; thi đua, khen thưởng; tư pháp; hộ tịch; chứng "
                "thực; hòa giải ở cơ sở; phổ biến giáo dục pháp luật; tiếp công dân; khiếu nại; "
                "tố cáo", ("VP",), lead, "noi_chinh"),
        RuleDef("ngân sách; thu ngân sách; dự toán; tài chính; kinh tế; nông nghiệp; thủy "
                "sản; chăn nuôi; trồng trọt; OCOP; hộ kinh doanh; doanh nghiệp; thương mại",
                ("KT",), lead, "kinh_te"),
        RuleDef("quy hoạch; xây dựng; trật tự xây dựng; đô thị; giao thông; hạ tầng; đất đai; "
                "môi trường; rác thải; vệ sinh môi trường; đầu tư công; giải ngân",
                ("KT",), lead, "xay_dung_do_thi"),
        RuleDef("văn hóa; thể thao; du lịch; thông tin; giáo dục; học sinh; y tế; dịch bệnh; "
                "tiêm chủng; người có công; lao động; việc làm; giảm nghèo; bảo trợ xã hội; "
                "bảo hiểm y tế; trẻ em; dân tộc; tôn giáo", ("VHXH",), lead, "van_hoa_xa_hoi"),
        RuleDef("thủ tục hành chính; một cửa; dịch vụ công trực tuyến; hồ sơ trực tuyến; "
                "phục vụ hành chính công", ("TTPVHCC",), lead, "cai_cach_hanh_chinh"),
        RuleDef("cải cách hành chính; chuyển đổi số; đề án 06", ("VP",), lead,
                "cai_cach_hanh_chinh"),
        RuleDef("an ninh; trật tự; an toàn xã hội; tội phạm; ma túy; an toàn giao thông; "
                "phòng cháy chữa cháy; cư trú; căn cước", ("CA",), lead, "quoc_phong_an_ninh"),
        RuleDef("quân sự; quốc phòng; tuyển quân; nghĩa vụ quân sự; dân quân; diễn tập",
                ("BCHQS",), lead, "quoc_phong_an_ninh"),
    ]


PROFILES: dict[str, Profile] = {
    "city-2023": Profile(
        key="city-2023",
        label="Thành phố thuộc tỉnh (trước 1/7/2025): UBND thành phố Trà Vinh, năm 2023",
        level=defaults.DISTRICT,
        default_name="Thành phố Trà Vinh",
        default_place="Trà Vinh",
        signer_name="Nguyễn Văn Tâm",
        fields=defaults.CITY_FIELDS,
        units=_city_units,
        rules=None,
        mail_domain="travinh.example.vn",
    ),
    "province-2025": Profile(
        key="province-2025",
        label="Tỉnh, thành phố trực thuộc trung ương (từ 1/7/2025)",
        level=defaults.PROVINCE,
        default_name="Tỉnh Vĩnh Long",
        default_place="Vĩnh Long",
        signer_name="Trần Quốc Khánh",
        fields=defaults.PROVINCE_FIELDS,
        units=_province_units,
        rules=_province_rules,
        mail_domain="vinhlong.example.vn",
    ),
    "commune-2025": Profile(
        key="commune-2025",
        label="Xã, phường, đặc khu (từ 1/7/2025)",
        level=defaults.COMMUNE,
        default_name="Phường Trà Vinh",
        default_place="Trà Vinh",
        signer_name="Thạch Thị Sô Phal",
        fields=defaults.COMMUNE_FIELDS,
        units=_commune_units,
        rules=_commune_rules,
        officer_assignees=True,
        mail_domain="phuongtravinh.example.vn",
    ),
}
DEFAULT_PROFILE = "city-2023"
