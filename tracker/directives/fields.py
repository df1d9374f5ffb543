"""Fields (lĩnh vực) of a directive, in the order the monthly report uses them."""

from __future__ import annotations

FIELDS: list[tuple[str, str]] = [
    ("chi_dao", "Công tác chỉ đạo điều hành"),
    ("kinh_te", "Lĩnh vực Kinh tế"),
    ("xay_dung_do_thi", "Công tác xây dựng cơ bản, giải phóng mặt bằng và quản lý đô thị"),
    ("van_hoa_xa_hoi", "Khối Văn hóa - xã hội"),
    ("noi_chinh", "Công tác nội chính"),
    ("cai_cach_hanh_chinh", "Công tác cải cách hành chính"),
]

FIELD_LABELS: dict[str, str] = dict(FIELDS)
FIELD_ORDER: dict[str, int] = {code: i for i, (code, _) in enumerate(FIELDS)}
DEFAULT_FIELD = "chi_dao"
