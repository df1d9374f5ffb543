"""Typed unit kinds: what a name implies, the class the importer and report read, and the
scoreboards and lists filtered by kind ("Các xã, phường", "Sở, ban, ngành")."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tracker.admin import services as admin_services
from tracker.core.errors import UserError
from tracker.directives.models import Assignment, Directive
from tracker.extensions import db
from tracker.units import kinds
from tracker.units.models import Unit


@pytest.mark.parametrize(("unit_class", "name", "expected"), [
    ("ward", "Phường 9", kinds.PHUONG),
    ("ward", "Xã Long Đức", kinds.XA),
    ("ward", "UBND phường 7", kinds.PHUONG),
    ("ward", "Đặc khu Côn Đảo", kinds.DAC_KHU),
    ("ward", "Thị trấn Cầu Kè", kinds.THI_TRAN),
    ("department", "Sở Tài chính", kinds.SO_NGANH),
    ("department", "Phòng Văn hóa - Xã hội", kinds.PHONG),
    ("department", "Văn phòng HĐND và UBND", kinds.PHONG),
    ("department", "Công an thành phố", kinds.NGANH_DOC),
    ("department", "Chi cục Thuế khu vực", kinds.NGANH_DOC),
    ("department", "Trung tâm Y tế", kinds.SU_NGHIEP),
    ("department", "Ban Quản lý dự án đầu tư xây dựng", kinds.SU_NGHIEP),
    ("leadership", "Lãnh đạo UBND thành phố", kinds.LANH_DAO),
    ("district", "Huyện Long Hồ (cũ)", kinds.HUYEN),
])
def test_infer_type_from_class_and_name(unit_class, name, expected):
    assert kinds.infer_type(unit_class, name) == expected
    assert kinds.class_of(expected) == (unit_class if unit_class != "district" else "district")


def test_create_unit_takes_a_class_or_a_kind(app):
    """The importer creates units with the coarse class; the name then tells xã from phường."""
    commune = admin_services.create_unit(code="XTH", name="Xã Tân Hòa", kind="ward", email=None,
                                         active=True)
    office = admin_services.create_unit(code="SYT", name="Sở Y tế", kind="so_nganh", email=None,
                                        active=True)
    assert (commune.unit_type, commune.kind) == ("xa", "ward")
    assert (office.unit_type, office.kind) == ("so_nganh", "department")
    with pytest.raises(UserError, match="Loại đơn vị không hợp lệ"):
        admin_services.create_unit(code="X", name="X", kind="planet", email=None, active=True)


@pytest.fixture
def spread_kinds(demo):
    """The demo's March 2023 tasks: wards and departments both assigned."""
    return demo


def _rows(html: str, table: str, attr: str) -> list[str]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return re.findall(rf'<tr data-{attr}="([^"]+)"', body)


def test_dashboard_scoreboard_by_kind_and_filter(spread_kinds, client, auth):
    auth.login("xem")
    html = client.get("/dashboard?period=2023-03&as_of=05/04/2023").get_data(as_text=True)
    groups = _rows(html, "scoreboard-groups", "group")
    assert kinds.LOCAL_GROUP in groups and kinds.PHONG in groups
    assert "Các xã, phường, đặc khu" in html and "Cơ quan ngành dọc" in html
    wards = {u.id for u in db.session.scalars(sa.select(Unit).where(Unit.kind == "ward"))}
    filtered = client.get("/dashboard?period=2023-03&as_of=05/04/2023&kind=xa_phuong")
    shown = {int(x) for x in _rows(filtered.get_data(as_text=True), "scoreboard-units", "unit")}
    assert shown and shown <= wards
    # The group line counts exactly the assignments of those units.
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)
                              .where(Assignment.unit_id.in_(wards)))
    row = html.split('data-group="xa_phuong"', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'<td class="text-end[^"]*"[^>]*>([^<]*)</td>', row)[0] == str(total)
    assert client.get("/dashboard?kind=planet").status_code == 400


def test_directive_list_filters_by_kind(spread_kinds, client, auth):
    auth.login("xem")
    html = client.get("/directives?period=2023-03&kind=xa_phuong&per_page=100")
    assert html.status_code == 200
    page = html.get_data(as_text=True)
    wards = {u.id for u in db.session.scalars(sa.select(Unit).where(Unit.kind == "ward"))}
    expected = set()
    for d in db.session.scalars(sa.select(Directive).where(Directive.parent_id.is_(None))):
        units = {a.unit_id for a in d.assignments} | {
            a.unit_id for c in d.children for a in c.assignments}
        if units & wards:
            expected.add(d.number)
    rows = re.findall(r'<tr data-directive="\d+">(.*?)</tr>', page, flags=re.S)
    shown = {re.search(r'<span class="d-none d-md-inline">([\d.]+)</span>', r).group(1)
             for r in rows}
    assert shown == expected and expected
    assert 'value="xa_phuong" selected' in page
    assert client.get("/directives?kind=planet").status_code == 400
    assert client.get("/units/?kind=so_nganh").status_code == 200
