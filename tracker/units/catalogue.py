"""The units of Trà Vinh city in 2023 (the city-2023 profile and the demo), and the codes the
importer's default rules refer to. Other profiles' catalogues: tracker/organization/profiles.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.units.kinds import (
    CLASS_LABELS,
    CLASS_OF_TYPE,
    DEPARTMENT,
    LANH_DAO,
    LEADERSHIP,
    NGANH_DOC,
    PHONG,
    PHUONG,
    SU_NGHIEP,
    WARD,
    XA,
)

__all__ = ["DEPARTMENT", "LEADERSHIP", "UNITS", "UNIT_KINDS", "WARD", "WARD_CODES", "UnitSpec"]

# The coarse classes with their labels (tracker/units/kinds.py has the typed kinds).
UNIT_KINDS: dict[str, str] = CLASS_LABELS


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str  # the coarse class (leadership / department / ward)
    email: str
    unit_type: str = ""  # the typed kind; empty: read from the class and the name
    parent: str | None = None  # parent unit's code


def _mail(code: str) -> str:
    return f"{code.lower()}@travinh.example.vn"


_DEPARTMENTS = [
    ("VP", "Văn phòng HĐND và UBND thành phố", PHONG),
    ("NV", "Phòng Nội vụ", PHONG),
    ("TP", "Phòng Tư pháp", PHONG),
    ("TCKH", "Phòng Tài chính - Kế hoạch", PHONG),
    ("TNMT", "Phòng Tài nguyên và Môi trường", PHONG),
    ("LDTBXH", "Phòng Lao động - Thương binh và Xã hội", PHONG),
    ("VHTT", "Phòng Văn hóa và Thông tin", PHONG),
    ("GDDT", "Phòng Giáo dục và Đào tạo", PHONG),
    ("YT", "Phòng Y tế", PHONG),
    ("KT", "Phòng Kinh tế", PHONG),
    ("QLDT", "Phòng Quản lý đô thị", PHONG),
    ("DT", "Phòng Dân tộc", PHONG),
    ("TTRA", "Thanh tra thành phố", PHONG),
    ("CA", "Công an thành phố", NGANH_DOC),
    ("BCHQS", "Ban Chỉ huy Quân sự thành phố", NGANH_DOC),
    ("CCT", "Chi cục Thuế", NGANH_DOC),
    ("THADS", "Chi cục Thi hành án dân sự", NGANH_DOC),
    ("TTYT", "Trung tâm Y tế", SU_NGHIEP),
    ("TTHCC", "Trung tâm Hành chính công", SU_NGHIEP),
    ("BQLDA", "Ban Quản lý dự án đầu tư xây dựng", SU_NGHIEP),
]

_WARDS = [(f"P{i}", f"Phường {i}", PHUONG) for i in range(1, 10)] + [("XLD", "Xã Long Đức", XA)]

UNITS: list[UnitSpec] = (
    [UnitSpec("LDUB", "Lãnh đạo UBND thành phố", LEADERSHIP, _mail("ldub"), LANH_DAO)]
    + [UnitSpec(code, name, CLASS_OF_TYPE[t], _mail(code), t) for code, name, t in _DEPARTMENTS]
    + [UnitSpec(code, name, CLASS_OF_TYPE[t], _mail(code), t) for code, name, t in _WARDS]
)

WARD_CODES: list[str] = [code for code, _, _ in _WARDS]
assert all(spec.kind in (LEADERSHIP, DEPARTMENT, WARD) for spec in UNITS)  # noqa: S101
