"""The units of Trà Vinh city: demo data and the codes the importer's rules refer to."""

from __future__ import annotations

from dataclasses import dataclass

LEADERSHIP = "leadership"
DEPARTMENT = "department"
WARD = "ward"

UNIT_KINDS: dict[str, str] = {
    LEADERSHIP: "Lãnh đạo UBND",
    DEPARTMENT: "Phòng ban, cơ quan",
    WARD: "Phường, xã",
}


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    email: str


def _mail(code: str) -> str:
    return f"{code.lower()}@travinh.example.vn"


_DEPARTMENTS = [
    ("VP", "Văn phòng HĐND và UBND thành phố"),
    ("NV", "Phòng Nội vụ"),
    ("TP", "Phòng Tư pháp"),
    ("TCKH", "Phòng Tài chính - Kế hoạch"),
    ("TNMT", "Phòng Tài nguyên và Môi trường"),
    ("LDTBXH", "Phòng Lao động - Thương binh và Xã hội"),
    ("VHTT", "Phòng Văn hóa và Thông tin"),
    ("GDDT", "Phòng Giáo dục và Đào tạo"),
    ("YT", "Phòng Y tế"),
    ("KT", "Phòng Kinh tế"),
    ("QLDT", "Phòng Quản lý đô thị"),
    ("DT", "Phòng Dân tộc"),
    ("TTRA", "Thanh tra thành phố"),
    ("CA", "Công an thành phố"),
    ("BCHQS", "Ban Chỉ huy Quân sự thành phố"),
    ("CCT", "Chi cục Thuế"),
    ("THADS", "Chi cục Thi hành án dân sự"),
    ("TTYT", "Trung tâm Y tế"),
    ("TTHCC", "Trung tâm Hành chính công"),
    ("BQLDA", "Ban Quản lý dự án đầu tư xây dựng"),
]

_WARDS = [(f"P{i}", f"Phường {i}") for i in range(1, 10)] + [("XLD", "Xã Long Đức")]

UNITS: list[UnitSpec] = (
    [UnitSpec("LDUB", "Lãnh đạo UBND thành phố", LEADERSHIP, _mail("ldub"))]
    + [UnitSpec(code, name, DEPARTMENT, _mail(code)) for code, name in _DEPARTMENTS]
    + [UnitSpec(code, name, WARD, _mail(code)) for code, name in _WARDS]
)

WARD_CODES: list[str] = [code for code, _ in _WARDS]
