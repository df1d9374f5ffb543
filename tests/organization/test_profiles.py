"""Each ready profile end to end: `seed-demo --profile` sets up the organization and imports its
report; a manager assigns one more unit, the unit's officer reports progress, and the monthly
report is built: its .docx carries that profile's header, place, signer, recipients and fields."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from docx import Document

from tracker.auth.models import User
from tracker.directives.models import Assignment, Directive, Period, SourceDocument
from tracker.extensions import db
from tracker.organization import services as organization
from tracker.units.models import Unit


@dataclass(frozen=True)
class Case:
    profile: str
    period: str  # the month of the imported tasks
    as_of: dt.date
    header: tuple[str, str]
    date_line: str
    signer: str
    short_name: str
    field_label: str  # a field of this profile's report
    number: str  # a task that field's rule routes, and its lead unit
    lead: str
    extra_unit: str  # assigned by hand in the test, then progressed by its officer
    officer: str
    assign_number: str  # the task the extra unit joins


CASES = [
    Case("city-2023", "2023-03", dt.date(2023, 4, 5), ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ TRÀ VINH"),
         "Trà Vinh, ngày 05 tháng 4 năm 2023", "Nguyễn Văn Tâm", "UBND thành phố Trà Vinh",
         "Công tác nội chính", "13", "CA", "P9", "phuong9", "13"),
    Case("province-2025", "2025-09", dt.date(2025, 10, 5), ("ỦY BAN NHÂN DÂN", "TỈNH VĨNH LONG"),
         "Vĩnh Long, ngày 05 tháng 10 năm 2025", "Trần Quốc Khánh", "UBND tỉnh Vĩnh Long",
         "Vận hành chính quyền địa phương hai cấp", "1", "SNV", "XCAINHUM", "xacainhum", "2"),
    Case("commune-2025", "2025-10", dt.date(2025, 11, 5), ("ỦY BAN NHÂN DÂN", "PHƯỜNG TRÀ VINH"),
         "Trà Vinh, ngày 05 tháng 11 năm 2025", "Thạch Thị Sô Phal", "UBND phường Trà Vinh",
         "Quốc phòng, an ninh, trật tự an toàn xã hội", "5", "CA", "VHXH", "vanhoa", "5"),
]


def _directive(period: str, number: str) -> Directive:
    year, month = (int(x) for x in period.split("-"))
    return db.session.scalar(
        sa.select(Directive).join(Period).where(Period.year == year, Period.month == month,
                                                Directive.number == number,
                                                Directive.parent_id.is_(None)))


def _assignment(directive: Directive, code: str) -> Assignment:
    return db.session.scalar(sa.select(Assignment).join(Unit).where(
        Assignment.directive_id == directive.id, Unit.code == code))


def _docx_texts(data: bytes) -> tuple[list[str], list[str], str]:
    document = Document(io.BytesIO(data))
    header = document.tables[0]
    left = [p.text for p in header.rows[0].cells[0].paragraphs if p.text.strip()]
    body = [p.text for p in document.paragraphs]
    tables = " ".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    return left, body, tables + " " + header.rows[1].cells[1].text


@pytest.mark.parametrize("case", CASES, ids=[c.profile for c in CASES])
def test_profile_imports_assigns_progresses_and_reports(app, runner, client, auth, case: Case):
    result = runner.invoke(args=["seed-demo", "--profile", case.profile])
    assert result.exit_code == 0, result.output
    org = organization.current()
    assert org.profile == case.profile and org.short_name == case.short_name
    assert case.field_label in org.field_labels.values()

    # Imported: issued by the organization, routed by the profile's rules.
    source = db.session.scalar(sa.select(SourceDocument))
    assert source.issuer == case.short_name
    directive = _directive(case.period, case.number)
    assert org.field_labels[directive.field] == case.field_label
    assert _assignment(directive, case.lead).role == "lead"

    # Assigned by hand, then progressed by the unit's own officer.
    directive = _directive(case.period, case.assign_number)
    app.config["TRACKER_TODAY"] = (case.as_of - dt.timedelta(days=30)).isoformat()
    extra = db.session.scalar(sa.select(Unit).where(Unit.code == case.extra_unit))
    auth.login("vanphong")
    response = client.post(f"/directives/{directive.id}/assignments", data={
        "unit_id": extra.id, "role": "support", "deadline_kind": "none"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    auth.logout()
    assignment = _assignment(directive, case.extra_unit)
    auth.login(case.officer)
    response = client.post(f"/assignments/{assignment.id}/progress", data={
        "percent": "100", "result": f"Kết quả phối hợp của {extra.name} trong tháng.",
        "version": assignment.version})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    auth.logout()

    # The monthly report, built on the reports page, in this profile's words.
    app.config["TRACKER_TODAY"] = case.as_of.isoformat()
    auth.login("vanphong")
    response = client.post("/reports/", data={"period": case.period,
                                              "as_of": case.as_of.strftime("%d/%m/%Y")})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    report_url = response.headers["Location"]
    data = client.get(report_url.rstrip("/") + "/bao-cao.docx").data
    left, body, tables = _docx_texts(data)
    assert left[:2] == list(case.header)
    assert case.date_line in tables
    assert "/BC-UBND" in tables and case.signer in tables
    headings = [line for line in body if line[:2].rstrip(".").isdigit() and line.endswith(":")]
    assert any(case.field_label in h for h in headings), headings
    assert any(extra.name in line for line in body), "the hand-assigned unit's result"
    for code, label in org.fields:
        if db.session.scalar(sa.select(Directive.id).where(Directive.field == code).limit(1)):
            assert any(label in h for h in headings), label


def test_commune_named_officer_alone_reports_and_is_reminded(app, runner, client, auth):
    """Officers as assignees: a task named to one officer of a phòng is that officer's to
    report; another officer of the same phòng is refused; reminders go to the named officer."""
    from tracker.reminders import services as reminders

    assert runner.invoke(args=["seed-demo", "--profile", "commune-2025"]).exit_code == 0
    directive = _directive("2025-10", "7")
    assignment = _assignment(directive, "KT")
    assert assignment.officer.username == "diachinh"
    app.config["TRACKER_TODAY"] = "2025-10-29"
    form = {"percent": "60", "result": "Đã xử lý thêm 3 trường hợp lấn chiếm.",
            "version": assignment.version}
    auth.login("taichinh")  # the other officer of Phòng Kinh tế - Hạ tầng - Đô thị
    response = client.post(f"/assignments/{assignment.id}/progress", data=form)
    assert response.status_code == 403
    assert "đích danh" in response.get_data(as_text=True)
    auth.logout()
    auth.login("diachinh")
    assert client.post(f"/assignments/{assignment.id}/progress", data=form).status_code == 302
    auth.logout()

    plan = reminders.plan_reminders(dt.date(2025, 11, 5))
    to = {m.recipient.address.split("@")[0]: m for m in plan.messages}
    assert "diachinh" in to and "kt" in to  # the named officer and the phòng's mailbox
    named_tasks = to["diachinh"].text
    assert "lấn chiếm" in named_tasks.lower() or "trật tự xây dựng" in named_tasks.lower()
    assert "taichinh" not in to or "trật tự xây dựng" not in to["taichinh"].text


def test_named_officer_must_belong_to_the_unit(app, runner, client, auth):
    assert runner.invoke(args=["seed-demo", "--profile", "commune-2025"]).exit_code == 0
    directive = _directive("2025-10", "1")
    stranger = db.session.scalar(sa.select(User).where(User.username == "congan"))
    app.config["TRACKER_TODAY"] = "2025-10-02"
    auth.login("vanphong")
    vhxh = db.session.scalar(sa.select(Unit).where(Unit.code == "VHXH"))
    response = client.post(f"/directives/{directive.id}/assignments", data={
        "unit_id": vhxh.id, "officer_id": stranger.id, "role": "support",
        "deadline_kind": "none"})
    assert response.status_code == 400
    assert "không phải cán bộ đang làm việc tại Phòng Văn hóa - Xã hội" in \
        response.get_data(as_text=True)
    assert _assignment(directive, "VHXH") is None
    # An officer alone is enough: the task goes to the officer's phòng.
    officer = db.session.scalar(sa.select(User).where(User.username == "vanhoa"))
    response = client.post(f"/directives/{directive.id}/assignments", data={
        "officer_id": officer.id, "role": "support", "deadline_kind": "none"})
    assert response.status_code == 302
    assert _assignment(directive, "VHXH").officer_id == officer.id


def test_cached_task_page_shows_the_progress_form_to_the_named_officer_only(app, runner):
    """The page cache is shared by role and unit; a task named to one officer of a unit must
    not show that officer's form to a colleague (or hide it from the officer)."""
    from tests.conftest import Auth

    assert runner.invoke(args=["seed-demo", "--profile", "commune-2025"]).exit_code == 0
    app.config["TRACKER_TODAY"] = "2025-10-29"
    assignment = _assignment(_directive("2025-10", "7"), "KT")
    form = f'action="/assignments/{assignment.id}/progress"'
    url = f"/directives/{assignment.directive_id}"
    clients = {name: app.test_client() for name in ("taichinh", "diachinh")}
    for name, client in clients.items():  # both signed in before any page is cached
        Auth(client).login(name)
    cache = app.extensions["page_cache"]
    for username, shown in (("taichinh", False), ("diachinh", True), ("taichinh", False),
                            ("diachinh", True)):
        assert (form in clients[username].get(url).get_data(as_text=True)) is shown, username
    assert cache.hits == 2  # each officer's second view came from the cache


