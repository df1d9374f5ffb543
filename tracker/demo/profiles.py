"""The demos of the 2025 profiles: a province (Vĩnh Long, the tasks of September 2025) and a ward
(Phường Trà Vinh, the tasks of October 2025, some carried by named officers). Each imports its
report, assigns, and writes progress that leaves every kind of status as of the 5th of the next
month. ``tracker/demo/seed.py`` picks one by profile name; city-2023 is the original demo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from tracker.constants import ADMIN, LEADER, OFFICER, SECRETARIAT, VIEWER
from tracker.demo.progress import frozen_day
from tracker.demo.story import Account, Story, ensure_accounts, import_report, vn_time
from tracker.directives import services as directive_services
from tracker.directives.models import Directive
from tracker.extensions import db

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Demo:
    profile: str
    report: Path
    assigned_on: dt.date
    deadline: dt.date
    as_of: dt.date  # every bucket has tasks as of this day
    accounts: list[Account]
    story: Callable[[Story], None]


# --- province-2025 ---------------------------------------------------------------------------

PROVINCE_ACCOUNTS = [
    Account("admin", "Quản trị hệ thống", ADMIN, None, "Quản trị viên"),
    Account("chutich", "Trần Quốc Khánh", LEADER, "LDUBT", "Chủ tịch UBND tỉnh"),
    Account("phochutich", "Nguyễn Thị Bé Mười", LEADER, "LDUBT", "Phó Chủ tịch UBND tỉnh"),
    Account("vanphong", "Lê Hoàng Phúc", SECRETARIAT, "VPUBT", "Chuyên viên Văn phòng UBND tỉnh"),
    Account("xem", "Huỳnh Văn Hai", VIEWER, None, "Thường trực HĐND tỉnh"),
    Account("sonoivu", "Phạm Minh Trí", OFFICER, "SNV", "Chuyên viên Sở Nội vụ"),
    Account("sotaichinh", "Võ Thị Ngọc Hân", OFFICER, "STC", "Chuyên viên Sở Tài chính"),
    Account("sonnmt", "Đặng Văn Tài", OFFICER, "SNNMT",
            "Chuyên viên Sở Nông nghiệp và Môi trường"),
    Account("sogddt", "Lâm Thị Thu", OFFICER, "SGDDT", "Chuyên viên Sở Giáo dục và Đào tạo"),
    Account("soyte", "Trương Công Danh", OFFICER, "SYT", "Chuyên viên Sở Y tế"),
    Account("congan", "Kim Văn Sang", OFFICER, "CAT", "Cán bộ Công an tỉnh"),
    Account("xacainhum", "Nguyễn Văn Út", OFFICER, "XCAINHUM", "Công chức UBND xã Cái Nhum"),
    Account("phuongthanhduc", "Trần Thị Kiều", OFFICER, "PTHANHDUC",
            "Công chức UBND phường Thanh Đức"),
]


def _province_story(s: Story) -> None:
    sep = lambda day, hour=9: vn_time(dt.date(2025, 9, day), hour)  # noqa: E731
    # 2. Budget (STC): done on time, confirmed.
    s.progress("2", "STC", "sotaichinh", sep(12), 60, "Giải ngân 52% kế hoạch vốn đầu tư công.",
               "Một số dự án chậm giải phóng mặt bằng.")
    s.progress("2", "STC", "sotaichinh", sep(29, 15), 100,
               "Giải ngân đạt 61,4% kế hoạch vốn năm 2025.", done=True)
    s.confirm("2", "STC", "chutich", sep(30, 10))
    # 4. School year (SGDDT): reported done on 25/9, confirmed on 2/10: on time.
    s.progress("4", "SGDDT", "sogddt", sep(25), 100,
               "Khai giảng năm học 2025 - 2026 tại 100% trường; đủ giáo viên đứng lớp.",
               done=True)
    s.confirm("4", "SGDDT", "phochutich", vn_time(dt.date(2025, 10, 2)))
    # 5. Dengue (SYT lead, two wards support): in progress, overdue as of 05/10.
    s.progress("5", "SYT", "soyte", sep(18), 70, "Phun hóa chất 2.300 hộ; diệt lăng quăng 9 xã.",
               "Thiếu nhân lực y tế tại các xã mới sáp nhập.",
               "Đề nghị các xã, phường bố trí cộng tác viên y tế.")
    s.progress("5", "PTHANHDUC", "phuongthanhduc", sep(20), 80,
               "Tổ chức 3 đợt ra quân diệt lăng quăng trên địa bàn phường.")
    # 3. Salinity (SNNMT lead, two communes support): extension approved, in progress.
    s.progress("3", "XCAINHUM", "xacainhum", sep(15), 50,
               "Gia cố 1,2 km đê bao, chuẩn bị vật tư phòng chống triều cường.")
    with frozen_day(dt.date(2025, 9, 24)):
        s.extend("3", "SNNMT", "sonnmt", sep(24), dt.date(2025, 10, 31),
                 "Đỉnh triều cường dự báo vào giữa tháng 10.", approver="chutich")
    # 1. Two-level government (SNV lead, every commune and ward support): overdue, in progress.
    s.progress("1", "SNV", "sonoivu", sep(22), 40,
               "Rà soát vị trí việc làm của 127 xã, phường; 96 đơn vị đã gửi đề án.",
               "Nhiều xã còn thiếu công chức địa chính, tài chính.")
    # 7. Security over National Day (CAT): done late (reported after the deadline).
    s.progress("7", "CAT", "congan", vn_time(dt.date(2025, 10, 3)), 100,
               "Bảo đảm tuyệt đối an ninh trật tự dịp lễ Quốc khánh.", done=True)
    s.confirm("7", "CAT", "chutich", vn_time(dt.date(2025, 10, 4)))
    # 6 and 8: nothing reported: overdue (not started) as of 05/10.


PROVINCE_DEMO = Demo(
    profile="province-2025",
    report=DATA / "bao-cao-tinh-vinh-long-thang-08-2025.txt",
    assigned_on=dt.date(2025, 9, 3),
    deadline=dt.date(2025, 9, 30),
    as_of=dt.date(2025, 10, 5),
    accounts=PROVINCE_ACCOUNTS,
    story=_province_story,
)


# --- commune-2025 ----------------------------------------------------------------------------

COMMUNE_ACCOUNTS = [
    Account("admin", "Quản trị hệ thống", ADMIN, None, "Quản trị viên"),
    Account("chutich", "Thạch Thị Sô Phal", LEADER, "LDUB", "Chủ tịch UBND phường"),
    Account("phochutich", "Nguyễn Hoàng Em", LEADER, "LDUB", "Phó Chủ tịch UBND phường"),
    Account("vanphong", "Trần Minh Khôi", SECRETARIAT, "VP",
            "Công chức Văn phòng HĐND và UBND phường"),
    Account("xem", "Sơn Thị Huyền", VIEWER, None, "Thường trực HĐND phường"),
    Account("taichinh", "Lê Thị Mỹ", OFFICER, "KT", "Công chức Tài chính - Kế toán"),
    Account("diachinh", "Nguyễn Văn Kiên", OFFICER, "KT", "Công chức Địa chính - Xây dựng"),
    Account("vanhoa", "Thạch Thị Sa Rum", OFFICER, "VHXH", "Công chức Văn hóa - Xã hội"),
    Account("laodong", "Kiên Văn Đức", OFFICER, "VHXH", "Công chức Lao động - Thương binh"),
    Account("motcua", "Dương Ngọc Trâm", OFFICER, "TTPVHCC",
            "Viên chức Trung tâm Phục vụ hành chính công"),
    Account("congan", "Lý Văn Hùng", OFFICER, "CA", "Cán bộ Công an phường"),
    Account("quansu", "Thạch Sơn", OFFICER, "BCHQS", "Chỉ huy trưởng Ban Chỉ huy Quân sự"),
]

# Tasks carried by a named officer (công chức) of the assigned phòng.
COMMUNE_OFFICERS = {("2", "KT"): "taichinh", ("7", "KT"): "diachinh", ("3", "VHXH"): "laodong"}


def _commune_story(s: Story) -> None:
    for (number, unit), username in COMMUNE_OFFICERS.items():
        directive_services.set_officer(s.a(number, unit), s.users[username],
                                       user=s.users["chutich"])
    octo = lambda day, hour=9: vn_time(dt.date(2025, 10, day), hour)  # noqa: E731
    # 2. Budget collection (KT, named: taichinh): done on time.
    s.progress("2", "KT", "taichinh", octo(14), 70, "Thu ngân sách đạt 74% dự toán năm.")
    s.progress("2", "KT", "taichinh", octo(30, 15), 100, "Thu ngân sách đạt 81% dự toán năm.",
               done=True)
    s.confirm("2", "KT", "chutich", octo(31, 10))
    # 3. Social allowances (VHXH, named: laodong): done on time.
    s.progress("3", "VHXH", "laodong", octo(10), 100,
               "Chi trả trợ cấp tháng 10 cho 412 người có công và đối tượng bảo trợ xã hội; "
               "vận động 6/9 học sinh bỏ học trở lại lớp.", done=True)
    s.confirm("3", "VHXH", "phochutich", octo(13))
    # 4. Online procedures (TTPVHCC): in progress, overdue as of 05/11.
    s.progress("4", "TTPVHCC", "motcua", octo(20), 60,
               "Tỷ lệ hồ sơ trực tuyến toàn trình đạt 58%.",
               "Người dân lớn tuổi chưa quen nộp hồ sơ trực tuyến.",
               "Đề nghị bố trí thêm đoàn viên hỗ trợ tại Trung tâm.")
    # 5. Crime crackdown (CA): done late.
    s.progress("5", "CA", "congan", vn_time(dt.date(2025, 11, 3)), 100,
               "Triệt phá 2 ổ nhóm trộm cắp, bắt 5 đối tượng.", done=True)
    s.confirm("5", "CA", "chutich", vn_time(dt.date(2025, 11, 4)))
    # 6. Conscription (BCHQS): extension approved, in progress within it.
    with frozen_day(dt.date(2025, 10, 27)):
        s.extend("6", "BCHQS", "quansu", octo(27), dt.date(2025, 11, 28),
                 "Lịch khám sơ tuyển của tỉnh dời sang tháng 11.", approver="chutich")
    s.progress("6", "BCHQS", "quansu", octo(28), 40, "Lập danh sách 186 thanh niên trong độ tuổi.")
    # 7. Building order (KT, named: diachinh; VHXH support): in progress, overdue.
    s.progress("7", "KT", "diachinh", octo(22), 50,
               "Kiểm tra 18 tuyến đường, lập biên bản 7 trường hợp lấn chiếm vỉa hè.",
               "Một số hộ tái lấn chiếm sau khi bị nhắc nhở.")
    # 1. Work programme (VP): nothing reported: overdue as of 05/11.


COMMUNE_DEMO = Demo(
    profile="commune-2025",
    report=DATA / "bao-cao-phuong-tra-vinh-thang-09-2025.txt",
    assigned_on=dt.date(2025, 10, 1),
    deadline=dt.date(2025, 10, 31),
    as_of=dt.date(2025, 11, 5),
    accounts=COMMUNE_ACCOUNTS,
    story=_commune_story,
)

DEMOS: dict[str, Demo] = {demo.profile: demo for demo in (PROVINCE_DEMO, COMMUNE_DEMO)}


def seed(demo: Demo, mail_domain: str) -> dict[str, int]:
    """Accounts, the report's directives and their progress (the profile is set up already)."""
    users = ensure_accounts(demo.accounts, mail_domain)
    source = import_report(demo.report, leader="chutich", assigned_on=demo.assigned_on,
                           deadline=demo.deadline)
    if source is None:
        return {"users": users, "directives": 0, "progress": 0}
    story = Story(source)
    demo.story(story)
    directives = db.session.scalar(
        sa.select(sa.func.count()).select_from(Directive).where(Directive.source_id == source.id))
    return {"users": users, "directives": directives or 0, "progress": story.count}
