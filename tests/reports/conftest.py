"""Report fixtures: the demo data with March 2023 progress in every bucket, as of 05/04/2023."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import Flask

from tracker.auth.models import User
from tracker.constants import DONE, IN_PROGRESS, LEAD, NOT_STARTED
from tracker.core import clock
from tracker.directives.models import Assignment, Directive, Period, ProgressUpdate
from tracker.extensions import db

AS_OF = dt.date(2023, 4, 5)
WARD_FIGURES = {
    "P1": "Phường 1 kiểm tra 12 cơ sở, nhắc nhở 3 trường hợp",
    "P2": "Phường 2 kiểm tra 9 cơ sở",
    "P7": "Phường 7 vận động 35 học sinh trở lại lớp",
    "P9": "Phường 9 tổ chức 4 buổi tuyên truyền với 210 lượt người",
    "XLD": "Xã Long Đức hoàn thành phổ cập giáo dục 3/3 ấp",
}


def at(day: dt.date) -> dt.datetime:
    """Noon in Vietnam on ``day``, stored as naive UTC."""
    local = dt.datetime.combine(day, dt.time(12), tzinfo=clock.VN_TZ)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def directive(number: str) -> Directive:
    march = db.session.scalar(sa.select(Period).where(Period.year == 2023, Period.month == 3))
    return db.session.scalar(
        sa.select(Directive).where(Directive.period_id == march.id, Directive.number == number)
    )


def lead(d: Directive) -> Assignment:
    return next(a for a in d.assignments if a.role == LEAD)


def post(a: Assignment, day: dt.date, percent: int, result: str = "",
         difficulties: str = "", kind: str = "progress") -> None:
    author = db.session.scalar(sa.select(User).where(User.username == "vanphong"))
    db.session.add(
        ProgressUpdate(assignment=a, author_id=author.id, created_at=at(day), kind=kind,
                       percent=percent, result=result, difficulties=difficulties)
    )
    a.last_update_at = at(day)
    if a.state == "not_started":
        a.state = IN_PROGRESS
    a.percent = percent


def complete(a: Assignment, day: dt.date, on_time: bool) -> None:
    a.state = DONE
    a.percent = 100
    a.completed_on = day
    a.completed_at = at(day)
    a.on_time = on_time
    a.on_time_original = on_time


def reset(d: Directive) -> Directive:
    """Forget what the demo data says about a directive, so the fixture decides its bucket."""
    for a in d.assignments:
        for update in list(a.updates):
            for attachment in list(update.attachments):
                db.session.delete(attachment)
            db.session.delete(update)
        for request in list(a.extension_requests):
            db.session.delete(request)
        a.state, a.percent = NOT_STARTED, 0
        a.completed_on = a.completed_at = a.reported_done_at = a.last_update_at = None
        a.on_time = a.on_time_original = None
        a.extended_deadline = a.extension_approved_on = None
    db.session.flush()
    return d


@pytest.fixture
def march(demo: Flask) -> Flask:
    """Every bucket populated: done on time/late, in progress, overdue, not started,
    no deadline, withdrawn; results from many wards; long results; difficulties.

    The demo data may carry its own March progress; the directives used here are reset first.
    """
    for number in ("1", "2", "3", "5", "7", "12", "13", "14", "15"):
        reset(directive(number))
    d1 = directive("1")
    post(lead(d1), dt.date(2023, 3, 20), 100, "Đã ban hành kế hoạch thực hiện các giải pháp "
         "chủ yếu năm 2023, tổ chức hội nghị triển khai với 120 đại biểu.", kind="completion")
    complete(lead(d1), dt.date(2023, 3, 28), True)

    d2 = directive("2")
    post(lead(d2), dt.date(2023, 4, 2), 100, "Tổ chức 02 cuộc đối thoại doanh nghiệp, tháo "
         "gỡ 05 kiến nghị.", kind="completion")
    complete(lead(d2), dt.date(2023, 4, 3), False)

    d3 = directive("3")
    long_result = (
        "Theo dõi chặt chẽ tình hình triều cường, xâm nhập mặn tại các khu vực trọng điểm. "
        + "Tiêm phòng vắc xin cúm gia cầm được 30.000 con trên 14 hộ, vắc xin dại 291 con, "
        "lở mồm long móng 1.250 con; " * 6
    ).strip()
    post(lead(d3), dt.date(2023, 3, 25), 60, long_result,
         "Kinh phí tiêm phòng chưa được bố trí kịp thời; thiếu nhân lực thú y cơ sở.")

    d7 = directive("7")
    for a in d7.assignments:
        if a.unit.code in WARD_FIGURES:
            post(a, dt.date(2023, 3, 27), 70, WARD_FIGURES[a.unit.code])
    post(lead(d7), dt.date(2023, 3, 29), 80, "Đã kiểm tra chuyên ngành 06 trường tiểu học.")

    d14 = directive("14")  # thường xuyên
    d14.deadline = None
    for a in d14.assignments:
        a.deadline = None
    post(lead(d14), dt.date(2023, 3, 15), 50, "Tuyên truyền được 10 cuộc, 393 lượt người.")

    d15 = directive("15")  # extended, still in time on 05/04
    for a in d15.assignments:
        a.extended_deadline = dt.date(2023, 4, 20)
        a.extension_approved_on = dt.date(2023, 3, 30)
    post(lead(d15), dt.date(2023, 3, 30), 40, "Cử 125 công chức tham gia tập huấn.")

    d12 = directive("12")  # not started, deadline later than the report day
    for a in d12.assignments:
        a.deadline = dt.date(2023, 4, 30)
    d12.deadline = dt.date(2023, 4, 30)

    d13 = directive("13")
    d13.withdrawn_at = at(dt.date(2023, 3, 10))
    d13.withdrawn_reason = "Đã gộp vào nhiệm vụ 12."

    # An update after the report day must not be counted.
    d5 = directive("5")
    post(lead(d5), dt.date(2023, 4, 10), 90, "KHÔNG ĐƯỢC XUẤT HIỆN: cập nhật sau ngày số liệu.")
    db.session.commit()
    return demo
