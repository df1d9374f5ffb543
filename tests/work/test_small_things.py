"""What people stumbled on: the history in Vietnamese, tasks named with their period in mails and
lists, a unit without tasks in a period, the links of `make run` on another port."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tests.directives.workflow_helpers import directive, login, user
from tracker.core import audit, uow
from tracker.core.periods import PeriodKey
from tracker.devserver import child_environment
from tracker.directives import services
from tracker.directives.models import Directive
from tracker.directives.queries import get_or_create_period
from tracker.extensions import db
from tracker.reminders.jobs import run_reminders
from tracker.reminders.models import OutboxMessage
from tracker.units.models import Unit


@pytest.fixture
def world(demo):
    demo.config["TRACKER_TODAY"] = "2023-04-05"
    return demo


def _history(client, directive_id: int) -> str:
    page = client.get(f"/directives/{directive_id}").get_data(as_text=True)
    return page[page.index("Lịch sử thay đổi"):]


# --- the history speaks Vietnamese -------------------------------------------------------------


def test_a_carried_over_task_says_where_it_came_from(world):
    old = directive("2")
    april = get_or_create_period(PeriodKey(2023, 4))
    new = Directive(period_id=april.id, number="1", title=old.title, text=old.text,
                    field=old.field, carried_from_id=old.id, deadline=dt.date(2023, 4, 30))
    db.session.add(new)
    db.session.flush()
    # What issuing a report writes (tracker/reports/finalise.py).
    audit.record("directive", new.id, "carry_over", {"from": old.id}, {"period": april.key},
                 user=user("vanphong"), directive_id=new.id)
    uow.commit()
    history = _history(login(world, "xem"), new.id)
    assert "Chuyển từ kỳ 03/2023" in history
    assert "Nhiệm vụ kỳ trước:</span> Nhiệm vụ 2 (tháng 03/2023)" in history
    assert "Kỳ:</span> 04/2023" in history
    assert "carry_over" not in history and "from:" not in history and "2023-04" not in history


def test_imports_edits_assignments_and_withdrawals_read_as_words(world):
    d = directive("11")
    leader = user("chutich")
    services.update_directive(d, services.DirectiveInput(
        number=d.number, title=d.title, text=d.text, field=d.field, deadline=d.deadline,
        leader_id=user("phochutich").id, parent_id=None, period=None), user=leader)
    p9 = db.session.scalar(sa.select(Unit).where(Unit.code == "P9"))
    services.assign_unit(d, p9, "support", services.DeadlineSpec("date", day=dt.date(2023, 4, 28)),
                         user=leader, today=dt.date(2023, 4, 5))
    services.withdraw_directive(d, "Đã lồng ghép vào nhiệm vụ khác.", user=leader)
    uow.commit()
    history = _history(login(world, "xem"), d.id)
    assert "Lãnh đạo phụ trách:</span> Nguyễn Văn Tâm → Trần Thị Hồng" in history
    assert "Phường 9" in history and "Vai trò:</span> Phối hợp" in history
    assert "Ngày giao:</span> 05/04/2023" in history
    assert "Trạng thái các phân công:</span> Chưa triển khai → Đã rút" in history
    assert "Phòng Dân tộc (chủ trì)" in history  # the import's units, by name and role
    # No raw field names, codes or ISO dates anywhere in the history.
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", history.split("</table>")[0].replace(
        "table-light", "").replace("text-nowrap", "").replace("fw-semibold", "")), history
    assert not re.search(r"\d{4}-\d{2}-\d{2}", history)


def test_every_demo_history_is_free_of_raw_keys(world):
    client = login(world, "xem")
    for d in db.session.scalars(sa.select(Directive)):
        history = _history(client, d.id)
        rows = re.findall(r'<span class="fw-semibold">([^<]+):</span>', history)
        assert rows and not [r for r in rows if re.fullmatch(r"[a-z_]+", r)], (d.number, rows)


# --- tasks named with their period --------------------------------------------------------------


def test_reminder_mails_name_each_task_with_its_period(world):
    run_reminders(dt.date(2023, 4, 3))
    bodies = [m.text_body for m in db.session.scalars(sa.select(OutboxMessage))]
    assert bodies and any("Nhiệm vụ 2 (tháng 03/2023): " in b for b in bodies)
    assert not any(re.search(r"Nhiệm vụ \d+(\.\d+)?: ", b) for b in bodies)


def test_the_unit_list_names_tasks_with_their_period(world):
    page = login(world, "gddt").get("/my-unit").get_data(as_text=True)
    assert "Nhiệm vụ 7 (tháng 03/2023)" in page


# --- a unit without tasks in a period ----------------------------------------------------------


@pytest.mark.parametrize("code", ["LDUB", "VP"])
def test_leadership_and_office_pages_show_an_empty_state(world, code):
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == code))
    client = login(world, "chutich")
    index = client.get("/units/?period=2023-03").get_data(as_text=True)
    link = f"/units/{unit.id}?period=2023-03"
    assert link in index
    response = client.get(link)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"{unit.name} không được giao nhiệm vụ nào trong tháng 03/2023." in page
    assert client.get(f"/units/{unit.id}?period=abc").status_code == 400  # nonsense stays 400


# --- make run on another port -------------------------------------------------------------------


def test_base_url_follows_host_and_port_unless_set():
    assert child_environment({}, "127.0.0.1", "8080")["BASE_URL"] == "http://127.0.0.1:8080"
    everywhere = "0.0.0.0"  # noqa: S104 - what HOST may say; the links then use loopback
    assert child_environment({}, everywhere, "5001")["BASE_URL"] == "http://127.0.0.1:5001"
    assert child_environment({}, "::1", "5001")["BASE_URL"] == "http://[::1]:5001"
    given = {"BASE_URL": "https://nhiemvu.travinh.gov.vn", "PATH": "/bin"}
    env = child_environment(given, "127.0.0.1", "8080")
    assert env["BASE_URL"] == "https://nhiemvu.travinh.gov.vn" and env["PATH"] == "/bin"
