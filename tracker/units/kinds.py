"""Unit kinds: the typed kind (loại đơn vị) of every unit, and the coarse class other packages read.

Since 1/7/2025 a province UBND assigns work to its sở, ban, ngành and directly to its xã, phường
and đặc khu; a commune UBND to its phòng, its Trung tâm Phục vụ hành chính công, Công an and Ban
Chỉ huy Quân sự. The typed kind says which; scoreboards and lists filter by it.

The importer and the report read a coarser *class* (``Unit.kind``: leadership, department,
ward, district), which every typed kind maps to (``CLASS_OF_TYPE``): "các phường, xã" means the
units of class ward, whatever their exact kind.
"""

from __future__ import annotations

import re
from functools import lru_cache

from unidecode import unidecode

# --- the coarse class (Unit.kind), as the importer's groups and the report know it ----------
LEADERSHIP = "leadership"
DEPARTMENT = "department"
WARD = "ward"
DISTRICT = "district"

CLASS_LABELS: dict[str, str] = {
    LEADERSHIP: "Lãnh đạo UBND",
    DEPARTMENT: "Phòng ban, cơ quan",
    WARD: "Phường, xã",
    DISTRICT: "Huyện, thị xã, thành phố thuộc tỉnh",
}

# --- the typed kind (Unit.unit_type) --------------------------------------------------------
LANH_DAO = "lanh_dao"
SO_NGANH = "so_nganh"
PHONG = "phong"
SU_NGHIEP = "su_nghiep"
NGANH_DOC = "nganh_doc"
XA = "xa"
PHUONG = "phuong"
DAC_KHU = "dac_khu"
THI_TRAN = "thi_tran"
HUYEN = "huyen"

UNIT_TYPES: dict[str, str] = {
    LANH_DAO: "Lãnh đạo UBND",
    SO_NGANH: "Sở, ban, ngành",
    PHONG: "Phòng chuyên môn",
    SU_NGHIEP: "Đơn vị sự nghiệp",
    NGANH_DOC: "Cơ quan ngành dọc",
    XA: "Xã",
    PHUONG: "Phường",
    DAC_KHU: "Đặc khu",
    THI_TRAN: "Thị trấn (trước 1/7/2025)",
    HUYEN: "Huyện, thị xã, thành phố thuộc tỉnh (trước 1/7/2025)",
}
# Plural headings for lists grouped by kind.
TYPE_HEADINGS: dict[str, str] = {
    LANH_DAO: "Lãnh đạo UBND",
    SO_NGANH: "Sở, ban, ngành",
    PHONG: "Phòng chuyên môn",
    SU_NGHIEP: "Đơn vị sự nghiệp",
    NGANH_DOC: "Cơ quan ngành dọc",
    XA: "Các xã",
    PHUONG: "Các phường",
    DAC_KHU: "Các đặc khu",
    THI_TRAN: "Các thị trấn (trước 1/7/2025)",
    HUYEN: "Huyện, thị xã, thành phố (trước 1/7/2025)",
}

CLASS_OF_TYPE: dict[str, str] = {
    LANH_DAO: LEADERSHIP,
    SO_NGANH: DEPARTMENT,
    PHONG: DEPARTMENT,
    SU_NGHIEP: DEPARTMENT,
    NGANH_DOC: DEPARTMENT,
    XA: WARD,
    PHUONG: WARD,
    DAC_KHU: WARD,
    THI_TRAN: WARD,
    HUYEN: DISTRICT,
}
assert set(CLASS_OF_TYPE) == set(UNIT_TYPES)  # noqa: S101 - import-time guard

