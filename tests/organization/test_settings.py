"""The organization as data: `flask init-organization`, the admin's settings page, the environment
variables seeding the first run, and every reader (pages, e-mails, the importer) following it."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tracker.auth import services as auth_services
from tracker.core.models import AuditEvent
from tracker.extensions import db
from tracker.organization import services as organization
from tracker.organization.models import Organization
from tracker.units.models import Unit

PASSWORD = "Admin@Organization2025"


def _units() -> dict[str, Unit]:
    return {u.code: u for u in db.session.scalars(sa.select(Unit))}


def test_init_organization_for_a_commune_then_repeat_adds_nothing(runner):
    result = runner.invoke(args=["init-organization", "--profile", "commune-2025",
                                 "--name", "Xã Tân Hòa", "--place", "Tân Hòa",
                                 "--signer", "Lâm Văn Út"])
    assert result.exit_code == 0, result.output
    assert "UBND xã Tân Hòa" in result.output and "XÃ TÂN HÒA" in result.output
    org = organization.current()
    assert (org.level, org.name, org.place) == ("commune", "Xã Tân Hòa", "Tân Hòa")
    assert (org.header_parent, org.header_name) == ("ỦY BAN NHÂN DÂN", "XÃ TÂN HÒA")
    assert org.signer_name == "Lâm Văn Út" and org.officer_assignees
    assert "quoc_phong_an_ninh" in org.field_labels
    assert any("xã" in r for r in org.recipients)
    units = _units()
    assert units["KT"].name == "Phòng Kinh tế"  # a xã has Phòng Kinh tế
    assert units["CA"].name == "Công an xã" and units["CA"].unit_type == "nganh_doc"
    assert units["TTPVHCC"].unit_type == "su_nghiep" and units["LDUB"].kind == "leadership"
    counts = (len(units), db.session.scalar(sa.select(sa.func.count()).select_from(
        sa.table("routing_rule"))))
    again = runner.invoke(args=["init-organization", "--profile", "commune-2025",
                                "--name", "Xã Tân Hòa", "--place", "Tân Hòa", "--keep"])
    assert again.exit_code == 0 and "đơn vị thêm mới: 0" in again.output
    assert (len(_units()), db.session.scalar(sa.select(sa.func.count()).select_from(
        sa.table("routing_rule")))) == counts


def test_init_organization_for_a_province(runner):
    result = runner.invoke(args=["init-organization", "--profile", "province-2025",
                                 "--name", "Tỉnh Vĩnh Long"])
    assert result.exit_code == 0, result.output
    org = organization.current()
    assert org.short_name == "UBND tỉnh Vĩnh Long" and org.place == "Vĩnh Long"
    units = list(_units().values())
    local = [u for u in units if u.unit_type in ("xa", "phuong")]
    assert 100 <= len(local) <= 170 and all(u.kind == "ward" for u in local)
    assert 15 <= len([u for u in units if u.unit_type in ("so_nganh", "nganh_doc")]) <= 20
    old_districts = [u for u in units if u.unit_type == "huyen"]
    assert old_districts and all(u.ended_on.isoformat() == "2025-07-01" for u in old_districts)
    assert all(u.parent is not None and u.parent.unit_type == "huyen" for u in local)
    rule = db.session.execute(sa.text(
        "SELECT unit_codes FROM routing_rule WHERE keywords LIKE '%các xã%'")).scalar()
    assert len(rule.split(",")) == len(local)  # "các xã, phường" goes to the commune group


def test_unknown_profile_and_switching_profiles_are_refused(runner):
    bad = runner.invoke(args=["init-organization", "--profile", "planet"])
    assert bad.exit_code != 0
    assert runner.invoke(args=["init-organization", "--profile", "province-2025"]).exit_code == 0
    switch = runner.invoke(args=["seed-demo", "--profile", "commune-2025"])
    assert switch.exit_code != 0 and "cơ sở dữ liệu mới" in switch.output


def test_environment_variables_seed_only_the_first_run(app, runner):
    app.config.update(ORG_NAME="THÀNH PHỐ SÓC TRĂNG", ORG_PLACE="Sóc Trăng")
    org = organization.current()  # nothing stored: the fallback reads the environment
    assert not org.configured and org.short_name == "UBND thành phố Sóc Trăng"
    assert (org.header_name, org.place) == ("THÀNH PHỐ SÓC TRĂNG", "Sóc Trăng")
    assert runner.invoke(args=["init-organization"]).exit_code == 0
    stored = db.session.get(Organization, 1)
    assert stored.header_name == "THÀNH PHỐ SÓC TRĂNG" and stored.place == "Sóc Trăng"
    app.config.update(ORG_NAME="TỈNH KHÁC", ORG_PLACE="Nơi khác")
    organization.forget()
    assert organization.current().place == "Sóc Trăng"  # stored data wins from now on


@pytest.fixture
def admin(app, client, auth, runner):
    assert runner.invoke(args=["init-organization", "--profile", "province-2025"]).exit_code == 0
    auth_services.create_user(username="quantri", full_name="Quản trị", password=PASSWORD,
                              role="admin")
    auth_services.create_user(username="vanphong", full_name="Văn phòng", password=PASSWORD,
                              role="secretariat", unit_code="VPUBT")
    db.session.commit()
    auth.login("quantri", PASSWORD)
    return client


def _form(client) -> dict[str, str]:  # noqa: ANN001
    page = client.get("/admin/organization").get_data(as_text=True)
    values = dict(re.findall(r'<input class="form-control" id="(\w+)" name="\w+" value="([^"]*)"',
                             page))
    values["version"] = re.search(r'name="version" value="(\d+)"', page).group(1)
    values["level"] = "province"
    values["recipients"] = re.search(r'name="recipients" rows="\d+">([^<]*)<', page).group(1)
    values["fields"] = re.search(r'name="fields" rows="\d+">([^<]*)<', page).group(1)
    return {k: v.replace("&#39;", "'") for k, v in values.items()}


def test_admin_edits_the_organization_and_every_reader_follows(admin, auth, client):
    data = _form(admin)
    data.update(signer_name="Nguyễn Văn Mới", place="Tân An",
                fields=data["fields"] + "\nkinh_te_so | Kinh tế số, chuyển đổi số")
    assert admin.post("/admin/organization", data=data).status_code == 302
    org = organization.current()
    assert org.signer_name == "Nguyễn Văn Mới" and org.place == "Tân An"
    assert org.field_labels["kinh_te_so"] == "Kinh tế số, chuyển đổi số"
    assert db.session.scalar(sa.select(AuditEvent.action).where(
        AuditEvent.entity == "organization").order_by(AuditEvent.id.desc()).limit(1)) == "update"
    page = admin.get("/directives").get_data(as_text=True)
    assert "<title>Danh sách nhiệm vụ · UBND tỉnh Vĩnh Long</title>" in page
    assert "Kinh tế số, chuyển đổi số" in page  # the list's field filter
    auth.logout()
    login = client.get("/login").get_data(as_text=True)
    assert "UBND tỉnh Vĩnh Long" in login and "Trà Vinh" not in login


@pytest.mark.parametrize(("change", "message"), [
    ({"name": ""}, "Tên cơ quan, địa phương không được để trống"),
    ({"level": "galaxy"}, "Cấp chính quyền không hợp lệ"),
    ({"number_series": "bc ubnd"}, "Ký hiệu số báo cáo"),
    ({"fields": "chi_dao | Chỉ đạo"}, "Không được bỏ các lĩnh vực"),
    ({"fields": "Chỉ đạo điều hành"}, "viết theo dạng"),
    ({"fields": "chi_dao | A\nchi_dao | B"}, "bị lặp"),
    ({"fields": "Chi Dao | A"}, "không hợp lệ"),
    ({"name": "x" * 201}, "dài tối đa"),
])
def test_bad_organization_input_is_a_400_and_changes_nothing(admin, change, message):
    before = organization.current()
    data = {**_form(admin), **change}
    response = admin.post("/admin/organization", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    organization.forget()
    assert organization.current() == before


def test_a_field_in_use_cannot_be_removed_and_a_stale_form_is_409(admin):
    from tracker.intake.models import RoutingRule

    data = _form(admin)
    used = db.session.scalar(sa.select(RoutingRule.field).where(
        RoutingRule.field == "chinh_quyen_hai_cap").limit(1))
    assert used == "chinh_quyen_hai_cap"
    lines = [line for line in data["fields"].splitlines() if "chinh_quyen_hai_cap" not in line]
    response = admin.post("/admin/organization", data={**data, "fields": "\n".join(lines)})
    assert response.status_code == 400 and "đang được dùng" in response.get_data(as_text=True)
    assert admin.post("/admin/organization", data={**data, "place": "Một"}).status_code == 302
    stale = admin.post("/admin/organization", data={**data, "place": "Hai"})
    assert stale.status_code == 409
    organization.forget()
    assert organization.current().place == "Một"


def test_only_an_admin_edits_others_read(admin, auth, client):
    auth.logout()
    auth.login("vanphong", PASSWORD)
    assert client.get("/admin/organization").status_code == 403
    assert client.post("/admin/organization", data={"name": "X"}).status_code == 403
    page = client.get("/organization/").get_data(as_text=True)
    assert "TỈNH VĨNH LONG" in page and "chỉ quản trị hệ thống được sửa" in page


def test_importer_names_the_issuer_from_the_report_or_the_organization(admin):
    from tracker.intake import drafts
    from tracker.intake.parser import parse_report

    text = ("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ SÓC TRĂNG\n\nII. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG "
            "THÁNG 9/2025\n1. Giao Sở Tài chính chủ trì rà soát dự toán ngân sách.\n")
    other = drafts.import_report(parse_report(text), text)
    assert other.source.issuer == "UBND thành phố Sóc Trăng"
    own_text = text.replace("THÀNH PHỐ SÓC TRĂNG", "TỈNH VĨNH LONG").replace("9/2025", "10/2025")
    own = drafts.import_report(parse_report(own_text), own_text)
    assert own.source.issuer == "UBND tỉnh Vĩnh Long"
