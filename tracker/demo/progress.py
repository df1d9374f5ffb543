"""Demo progress for the March 2023 tasks, written through the same services as the app.

As of 05/04/2023 every status bucket has members (except "Đã rút": withdrawing one of the
city's real tasks would be invented history): done on time, done late, in progress within an
approved extension, overdue, not started (extension approved before any work began), no deadline
(sub-task 6.2 is "thường xuyên"); one extension request is pending, two are approved; one
completion waits for the leader; one was returned once. Timestamps are explicit March/April 2023
times in Vietnam, so the result does not depend on the day the seed runs. The units' stated
difficulties (khó khăn, vướng mắc) are what the report's "hạn chế, tồn tại" paragraph draws on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from tracker.auth import services as user_services
from tracker.auth.models import User
from tracker.constants import OFFICER
from tracker.core import clock
from tracker.demo.accounts import DEMO_PASSWORD, SEED_REPORT
from tracker.directives import services as directive_services
from tracker.directives.models import Assignment, Directive, ProgressUpdate, SourceDocument
from tracker.extensions import db
from tracker.intake.drafts import content_hash
from tracker.intake.reading import read_report_file
from tracker.units.models import Unit
from tracker.work import workflow

# Officers of the units that report in the demo (gddt and phuong9 are in seed.DEMO_USERS).
DEMO_OFFICERS: list[tuple[str, str, str, str]] = [
    ("tckh", "Nguyễn Thị Thu Hà", "TCKH", "Chuyên viên Phòng Tài chính - Kế hoạch"),
    ("kinhte", "Trần Quốc Bảo", "KT", "Chuyên viên Phòng Kinh tế"),
    ("bqlda", "Lâm Hoàng Phúc", "BQLDA", "Cán bộ Ban Quản lý dự án đầu tư xây dựng"),
    ("qldt", "Võ Minh Triết", "QLDT", "Chuyên viên Phòng Quản lý đô thị"),
    ("tnmt", "Huỳnh Thị Ngọc Giàu", "TNMT", "Chuyên viên Phòng Tài nguyên và Môi trường"),
    ("yte", "Dương Thị Kim Loan", "YT", "Chuyên viên Phòng Y tế"),
    ("vhtt", "Sơn Thị Sa Pha", "VHTT", "Chuyên viên Phòng Văn hóa và Thông tin"),
    ("ldtbxh", "Phan Văn Đức", "LDTBXH", "Chuyên viên Phòng Lao động - Thương binh và Xã hội"),
    ("bchqs", "Kiên Văn Thành", "BCHQS", "Trợ lý Ban Chỉ huy Quân sự thành phố"),
    ("congan", "Lê Hoàng Nam", "CA", "Cán bộ Công an thành phố"),
    ("thanhtra", "Ngô Thị Mỹ Tiên", "TTRA", "Thanh tra viên Thanh tra thành phố"),
    ("noivu", "Thạch Thị Sô Phia", "NV", "Chuyên viên Phòng Nội vụ"),
    ("chicucthue", "Đặng Văn Lợi", "CCT", "Công chức Chi cục Thuế"),
]


def vn(month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A 2023 Vietnam wall-clock time as the naive UTC datetime the database stores."""
    return clock.local_datetime(dt.date(2023, month, day), hour, minute)


@contextlib.contextmanager
def frozen_day(day: dt.date) -> Iterator[None]:
    """Run services that read the one clock as of a past day (noon in Vietnam)."""
    saved = current_app.config.get("TRACKER_TODAY")
    current_app.config["TRACKER_TODAY"] = day
    try:
        yield
    finally:
        current_app.config["TRACKER_TODAY"] = saved


