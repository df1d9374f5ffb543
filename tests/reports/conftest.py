"""Report fixtures: the demo's March 2023 history (every bucket but "đã rút"), plus, through
recorded history, a withdrawal, many wards reporting, a long result and an update after the
report day."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import Flask

from tracker.auth.models import User
from tracker.constants import LEAD
from tracker.core import clock
from tracker.directives import services as directive_services
from tracker.directives.models import Assignment, Directive, Period, ProgressUpdate
from tracker.extensions import db

AS_OF = dt.date(2023, 4, 5)
WARD_FIGURES = {
    "P1": "Phường 1 kiểm tra 12 cơ sở, nhắc nhở 3 trường hợp",
    "P2": "Phường 2 kiểm tra 9 cơ sở",
    "P7": "Phường 7 vận động 35 học sinh trở lại lớp",
    "XLD": "Xã Long Đức hoàn thành phổ cập giáo dục 3/3 ấp",
}
LATE_TEXT = "KHÔNG ĐƯỢC XUẤT HIỆN: cập nhật ngày 10/04/2023, sau ngày số liệu."


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    """A Vietnam wall-clock time on ``day``, stored as naive UTC."""
    return clock.local_datetime(day, hour)


def directive(number: str) -> Directive:
    march = db.session.scalar(sa.select(Period).where(Period.year == 2023, Period.month == 3))
    return db.session.scalar(
        sa.select(Directive).where(Directive.period_id == march.id, Directive.number == number)
    )


def lead(d: Directive) -> Assignment:
    return next(a for a in d.assignments if a.role == LEAD)


def record(a: Assignment, when: dt.datetime, percent: int, result: str = "",
           difficulties: str = "", kind: str = "progress") -> None:
    """A progress record as the workflow writes it (the history is what counts)."""
    author = db.session.scalar(sa.select(User).where(User.username == "vanphong"))
    db.session.add(ProgressUpdate(assignment=a, author_id=author.id, created_at=when, kind=kind,
                                  percent=percent, result=result, difficulties=difficulties))
    a.last_update_at = when
    if a.state == "not_started":
        a.state = "in_progress"
    a.percent = percent


@pytest.fixture
def march(demo: Flask) -> Flask:
    """The demo's March, with recorded extras (all before 05/04 except the late update)."""
    d7 = directive("7")
    for a in d7.assignments:
        if a.unit.code in WARD_FIGURES:
            record(a, at(dt.date(2023, 3, 27)), 70, WARD_FIGURES[a.unit.code])
    d3_support = directive("13")  # a long report: its tail goes to a footnote
    long_result = (
        "Điều tra làm rõ 10/11 vụ phạm pháp hình sự, bắt giữ 14 đối tượng, thu hồi tài sản trị "
        "giá 320 triệu đồng; tuần tra kiểm soát 52 cuộc. "
        + "Kiểm tra hành chính 36 cơ sở kinh doanh có điều kiện về an ninh trật tự, lập biên "
          "bản 4 cơ sở vi phạm; tuyên truyền phòng chống lừa đảo qua mạng tại 10 phường, xã; " * 3
    ).strip()
    record(lead(d3_support), at(dt.date(2023, 4, 3), 16), 85, long_result,
           "Tội phạm lừa đảo qua mạng diễn biến phức tạp, khó truy xét.")
    # The leader withdraws task 10 on 04/04 (recorded through the service, as of that day).
    leader = db.session.scalar(sa.select(User).where(User.username == "chutich"))
    from tracker.demo.progress import frozen_day

    with frozen_day(dt.date(2023, 4, 4)):
        directive_services.withdraw_directive(directive("10"), "Đã gộp vào kế hoạch năm.",
                                              user=leader)
    # An update after the report day must not be counted.
    record(lead(directive("2")), at(dt.date(2023, 4, 10)), 90, LATE_TEXT, LATE_TEXT)
    db.session.commit()
    return demo
