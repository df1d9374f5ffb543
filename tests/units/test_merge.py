"""Two wards merged on 1/7/2025: old work keeps its unit, the July scoreboard shows the new ward
with both records, new work for an old ward is refused; merges cannot form cycles; a unit with
work cannot be deleted; only admins change units."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tracker.admin import services as admin_services
from tracker.auth.models import User
from tracker.constants import LEAD
from tracker.core.errors import UserError
from tracker.core.periods import PeriodKey
from tracker.directives import services as directive_services
from tracker.directives.models import Assignment, Directive
from tracker.directives.services import DATE_DEADLINE, DeadlineSpec, DirectiveInput
from tracker.extensions import db
from tracker.intake import drafts
from tracker.intake.parser import parse_report
from tracker.units.models import Unit, UnitSuccession

MERGE_DAY = dt.date(2025, 7, 1)


def _unit(code: str) -> Unit:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def _user(name: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == name))


def _task(period: PeriodKey, number: str, unit: Unit, assigned_on: dt.date,
          deadline: dt.date) -> Assignment:
    leader = _user("chutich")
    directive = directive_services.create_directive(DirectiveInput(
        number=number, title=f"Nhiệm vụ {number} của {unit.name}", text="", field="chi_dao",
        deadline=deadline, leader_id=leader.id, parent_id=None, period=period), user=leader)
    return directive_services.assign_unit(directive, unit, LEAD,
                                          DeadlineSpec(DATE_DEADLINE, day=deadline),
                                          user=leader, today=assigned_on)


@pytest.fixture
def merged(demo):
    """P1 and P2 merge into the new Phường Trà Vinh (PTV) on 1/7/2025, with work around it."""
    june, july = PeriodKey(2025, 6), PeriodKey(2025, 7)
    june_task = _task(june, "1", _unit("P1"), dt.date(2025, 6, 5), dt.date(2025, 6, 30))
    # July's tasks were given on 25/6, before the merge, to the old wards.
    _task(july, "1", _unit("P1"), dt.date(2025, 6, 25), dt.date(2025, 7, 31))
    _task(july, "2", _unit("P2"), dt.date(2025, 6, 25), dt.date(2025, 7, 15))
    new = admin_services.create_unit(code="PTV", name="Phường Trà Vinh", kind="phuong",
                                     email=None, active=True, valid_from=MERGE_DAY)
    admin_services.merge_units([_unit("P1"), _unit("P2")], new, MERGE_DAY)
    _task(july, "3", new, dt.date(2025, 7, 2), dt.date(2025, 7, 20))
    db.session.commit()
    return {"june_task": june_task.id}


def test_june_task_keeps_its_ward(merged, client, auth):
    assignment = db.session.get(Assignment, merged["june_task"])
    assert assignment.unit.code == "P1"
    assert _unit("P1").ended_on == MERGE_DAY and _unit("P2").ended_on == MERGE_DAY
    auth.login("xem")
    page = client.get(f"/units/{_unit('P1').id}?period=2025-06&as_of=10/07/2025")
    html = page.get_data(as_text=True)
    assert "Nhiệm vụ 1 của Phường 1" in html
    assert "Ngừng hoạt động từ ngày 01/07/2025" in html and "Phường Trà Vinh" in html


def _rows(html: str, table: str) -> dict[str, str]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    pattern = r'<tr data-unit="(\d+)"[^>]*>(.*?)</tr>'
    return dict(re.findall(pattern, body, re.S))


def test_july_scoreboard_shows_the_new_ward_with_both_records(merged, client, auth):
    auth.login("xem")
    new, p1, p2 = _unit("PTV"), _unit("P1"), _unit("P2")
    html = client.get("/dashboard?period=2025-07&as_of=10/07/2025").get_data(as_text=True)
    rows = _rows(html, "scoreboard-units")
    assert str(p1.id) not in rows and str(p2.id) not in rows
    row = rows[str(new.id)]
    assert "Gồm cả: Phường 1, Phường 2" in row
    cells = re.findall(r'<td class="text-end[^"]*"[^>]*>([^<]*)</td>', row)
    assert cells[0] == "3"  # its own task and one task of each old ward
    units_page = client.get("/units/?period=2025-07&as_of=10/07/2025").get_data(as_text=True)
    assert "Gồm cả: Phường 1, Phường 2" in _rows(units_page, "unit-list")[str(new.id)]
    # June as it was: the old wards in their own rows, the new ward not yet there.
    june = _rows(client.get("/dashboard?period=2025-06&as_of=10/07/2025")
                 .get_data(as_text=True), "scoreboard-units")
    assert str(p1.id) in june and str(new.id) not in june
    # The new ward's page carries the old wards' record, period by period.
    page = client.get(f"/units/{new.id}?period=2025-07&as_of=10/07/2025").get_data(as_text=True)
    assert "kể cả các đơn vị trước sáp nhập" in page
    assert 'data-period="2025-06"' in page and 'data-period="2025-07"' in page
    assert "Nhiệm vụ 2 của Phường 2" in page  # the old ward's July task on the new ward's page
    # Its record names the old wards' part of each period, linking the period's page.
    record = dict(re.findall(r'<tr data-period="([^"]+)">(.*?)</tr>',
                             page.split('id="unit-record"', 1)[1], re.S))
    assert "Gồm: Phường 1 (1)" in record["2025-06"] and "Phường 2" not in record["2025-06"]
    assert "Gồm: Phường 1 (1), Phường 2 (1)" in record["2025-07"]
    assert f'href="/units/{new.id}?period=2025-07"' in record["2025-07"]


def test_new_assignment_to_the_old_ward_is_refused(merged, app, client, auth):
    app.config["TRACKER_TODAY"] = "2025-07-02"
    directive = db.session.scalar(sa.select(Directive).where(Directive.number == "3"))
    auth.login("vanphong")
    response = client.post(f"/directives/{directive.id}/assignments", data={
        "unit_id": _unit("P1").id, "role": "support", "deadline_kind": "none"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Phường 1 đã ngừng hoạt động từ ngày 01/07/2025, không thể giao việc ngày 02/07/2025" \
        in text and "Hãy giao cho Phường Trà Vinh" in text
    assert not db.session.scalar(sa.select(Assignment.id).where(
        Assignment.directive_id == directive.id, Assignment.unit_id == _unit("P1").id))
    # The importer refuses it too: nothing of the report is created.
    report = ("II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG 8/2025\n"
              "1. Giao Phường 1 chủ trì rà soát hộ nghèo.\n")
    parsed = parse_report(report)
    choice = drafts.ItemChoice(field="chi_dao", lead_units=["P1"], support_units=[],
                               deadline=dt.date(2025, 8, 31))
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Directive))
    with pytest.raises(UserError, match="Phường 1 đã ngừng hoạt động từ ngày 01/07/2025"):
        drafts.import_report(parsed, report, assigned_on=dt.date(2025, 7, 28),
                             choices={"1": choice})
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Directive)) == before


def test_a_merge_cannot_form_a_cycle(merged, client, auth):
    new, p1 = _unit("PTV"), _unit("P1")
    with pytest.raises(UserError, match="vòng tròn"):
        admin_services.record_succession(new, p1, dt.date(2025, 8, 1), "merge")
    db.session.rollback()
    auth.login("admin")
    response = client.post(f"/admin/units/{new.id}/successions", data={
        "successor_id": p1.id, "effective_on": "01/08/2025", "kind": "merge"})
    assert response.status_code == 400 and "vòng tròn" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UnitSuccession)) == 2
    assert _unit("PTV").ended_on is None


def test_unit_with_assignments_is_ended_not_deleted(merged, client, auth):
    auth.login("admin")
    p1 = _unit("P1")
    response = client.post(f"/admin/units/{p1.id}/delete")
    assert response.status_code == 400
    assert "không thể xóa; hãy nhập ngày ngừng hoạt động" in response.get_data(as_text=True)
    assert _unit("P1") is not None
    spare = admin_services.create_unit(code="TAM", name="Tổ công tác tạm", kind="phong",
                                       email=None, active=True)
    db.session.commit()
    assert client.post(f"/admin/units/{spare.id}/delete").status_code == 302
    assert _unit("TAM") is None
    # A unit cannot end before work it was given.
    p2 = _unit("P2")
    response = client.post(f"/admin/units/{p2.id}", data={
        "name": p2.name, "kind": "phuong", "active": "y", "ended_on": "20/06/2025",
        "version": p2.version})
    assert response.status_code == 400
    assert "được giao việc ngày 25/06/2025" in response.get_data(as_text=True)


def test_only_admins_change_units_and_the_organization(merged, client, auth):
    p1, new = _unit("P1"), _unit("PTV")
    for username in ("vanphong", "chutich", "gddt", "xem"):
        auth.login(username)
        assert client.post(f"/admin/units/{new.id}/delete").status_code == 403
        assert client.post(f"/admin/units/{p1.id}/successions", data={
            "successor_id": new.id, "effective_on": "01/07/2025", "kind": "merge"}
        ).status_code == 403
        assert client.post("/admin/organization", data={"name": "Tỉnh Khác",
                                                        "level": "province"}).status_code == 403
        auth.logout()
    assert _unit("PTV") is not None