def test_named_officer_shows_on_the_task_page_and_the_unit_page(app, runner, client, auth,
                                                                  no_page_cache):
    """The pages load the officer with the assignment (no query per officer): the name is on
    the task's page and on the phòng's page for the task's month."""
    from tests.directives.pagedata import count_queries

    assert runner.invoke(args=["seed-demo", "--profile", "commune-2025"]).exit_code == 0
    directive = _directive("2025-10", "7")
    assignment = _assignment(directive, "KT")
    officer = assignment.officer
    assert officer is not None
    app.config["TRACKER_TODAY"] = "2025-10-29"
    auth.login("chutich")
    pages = (f"/directives/{directive.id}",
             f"/units/{assignment.unit_id}?period=2025-10")
    counts = []
    for url in pages:
        client.get(url)  # per-process caches warmed
        with count_queries() as statements:
            html = client.get(url).get_data(as_text=True)
        assert f"Công chức: {officer.full_name}" in html, url
        counts.append(len(statements))
    # the same pages without the officer named cost the same queries
    assignment = _assignment(directive, "KT")
    assignment.officer_id = None
    db.session.commit()
    for url, before in zip(pages, counts, strict=True):
        client.get(url)  # the data moved: per-process caches warmed again
        with count_queries() as statements:
            html = client.get(url).get_data(as_text=True)
        assert "Công chức: " + officer.full_name not in html
        assert len(statements) == before, url
