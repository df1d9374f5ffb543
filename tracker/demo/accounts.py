"""The demo's published facts, shared by the seed and the demo progress: the report it imports,
the March 2023 dates, and the accounts README lists (with their one published password)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from tracker.constants import ADMIN, LEADER, OFFICER, SECRETARIAT, VIEWER

SEED_REPORT = Path(__file__).parent / "data" / "bao-cao-thang-02-2023.txt"
DEMO_PASSWORD = "Demo@TraVinh2023"  # noqa: S105 - published demo password, README lists it
DEMO_DEADLINE = dt.date(2023, 3, 31)
DEMO_ASSIGNED_ON = dt.date(2023, 3, 1)


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    unit_code: str | None
    title: str


DEMO_USERS = [
    DemoUser("admin", "Quản trị hệ thống", ADMIN, None, "Quản trị viên"),
    DemoUser("chutich", "Nguyễn Văn Tâm", LEADER, "LDUB", "Chủ tịch UBND thành phố"),
    DemoUser("phochutich", "Trần Thị Hồng", LEADER, "LDUB", "Phó Chủ tịch UBND thành phố"),
    DemoUser("vanphong", "Lê Minh Khoa", SECRETARIAT, "VP", "Chuyên viên Văn phòng HĐND-UBND"),
    DemoUser("gddt", "Phạm Thị Lan", OFFICER, "GDDT", "Chuyên viên Phòng Giáo dục và Đào tạo"),
    DemoUser("phuong9", "Thạch Văn Sơn", OFFICER, "P9", "Công chức Văn phòng UBND Phường 9"),
    DemoUser("xem", "Kim Thị Sa Rinh", VIEWER, None, "Thường trực HĐND thành phố"),
]
