"""Levels of local government and the wording a level and a name imply (header, short name,
place, recipients, the report's fields), used when an organization is set up or its header
fields are left blank."""

from __future__ import annotations

import re

PROVINCE = "province"
COMMUNE = "commune"
DISTRICT = "district"

LEVELS: dict[str, str] = {
    PROVINCE: "Tỉnh, thành phố trực thuộc trung ương",
    COMMUNE: "Xã, phường, đặc khu",
    DISTRICT: "Huyện, thị xã, thành phố thuộc tỉnh (trước 1/7/2025)",
}

# The field codes the importer's parser proposes from a report's headings: every organization
# keeps them (their labels and order are its own) so an imported task always has a valid field.
CORE_FIELDS = (
    "chi_dao", "kinh_te", "xay_dung_do_thi", "van_hoa_xa_hoi", "noi_chinh", "cai_cach_hanh_chinh",
)

CITY_FIELDS: list[tuple[str, str]] = [
    ("chi_dao", "Công tác chỉ đạo điều hành"),
    ("kinh_te", "Lĩnh vực Kinh tế"),
    ("xay_dung_do_thi", "Công tác xây dựng cơ bản, giải phóng mặt bằng và quản lý đô thị"),
    ("van_hoa_xa_hoi", "Khối Văn hóa - xã hội"),
    ("noi_chinh", "Công tác nội chính"),
    ("cai_cach_hanh_chinh", "Công tác cải cách hành chính"),
]

PROVINCE_FIELDS: list[tuple[str, str]] = [
    ("chi_dao", "Công tác chỉ đạo, điều hành"),
    ("kinh_te", "Phát triển kinh tế, tài chính - ngân sách"),
    ("xay_dung_do_thi", "Đầu tư công, kết cấu hạ tầng, đất đai và môi trường"),
    ("van_hoa_xa_hoi", "Văn hóa - xã hội"),
    ("noi_chinh", "Quốc phòng, an ninh và nội chính"),
    ("cai_cach_hanh_chinh", "Xây dựng chính quyền, cải cách hành chính, chuyển đổi số"),
    ("chinh_quyen_hai_cap", "Vận hành chính quyền địa phương hai cấp"),
]

# A commune's report follows the areas NĐ 315/2025/NĐ-CP (model working rules of the commune
# People's Committee) divides between the Chủ tịch and the Phó Chủ tịch, which are also the
# areas of the commune's phòng under NĐ 150/2025 and NĐ 370/2025.
COMMUNE_FIELDS: list[tuple[str, str]] = [
    ("chi_dao", "Công tác chỉ đạo, điều hành"),
    ("kinh_te", "Kinh tế, tài chính - ngân sách, nông nghiệp"),
    ("xay_dung_do_thi", "Quy hoạch, xây dựng, hạ tầng, đất đai và môi trường"),
    ("van_hoa_xa_hoi", "Văn hóa - xã hội, giáo dục, y tế, an sinh xã hội"),
    ("quoc_phong_an_ninh", "Quốc phòng, an ninh, trật tự an toàn xã hội"),
    ("noi_chinh", "Nội vụ, tư pháp, tiếp công dân, giải quyết khiếu nại, tố cáo"),
    ("cai_cach_hanh_chinh", "Cải cách hành chính, chuyển đổi số, phục vụ hành chính công"),
]

FIELDS_OF_LEVEL = {PROVINCE: PROVINCE_FIELDS, COMMUNE: COMMUNE_FIELDS, DISTRICT: CITY_FIELDS}

HEADER_PARENT = "ỦY BAN NHÂN DÂN"
SIGNER_CAPACITY = "TM. ỦY BAN NHÂN DÂN"
SIGNER_TITLE = "CHỦ TỊCH"
NUMBER_SERIES = "BC-UBND"

# Level words a name starts with, longest first; written lower-case inside a sentence.
_LEVEL_WORDS = ("thành phố", "đặc khu", "thị trấn", "thị xã", "phường", "huyện", "tỉnh", "xã")


def split_level_word(name: str) -> tuple[str, str]:
    """("Tỉnh", "Vĩnh Long") for "Tỉnh Vĩnh Long"; ("", name) when no level word leads."""
    name = " ".join(name.split())
    lowered = name.lower()
    for word in _LEVEL_WORDS:
        if lowered.startswith(word + " "):
            return name[: len(word)], name[len(word) + 1 :]
    return "", name


def short_name(name: str) -> str:
    """"UBND tỉnh Vĩnh Long", "UBND phường Trà Vinh", "UBND Phường 1" (a numbered name keeps
    its capital: it is the name itself)."""
    word, rest = split_level_word(name)
    if not word:
        return f"UBND {name}".strip()
    if re.match(r"\d", rest):
        return f"UBND {word} {rest}"
    return f"UBND {word.lower()} {rest}"


def header_name(name: str) -> str:
    return " ".join(name.split()).upper()


def place_of(name: str) -> str:
    """The place name of the date line: "Vĩnh Long" for "Tỉnh Vĩnh Long"."""
    word, rest = split_level_word(name)
    return rest if word and not re.match(r"\d", rest) else " ".join(name.split())


def name_from_header(header: str) -> str:
    """"Tỉnh Vĩnh Long" from "TỈNH VĨNH LONG", "Thành phố Trà Vinh" from "THÀNH PHỐ TRÀ VINH"."""
    text = " ".join(header.split())
    if not text.isupper():
        return text
    word, rest = split_level_word(text.title())
    return f"{word.capitalize()} {rest}" if word else text.title()


def level_of_name(name: str, default: str) -> str:
    """The level a name's leading word says, when it says one without doubt."""
    word, _ = split_level_word(name)
    word = word.lower()
    if word == "tỉnh":
        return PROVINCE
    if word in ("xã", "phường", "đặc khu", "thị trấn"):
        return COMMUNE
    if word in ("huyện", "thị xã"):
        return DISTRICT
    return default


def local_word(name: str) -> str:
    """"xã", "phường" or "đặc khu": how a commune-level organization calls itself."""
    word, _ = split_level_word(name)
    return word.lower() if word.lower() in ("xã", "phường", "đặc khu", "thị trấn") else "xã"


def default_recipients(level: str, name: str) -> list[str]:
    if level == PROVINCE:
        return [
            "Văn phòng Chính phủ",
            "Bộ Tài chính",
            "TT. Tỉnh ủy, TT. HĐND tỉnh",
            "CT, các PCT UBND tỉnh",
            "Các sở, ban, ngành tỉnh",
            "UBND các xã, phường, đặc khu",
            "LĐVP, các phòng nghiên cứu",
            "Lưu: VT",
        ]
    if level == COMMUNE:
        word = local_word(name)
        return [
            "UBND tỉnh",
            f"TT. Đảng ủy, TT. HĐND {word}",
            f"CT, các PCT UBND {word}",
            f"Các phòng, đơn vị thuộc UBND {word}",
            "Lưu: VT",
        ]
    return [
        "UBND tỉnh",
        "TT.TU- TT. HĐND.TP",
        "CT, PCT.UBND.TP",
        "Các phòng ban TP",
        "UBND phường xã",
        "BLĐ, khối NC.VP",
        "Lưu: VT",
    ]