# --- groups for filters and scoreboards ("Các xã, phường", "Sở, ban, ngành") ----------------
LOCAL_GROUP = "xa_phuong"
UNIT_GROUPS: dict[str, tuple[str, frozenset[str]]] = {
    LOCAL_GROUP: ("Các xã, phường, đặc khu", frozenset({XA, PHUONG, DAC_KHU, THI_TRAN})),
    SO_NGANH: ("Sở, ban, ngành", frozenset({SO_NGANH})),
    PHONG: ("Phòng chuyên môn", frozenset({PHONG})),
    SU_NGHIEP: ("Đơn vị sự nghiệp", frozenset({SU_NGHIEP})),
    NGANH_DOC: ("Cơ quan ngành dọc", frozenset({NGANH_DOC})),
    HUYEN: ("Huyện, thị xã, thành phố (trước 1/7/2025)", frozenset({HUYEN})),
    LANH_DAO: ("Lãnh đạo UBND", frozenset({LANH_DAO})),
}
GROUP_OF_TYPE: dict[str, str] = {t: g for g, (_, types) in UNIT_GROUPS.items() for t in types}


def class_of(unit_type: str) -> str:
    return CLASS_OF_TYPE.get(unit_type, DEPARTMENT)


def group_label(group: str) -> str:
    return UNIT_GROUPS[group][0] if group in UNIT_GROUPS else group


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", unidecode(text or "").lower()).strip()


# Name heads (folded) that tell the kind, most specific first.
_HEADS: list[tuple[str, str]] = [
    ("lanh dao", LANH_DAO),
    ("uy ban nhan dan phuong", PHUONG),
    ("uy ban nhan dan xa", XA),
    ("ubnd phuong", PHUONG),
    ("ubnd xa", XA),
    ("dac khu", DAC_KHU),
    ("thi tran", THI_TRAN),
    ("phuong", PHUONG),
    ("huyen", HUYEN),
    ("thi xa", HUYEN),
    ("so ", SO_NGANH),
    ("cong an", NGANH_DOC),
    ("ban chi huy quan su", NGANH_DOC),
    ("bo chi huy quan su", NGANH_DOC),
    ("bo chi huy bo doi bien phong", NGANH_DOC),
    ("chi cuc thue", NGANH_DOC),
    ("thue ", NGANH_DOC),
    ("chi cuc thi hanh an", NGANH_DOC),
    ("thi hanh an", NGANH_DOC),
    ("kho bac", NGANH_DOC),
    ("bao hiem xa hoi", NGANH_DOC),
    ("toa an", NGANH_DOC),
    ("vien kiem sat", NGANH_DOC),
    ("dien luc", NGANH_DOC),
    ("cong ty dien luc", NGANH_DOC),
    ("ngan hang", NGANH_DOC),
    ("trung tam", SU_NGHIEP),
    ("ban quan ly", SU_NGHIEP),
    ("dai ", SU_NGHIEP),
    ("truong ", SU_NGHIEP),
    ("benh vien", SU_NGHIEP),
    ("ban dan toc", SO_NGANH),
    ("van phong uy ban nhan dan tinh", SO_NGANH),
    ("van phong ubnd tinh", SO_NGANH),
    ("thanh tra tinh", SO_NGANH),
]


@lru_cache(maxsize=8192)
def infer_type(unit_class: str | None, name: str) -> str:
    """The typed kind a unit of the old three-class catalogue most likely has, from its name.

    Used once, to move units created before kinds were typed (the migration), and for a unit
    created with a class only (``create_unit(kind="ward")``). ``Unit.type`` asks it for every
    unit written without one (the benchmark's bulk loader) on every page listing units:
    remembered, as it depends on its arguments alone.
    """
    if unit_class == LEADERSHIP:
        return LANH_DAO
    folded = _fold(name) + " "
    if folded.startswith("xa ") and not folded.startswith("xa hoi"):
        return XA
    if folded.startswith("thanh pho ") and unit_class in (DISTRICT, None):
        return HUYEN
    for head, unit_type in _HEADS:
        if folded.startswith(head):
            if unit_class == WARD and CLASS_OF_TYPE[unit_type] != WARD:
                continue
            return unit_type
    if unit_class == WARD:
        return PHUONG
    if unit_class == DISTRICT:
        return HUYEN
    return PHONG
