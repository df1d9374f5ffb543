"""The directive page and "Việc của đơn vị": what they show, to whom, and at what query cost."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.directives.workflow_helpers import assignment, directive, login, user
from tracker.demo.progress import minimal_pdf, vn
from tracker.directives.status import Bucket, Status
from tracker.extensions import db
from tracker.work import unit_work, workflow
from tracker.work.unit_work import sort_key


@pytest.fixture
def world(demo):
    demo.config["TRACKER_TODAY"] = "2023-04-05"
    return demo


def _page(client, number: str) -> str:
    response = client.get(f"/directives/{directive(number).id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_page_shows_text_units_deadlines_timeline_extensions_and_history(world):
    html = _page(login(world, "xem"), "6.1")
    # Text, period, field, leader, source document, parent.
    assert "Tiếp tục điều chỉnh các đồ án quy hoạch không phù hợp" in html
    assert "Tháng 03/2023" in html
    assert "Công tác xây dựng cơ bản, giải phóng mặt bằng và quản lý đô thị" in html
    assert "Nguyễn Văn Tâm" in html
    assert "UBND thành phố Trà Vinh" in html
    assert "Thuộc nhiệm vụ" in html and "Tập trung đẩy nhanh tiến độ giải ngân" in html
    # Assignment: original and extended deadline, state, percent, bucket.
    assert "Phòng Quản lý đô thị" in html and "Chủ trì" in html and "Phối hợp" in html
    assert "31/03/2023" in html and "30/04/2023" in html and "đồng ý ngày 27/03/2023" in html
    assert "Chờ xác nhận hoàn thành" in html
    assert "Đang thực hiện trong hạn" in html
    assert "Theo hạn ban đầu: Đang thực hiện quá hạn (3 ngày làm việc)" in html
    # Timeline with the evidence link, extension request and decision.
    assert "Hoàn thành hồ sơ điều chỉnh 6/6 đồ án" in html
    assert "Thiếu kinh phí lập điều chỉnh quy hoạch cho 2 đồ án." in html
    assert "Tờ trình điều chỉnh quy hoạch.docx" in html and "/attachments/" in html
    assert "Chờ Sở Xây dựng thẩm định 2 đồ án điều chỉnh." in html and "Đã đồng ý" in html
    assert "Trần Thị Hồng" in html  # who decided
    # Audit trail in readable Vietnamese.
    assert "Lịch sử thay đổi" in html
    assert "Đồng ý gia hạn" in html and "Báo cáo hoàn thành" in html
    assert "Trạng thái:</span> Chưa triển khai → Đang thực hiện" in html
    assert "Võ Minh Triết" in html
    assert "not_started" not in html and "awaiting_confirmation" not in html


def test_parent_lists_sub_directives_and_days_overdue(world):
    html = _page(login(world, "xem"), "6")
    assert "Nhiệm vụ con" in html
    assert "Tiếp tục triển khai thực hiện tốt Chỉ thị 27" in html
    assert "Không có thời hạn" in html
    assert "Đang thực hiện quá hạn (3 ngày làm việc)" in html  # the BQLDA assignment
    assert "Đang đề nghị gia hạn" in html


@pytest.mark.parametrize(
    ("username", "number", "present", "absent"),
    [
        ("gddt", "7", ["Báo cáo tiến độ</h3>", "Gửi đề nghị gia hạn"],
         ["Xác nhận hoàn thành</button>", "Đồng ý gia hạn</button>"]),
        ("phuong9", "7", ["Thao tác: Phường 9"], ["Thao tác: Phòng Giáo dục"]),
        ("xem", "7", [], ["<form method=\"post\" action=\"/assignments"]),
        ("chutich", "7", [], ["Báo cáo tiến độ</h3>"]),
        ("chutich", "6.1", ["Xác nhận hoàn thành</button>", "Trả lại, yêu cầu tiếp tục"],
         ["Báo cáo tiến độ</h3>"]),
        ("vanphong", "6.1", ["Xác nhận hoàn thành</button>"], []),
        ("chutich", "6", ["Đồng ý gia hạn</button>"], []),
        ("vanphong", "6", [], ["Đồng ý gia hạn</button>"]),
        ("qldt", "6.1", ["Thao tác: Phòng Quản lý đô thị"],
         ["Báo cáo tiến độ</h3>", "Xác nhận hoàn thành</button>"]),
    ],
)
def test_forms_shown_only_to_those_who_may_use_them(world, username, number, present, absent):
    html = _page(login(world, username), number)
    for text in present:
        assert text in html, text
    for text in absent:
        assert text not in html, text


def test_officer_of_another_unit_sees_names_but_no_download_links(world):
    html = _page(login(world, "gddt"), "6.1")
    assert "Tờ trình điều chỉnh quy hoạch.docx" in html
    assert "/attachments/" not in html
    html = _page(login(world, "qldt"), "6.1")
    assert "/attachments/" in html


def test_unknown_directive_is_404(world):
    response = login(world, "xem").get("/directives/999999")
    assert response.status_code == 404
    assert "Không tìm thấy nhiệm vụ." in response.get_data(as_text=True)


def _count_queries(client, url: str) -> int:
    statements: list[str] = []

    def listener(*args):
        statements.append(args[2])

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
        assert response.status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def test_query_count_does_not_grow_with_updates_and_attachments(world, no_page_cache):
    client = login(world, "xem")
    url = f"/directives/{directive('7').id}"
    before = _count_queries(client, url)
    gddt, p9 = user("gddt"), user("phuong9")
    for i in range(6):
        for a, author in ((assignment("7", "GDDT"), gddt), (assignment("7", "P9"), p9)):
            workflow.post_progress(
                a, author, percent=80 + i, result=f"Cập nhật số {i}.",
                files=[(f"minh-chung-{i}.pdf", minimal_pdf([f"page {i}"])),
                       (f"phu-luc-{i}.pdf", minimal_pdf(["annex"]))],
                at=vn(4, 1 + i % 3, 9 + i),
            )
    workflow.request_extension(assignment("7", "P9"), p9, reason="Chờ số liệu.",
                               proposed_deadline=dt.date(2023, 4, 20))
    db.session.commit()
    after = _count_queries(client, url)
    assert after == before


# --- Việc của đơn vị --------------------------------------------------------------------------


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.split("<tr")[1:]


def test_my_unit_lists_open_work_first_overdue_first(world):
    html = login(world, "kinhte").get("/my-unit").get_data(as_text=True)
    assert "Việc của đơn vị: Phòng Kinh tế" in html
    rows = _rows(html)
    buckets = [
        "overdue" if "Đang thực hiện quá hạn" in r else
        "not_started" if "Chưa triển khai</span>" in r else
        "done" if "Hoàn thành" in r else "?"
        for r in rows
    ]
    assert buckets == ["overdue", "overdue", "not_started", "done"], buckets
    assert "Sắp đến hạn" not in rows[2]  # 28/04 is not within a week of 05/04
    assert "gia hạn, hạn ban đầu 31/03/2023" in rows[2]


def test_my_unit_shows_open_work_and_the_latest_closed_counting_everything(world, monkeypatch):
    """Ten years of a ward are over a thousand assignments, nearly all done: the page shows
    the open work and the latest closed items; the counts cover everything; "all" shows all."""
    monkeypatch.setattr(unit_work, "CLOSED_SHOWN", 0)
    client = login(world, "kinhte")
    html = client.get("/my-unit").get_data(as_text=True)
    assert len(_rows(html)) == 3  # the overdue and not started work; the done one hidden
    assert "Đã hoàn thành: 1" in html and "Quá hạn: 2" in html
    assert "còn 1 việc cũ hơn" in html and 'href="/my-unit?all=1"' in html
    everything = client.get("/my-unit?all=1").get_data(as_text=True)
    assert len(_rows(everything)) == 4 and "còn 1 việc cũ hơn" not in everything
    assert "Chỉ hiện việc đang làm và 0 việc đã xong gần nhất" in everything
    # a leader looking at a unit keeps it in the link
    unit_id = assignment("2", "KT").unit_id
    html = login(world, "chutich").get(f"/my-unit?unit_id={unit_id}").get_data(as_text=True)
    assert f'href="/my-unit?all=1&amp;unit_id={unit_id}"' in html
    monkeypatch.setattr(unit_work, "CLOSED_SHOWN", 1)
    html = client.get("/my-unit").get_data(as_text=True)
    assert len(_rows(html)) == 4 and "id=\"closed-hidden\"" not in html


def test_sort_key_orders_by_days_overdue_then_deadline_then_done():
    def item(bucket, deadline=None, days=0, completed=None, ident=0):
        a = SimpleNamespace(id=ident, completed_on=completed)
        return a, Status(bucket, deadline, days)

    items = [
        item(Bucket.DONE_ON_TIME, completed=dt.date(2023, 3, 20), ident=1),
        item(Bucket.IN_PROGRESS, dt.date(2023, 4, 30), ident=2),
        item(Bucket.OVERDUE, dt.date(2023, 4, 1), days=4, ident=3),
        item(Bucket.NO_DEADLINE, ident=4),
        item(Bucket.NOT_STARTED, dt.date(2023, 4, 7), ident=5),
        item(Bucket.OVERDUE, dt.date(2023, 3, 15), days=21, ident=6),
        item(Bucket.DONE_LATE, completed=dt.date(2023, 4, 2), ident=7),
        item(Bucket.WITHDRAWN, ident=8),
    ]
    ordered = [a.id for a, st in sorted(items, key=lambda pair: sort_key(*pair))]
    assert ordered == [6, 3, 5, 2, 4, 7, 1, 8]


def test_officer_cannot_look_at_another_unit_through_the_query_string(world):
    other = assignment("13", "CA").unit_id
    html = login(world, "gddt").get(f"/my-unit?unit_id={other}").get_data(as_text=True)
    assert "Việc của đơn vị: Phòng Giáo dục và Đào tạo" in html
    assert "Công an thành phố" not in html


def test_managers_and_viewers_pick_any_unit(world):
    unit_id = assignment("13", "CA").unit_id
    for username in ("chutich", "vanphong", "admin", "xem"):
        client = login(world, username)
        html = client.get("/my-unit").get_data(as_text=True)
        assert "Chọn một đơn vị" in html
        html = client.get(f"/my-unit?unit_id={unit_id}").get_data(as_text=True)
        assert "Việc của đơn vị: Công an thành phố" in html
        assert "Tăng cường công tác bảo đảm an ninh trật tự" in html
    assert login(world, "xem").get("/my-unit?unit_id=999999").status_code == 404


def test_my_unit_query_count_is_flat(world):
    client = login(world, "gddt")
    before = _count_queries(client, "/my-unit")
    officer = user("gddt")
    for i in range(5):
        workflow.post_progress(assignment("7", "GDDT"), officer, percent=81 + i,
                               result=f"Thêm {i}.")
    db.session.commit()
    assert _count_queries(client, "/my-unit") == before