# --- evidence files (small but real documents) -------------------------------------------


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with ASCII text and a correct cross-reference table."""
    text = "BT /F1 12 Tf 72 770 Td 16 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
        for line in lines
    ) + " ET"
    stream = text.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def demo_docx(title: str, paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def demo_xlsx(title: str, header: list[str], rows: list[list[object]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the story ---------------------------------------------------------------------------


@dataclass
class _Ctx:
    assignments: dict[tuple[str, str], Assignment]
    users: dict[str, User]

    def a(self, number: str, unit_code: str) -> Assignment:
        return self.assignments[(number, unit_code)]


def _ensure_officers() -> int:
    added = 0

    for username, full_name, unit_code, title in DEMO_OFFICERS:
        if db.session.scalar(sa.select(User.id).where(User.username == username)):
            continue
        if not db.session.scalar(sa.select(Unit.id).where(Unit.code == unit_code)):
            continue
        user_services.create_user(
            username=username,
            full_name=full_name,
            password=DEMO_PASSWORD,
            role=OFFICER,
            email=f"{username}@travinh.example.vn",
            unit_code=unit_code,
            title=title,
        )
        added += 1
    db.session.flush()
    return added


def _demo_assignments(source: SourceDocument) -> dict[tuple[str, str], Assignment]:
    rows = db.session.scalars(
        sa.select(Assignment)
        .join(Directive, Assignment.directive_id == Directive.id)
        .where(Directive.source_id == source.id)
    )
    return {(a.directive.number, a.unit.code): a for a in rows}


def _progress(
    ctx: _Ctx,
    number: str,
    unit: str,
    user: str,
    at: dt.datetime,
    percent: int,
    result: str,
    difficulties: str = "",
    proposals: str = "",
    files: tuple[tuple[str, bytes], ...] = (),
    done: bool = False,
) -> None:
    workflow.post_progress(
        ctx.a(number, unit),
        ctx.users[user],
        percent=percent,
        result=result,
        difficulties=difficulties,
        proposals=proposals,
        files=files,
        report_done=done,
        at=at,
    )


def _confirm(ctx: _Ctx, number: str, unit: str, user: str, at: dt.datetime, comment: str) -> None:
    workflow.confirm_completion(ctx.a(number, unit), ctx.users[user], comment=comment, at=at)


def _extend(
    ctx: _Ctx, number: str, unit: str, user: str, at: dt.datetime, day: dt.date, reason: str
):
    return workflow.request_extension(
        ctx.a(number, unit), ctx.users[user], reason=reason, proposed_deadline=day, at=at
    )


def _make_no_deadline(ctx: _Ctx, number: str, leader: User) -> None:
    """Sub-task 6.2 (Chỉ thị 27) is continuous work: no deadline ("thường xuyên").

    Done with the directive-management services, as a leader would on the edit page, on
    02/03/2023 before any unit reported.
    """
    assignments = [a for key, a in ctx.assignments.items() if key[0] == number]
    if not assignments:
        return
    directive = assignments[0].directive
    with frozen_day(dt.date(2023, 3, 2)):
        directive_services.update_directive(
            directive,
            directive_services.DirectiveInput(
                number=directive.number,
                title=directive.title,
                text=directive.text,
                field=directive.field,
                deadline=None,
                leader_id=directive.leader_id,
                parent_id=directive.parent_id,
                period=None,
            ),
            user=leader,
        )
        for assignment in assignments:
            directive_services.update_assignment(
                assignment,
                assignment.role,
                directive_services.DeadlineSpec(directive_services.NO_DEADLINE),
                user=leader,
            )
    db.session.flush()


def seed_progress() -> int:
    """Progress, evidence, completions and extensions of March 2023. Returns updates added.

    Idempotent: nothing is added when any demo assignment already has a progress update.
    """
    text = read_report_file(SEED_REPORT.name, SEED_REPORT.read_bytes())
    source = db.session.scalar(
        sa.select(SourceDocument).where(SourceDocument.content_hash == content_hash(text))
    )
    if source is None:
        return 0
    assignments = _demo_assignments(source)
    if not assignments:
        return 0
    ids = [a.id for a in assignments.values()]
    if db.session.scalar(
        sa.select(sa.func.count()).select_from(ProgressUpdate).where(
            ProgressUpdate.assignment_id.in_(ids)
        )
    ):
        return 0
    _ensure_officers()
    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    ctx = _Ctx(assignments=assignments, users=users)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate))
    _story(ctx)
    db.session.flush()
    after = db.session.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate))
    return (after or 0) - (before or 0)


def _story(ctx: _Ctx) -> None:
    """One linear story, task by task, in the order of the report."""
    chutich, phochutich = ctx.users["chutich"], ctx.users["phochutich"]
    _make_no_deadline(ctx, "6.2", chutich)

    # 1. Economy (TCKH lead, KT support): done on time, confirmed 31/03.
    _progress(ctx, "1", "TCKH", "tckh", vn(3, 10, 8, 45), 40,
              "Tham mưu UBND thành phố ban hành Kế hoạch thực hiện các nhiệm vụ, giải pháp chủ "
              "yếu năm 2023; giao chỉ tiêu cho các phòng ban, phường, xã.",
              "Một số chỉ tiêu của tỉnh giao chưa có hướng dẫn cụ thể.")
    _progress(ctx, "1", "KT", "kinhte", vn(3, 20, 14, 10), 60,
              "Phối hợp rà soát các chỉ tiêu về sản xuất công nghiệp - TTCN, thương mại - dịch "
              "vụ; tổng hợp số liệu quý I gửi Phòng Tài chính - Kế hoạch.")
    _progress(ctx, "1", "TCKH", "tckh", vn(3, 22, 15, 30), 80,
              "Tổ chức hội nghị triển khai; 10/10 phường, xã đã xây dựng kế hoạch thực hiện.")
    _progress(ctx, "1", "TCKH", "tckh", vn(3, 30, 16, 0), 100,
              "Hoàn thành: Kế hoạch số 28/KH-UBND đã ban hành, các đơn vị đã triển khai; gửi báo "
              "cáo kết quả kèm theo.",
              files=(("Báo cáo kết quả thực hiện NV1.pdf",
                      minimal_pdf(["UBND thanh pho Tra Vinh", "Bao cao ket qua thuc hien",
                                   "Nhiem vu 1 - thang 03/2023"])),),
              done=True)
    _confirm(ctx, "1", "TCKH", "chutich", vn(3, 31, 10, 0), "Đồng ý kết quả báo cáo.")

    # 2. Support for production and business (KT): in progress, overdue.
    _progress(ctx, "2", "KT", "kinhte", vn(3, 14, 9, 20), 30,
              "Khảo sát 25 cơ sở sản xuất, kinh doanh để nắm khó khăn, vướng mắc.",
              "Nhiều cơ sở khó tiếp cận vốn vay ưu đãi; thị trường tiêu thụ sản phẩm thu hẹp.",
              "Đề nghị Ngân hàng Chính sách xã hội ưu tiên nguồn vốn cho hộ kinh doanh nhỏ.")
    _progress(ctx, "2", "KT", "kinhte", vn(3, 29, 10, 15), 55,
              "Tổ chức đối thoại doanh nghiệp; giải đáp 12/18 kiến nghị.",
              "Còn 6 kiến nghị về mặt bằng sản xuất thuộc thẩm quyền của tỉnh, chưa có trả lời.",
              "Kiến nghị UBND tỉnh sớm có ý kiến về quỹ đất cụm công nghiệp.")

    # 3. Crop and livestock disease prevention (KT): done on time.
    _progress(ctx, "3", "KT", "kinhte", vn(3, 8, 8, 30), 50,
              "Ra quân tiêu độc, khử trùng chuồng trại đợt 1; tiêm phòng cúm gia cầm 12.500 con.")
    _progress(ctx, "3", "KT", "kinhte", vn(3, 24, 16, 40), 100,
              "Hoàn thành tiêu độc, khử trùng đợt 1; không phát sinh ổ dịch trên địa bàn.",
              files=(("Danh sách hộ tiêm phòng.xlsx",
                      demo_xlsx("Tiêm phòng", ["Phường, xã", "Số hộ", "Số con"],
                                [["Phường 1", 42, 1850], ["Xã Long Đức", 310, 7200]])),),
              done=True)
    _confirm(ctx, "3", "KT", "phochutich", vn(3, 27, 8, 15), "")

    # 4. Survey of support policy needs (KT): extension approved before any work began.
    request = _extend(ctx, "4", "KT", "kinhte", vn(3, 28, 9, 0), dt.date(2023, 4, 28),
                      "Chờ văn bản hướng dẫn tiêu chí hỗ trợ của Sở Nông nghiệp và Phát triển "
                      "nông thôn (dự kiến ban hành giữa tháng 4/2023).")
    workflow.decide_extension(request, chutich, approve=True,
                              comment="Đồng ý, đề nghị triển khai ngay khi có hướng dẫn.",
                              at=vn(3, 30, 15, 0))

    # 5. Business licence tax (TCKH lead, CCT support): done late.
    _progress(ctx, "5", "CCT", "chicucthue", vn(3, 15, 10, 0), 85,
              "Đã thu thuế môn bài 3.412/4.010 hộ (85,1%).",
              "Một số hộ kinh doanh đã ngừng hoạt động nhưng chưa làm thủ tục.")
    _progress(ctx, "5", "TCKH", "tckh", vn(3, 17, 14, 0), 85,
              "Phối hợp Chi cục Thuế đôn đốc thu; lập danh sách 598 hộ còn nợ.",
              "Hộ kinh doanh nhỏ lẻ, không cố định địa điểm khó đôn đốc.")
    _progress(ctx, "5", "TCKH", "tckh", vn(4, 3, 15, 20), 100,
              "Hoàn thành thu thuế môn bài năm 2023, đạt 100% kế hoạch (chậm 3 ngày so với thời "
              "hạn do phải xác minh các hộ ngừng kinh doanh).",
              done=True)
    _confirm(ctx, "5", "TCKH", "vanphong", vn(4, 4, 9, 30),
             "Văn phòng xác nhận theo báo cáo của Chi cục Thuế.")

    # 6. Public investment disbursement (BQLDA): overdue, extension pending.
    _progress(ctx, "6", "BQLDA", "bqlda", vn(3, 16, 9, 0), 30,
              "Giải ngân 28,6 tỷ đồng/95,3 tỷ đồng kế hoạch vốn (30%).",
              "Vướng mắc giải phóng mặt bằng dự án đường Võ Văn Kiệt nối dài (14 hộ chưa đồng "
              "ý phương án bồi thường).",
              "Đề nghị Hội đồng bồi thường thành phố tổ chức đối thoại với các hộ dân.")
    _progress(ctx, "6", "BQLDA", "bqlda", vn(3, 30, 10, 30), 45,
              "Giải ngân 42,9 tỷ đồng (45%); 2 gói thầu đã khởi công.",
              "Giá vật liệu xây dựng tăng, nhà thầu chậm tiến độ; mặt bằng chưa bàn giao đủ.",
              "Đề nghị gia hạn và điều chuyển vốn từ dự án chậm sang dự án có khối lượng.")
    _extend(ctx, "6", "BQLDA", "bqlda", vn(3, 30, 11, 0), dt.date(2023, 6, 30),
            "Chờ hoàn tất giải phóng mặt bằng 14 hộ; nhà thầu cần thêm thời gian thi công.")

    # 6.1 Planning adjustments (QLDT): extension approved, completion awaiting confirmation.
    _progress(ctx, "6.1", "QLDT", "qldt", vn(3, 13, 15, 0), 35,
              "Rà soát 6 đồ án quy hoạch chi tiết không còn phù hợp; lập danh mục điều chỉnh.",
              "Thiếu kinh phí lập điều chỉnh quy hoạch cho 2 đồ án.")
    request = _extend(ctx, "6.1", "QLDT", "qldt", vn(3, 24, 9, 30), dt.date(2023, 4, 30),
                      "Chờ Sở Xây dựng thẩm định 2 đồ án điều chỉnh.")
    workflow.decide_extension(request, phochutich, approve=True, comment="Đồng ý gia hạn.",
                              at=vn(3, 27, 14, 0))
    _progress(ctx, "6.1", "QLDT", "qldt", vn(3, 31, 10, 0), 70,
              "Đã trình thẩm định 4/6 đồ án điều chỉnh.")
    _progress(ctx, "6.1", "QLDT", "qldt", vn(4, 4, 16, 30), 100,
              "Hoàn thành hồ sơ điều chỉnh 6/6 đồ án; Sở Xây dựng đã có ý kiến thẩm định.",
              files=(("Tờ trình điều chỉnh quy hoạch.docx",
                      demo_docx("Tờ trình điều chỉnh quy hoạch",
                                ["Phòng Quản lý đô thị kính trình UBND thành phố xem xét, "
                                 "phê duyệt điều chỉnh 6 đồ án quy hoạch chi tiết."])),),
              done=True)

    # 6.2 Directive 27 (TNMT): continuous work, no deadline.
    _progress(ctx, "6.2", "TNMT", "tnmt", vn(3, 25, 9, 45), 50,
              "Tuyên truyền Chỉ thị 27-CT/TU tại 10 phường, xã; kiểm tra 8 trường hợp san lấp, "
              "xây dựng trái phép trên đất nông nghiệp.",
              "Lực lượng kiểm tra mỏng; người dân chưa chấp hành việc chuyển mục đích sử dụng "
              "đất.")

    # 7. Education (GDDT lead, P9 support): in progress, overdue; the gddt demo account.
    _progress(ctx, "7", "GDDT", "gddt", vn(3, 15, 10, 0), 50,
              "Triển khai Chương trình GDPT 2018 ở lớp 4, lớp 8 và lớp 11; hoàn thành lựa chọn "
              "sách giáo khoa năm học 2023-2024.",
              "Thiếu giáo viên Tin học, Tiếng Anh ở bậc tiểu học; phòng học bộ môn chưa đủ.",
              "Đề nghị UBND thành phố bổ sung chỉ tiêu hợp đồng giáo viên.")
    _progress(ctx, "7", "P9", "phuong9", vn(3, 21, 8, 30), 60,
              "Rà soát, cập nhật số liệu phổ cập giáo dục, xóa mù chữ của phường.")
    _progress(ctx, "7", "GDDT", "gddt", vn(3, 29, 14, 20), 80,
              "Kiểm tra chuyên ngành 6/8 trường; xây dựng kế hoạch phổ cập giáo dục năm 2023.",
              "Kế hoạch đánh giá cộng đồng học tập cấp xã chờ hướng dẫn mới của Sở Giáo dục và "
              "Đào tạo.")

    # 8. Health care (YT): reported done on the deadline day, confirmed later: on time.
    _progress(ctx, "8", "YT", "yte", vn(3, 12, 9, 0), 60,
              "Kiểm tra 35 cơ sở hành nghề y dược tư nhân; phát hiện 3 cơ sở vi phạm.")
    _progress(ctx, "8", "YT", "yte", vn(3, 31, 16, 45), 100,
              "Hoàn thành kế hoạch quý I: tiêm chủng mở rộng đạt 98%, xử lý 3 cơ sở vi phạm.",
              done=True)
    _confirm(ctx, "8", "YT", "chutich", vn(4, 3, 8, 30), "Đồng ý.")

    # 9. Culture (VHTT lead, P9 support): in progress, overdue.
    _progress(ctx, "9", "P9", "phuong9", vn(3, 18, 20, 0), 50,
              "Phối hợp kiểm tra 4 cơ sở karaoke trên địa bàn phường; nhắc nhở 1 cơ sở.")
    _progress(ctx, "9", "VHTT", "vhtt", vn(3, 28, 11, 0), 70,
              "Kiểm tra 22 cơ sở kinh doanh dịch vụ văn hóa; xử phạt 2 cơ sở.",
              "Một số cơ sở kinh doanh karaoke hoạt động quá giờ, tái phạm nhiều lần.")

    # 10. Social policy (LDTBXH): done on time with a list of beneficiaries.
    _progress(ctx, "10", "LDTBXH", "ldtbxh", vn(3, 20, 15, 0), 100,
              "Chi trả trợ cấp ưu đãi người có công tháng 3 đầy đủ, đúng hạn; thăm hỏi 40 gia "
              "đình chính sách.",
              files=(("Danh sách chi trả tháng 3-2023.xlsx",
                      demo_xlsx("Chi trả", ["Phường, xã", "Số người", "Số tiền (đồng)"],
                                [["Phường 9", 57, 124_500_000]])),),
              done=True)
    _confirm(ctx, "10", "LDTBXH", "phochutich", vn(3, 22, 9, 0), "")

    # 11. Ethnic affairs (DT): nothing reported; overdue.

    # 12. Military readiness (BCHQS): done on time.
    _progress(ctx, "12", "BCHQS", "bchqs", vn(3, 28, 7, 30), 100,
              "Duy trì trực sẵn sàng chiến đấu 100% quân số; giao nhận quân năm 2023 đạt chỉ "
              "tiêu.",
              done=True)
    _confirm(ctx, "12", "BCHQS", "chutich", vn(3, 29, 14, 0), "")

    # 13. Security and order (CA): overdue.
    _progress(ctx, "13", "CA", "congan", vn(3, 26, 17, 0), 80,
              "Điều tra làm rõ 9/11 vụ phạm pháp hình sự; tuần tra kiểm soát 46 cuộc.",
              "Tội phạm lừa đảo qua mạng diễn biến phức tạp, khó truy xét.",
              "Đề nghị tăng cường tuyên truyền phòng chống lừa đảo trên không gian mạng.")

    # 14. Legal education (TTRA): reported done, returned for missing data, still open.
    _progress(ctx, "14", "TTRA", "thanhtra", vn(3, 29, 9, 0), 100,
              "Tổ chức 12 buổi tuyên truyền pháp luật cho 850 lượt người dân.",
              done=True)
    workflow.return_completion(ctx.a("14", "TTRA"), chutich,
                               comment="Đề nghị bổ sung kết quả tiếp công dân, giải quyết khiếu "
                                       "nại trong tháng.",
                               at=vn(3, 30, 10, 0))
    _progress(ctx, "14", "TTRA", "thanhtra", vn(3, 31, 15, 0), 90,
              "Đã bổ sung số liệu tiếp công dân; đang tổng hợp kết quả giải quyết khiếu nại.",
              "Hồ sơ khiếu nại về đất đai tồn đọng từ các năm trước, phức tạp.")

    # 15. Training of civil servants (NV): in progress within an approved extension.
    _progress(ctx, "15", "NV", "noivu", vn(3, 17, 10, 0), 40,
              "Cử 32 công chức tham gia lớp bồi dưỡng quản lý nhà nước.")
    request = _extend(ctx, "15", "NV", "noivu", vn(3, 27, 8, 0), dt.date(2023, 4, 14),
                      "Lớp bồi dưỡng của tỉnh lùi lịch khai giảng sang tháng 4/2023.")
    workflow.decide_extension(request, chutich, approve=True, comment="", at=vn(3, 28, 16, 0))
    _progress(ctx, "15", "NV", "noivu", vn(3, 31, 9, 0), 70,
              "Hoàn thành 2/3 lớp; lớp còn lại khai giảng ngày 10/4/2023.",
              "Công chức phường, xã vừa học vừa làm, khó bố trí thời gian.")
