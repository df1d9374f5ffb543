"""The import preview as the secretariat uses it, through the test client as a browser submits
it: what was read (section, candidates, issuer, periods, deadlines with their words), units the
catalogue lacks (map, create in the confirm's transaction, skip; never dropped silently), unit
groups as one choice, the three deadline kinds, and a refused confirm that keeps every choice."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from tests.directives.manage_helpers import base, scrape_forms, snapshot
from tests.directives.test_import_page import _replace, _upload
from tracker.calendar.services import load_calendar
from tracker.core import clock
from tracker.directives.models import Directive, Period, SourceDocument
from tracker.extensions import db
from tracker.units.models import Unit

__all__ = ["base"]

REPORTS = Path(__file__).parent / "reports"
VINH_LONG = REPORTS / "01-tp-vinh-long-thang-10-2023.txt"  # "III.", a)…đ), groups, unknown unit
CAO_LANH = REPORTS / "10-tp-cao-lanh-thang-6-2024.txt"  # two candidate sections
CA_MAU_PDF = REPORTS / "08-tp-ca-mau-thang-9-2024.pdf"
SCANNED_PDF = REPORTS / "bad-scanned-no-text.pdf"
QUARTER = Path(__file__).parent / "data" / "tx-duyen-hai-quy-iii-2025.txt"
WATER = "Công ty Cổ phần Cấp thoát nước Vĩnh Long"


class Preview:
    def __init__(self, client, path: Path) -> None:
        response = _upload(client, path.read_bytes(), path.name)
        assert response.status_code == 302, response.get_data(as_text=True)
        self.url = response.headers["Location"]
        self.confirm = self.url.rstrip("/") + "/confirm"
        self.html = client.get(self.url).get_data(as_text=True)
        self.form = scrape_forms(self.html)[self.confirm]
        self.client = client

    def key(self, name: str) -> str:
        """The form key of the unknown unit shown with this name."""
        match = re.search(r'id="(unknown-[0-9a-f]{10})">\s*<legend[^>]*>' + re.escape(name),
                          self.html)
        assert match, name
        return match.group(1)

    def set(self, name: str, *values: str) -> None:
        self.form = _replace(self.form, name, list(values))

    def post(self):
        return self.client.post(self.confirm, data=MultiDict(self.form))


def _unit(code: str) -> Unit:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def _directives() -> dict[str, Directive]:
    db.session.expire_all()
    return {d.number: d for d in db.session.scalars(sa.select(Directive))}


def _roles(directive: Directive) -> dict[str, str]:
    return {a.unit.code: a.role for a in directive.assignments}


@pytest.fixture
def preview(base, client, auth):
    auth.login("vanphong")
    return lambda path=VINH_LONG: Preview(client, path)


def test_preview_shows_what_was_read(preview):
    page = preview().html
    assert "Xem trước: nhiệm vụ trọng tâm tháng 10/2023" in page
    assert "«III. PHƯƠNG HƯỚNG, NHIỆM VỤ TRỌNG TÂM THÁNG 10 NĂM 2023»" in page
    assert "ỦY BAN NHÂN DÂN THÀNH PHỐ VĨNH LONG" in page
    assert "tháng 09/2023" in page  # the report's own period
    assert "6 nhiệm vụ và 5 nhiệm vụ con" in page
    for number in ("3.a", "3.b", "3.c", "3.d", "3.đ"):
        assert f'data-number="{number}"' in page
    # Deadlines with the words they came from, in the three kinds.
    assert "Văn bản ghi: «trước ngày 20/10/2023» → <strong>20/10/2023</strong>" in page
    assert 'name="deadline-3.a" value="20/10/2023"' in page
    assert "«trong 15 ngày làm việc kể từ ngày nhận chỉ đạo»" in page
    assert re.search(r'name="deadline_kind-4"[^>]*value="working_days" checked', page)
    assert 'name="working_days-4" value="15"' in page
    assert re.search(r'name="deadline_kind-3.đ"[^>]*value="none" checked', page)
    assert "Văn bản không ghi thời hạn; đề xuất ngày cuối kỳ." in page
    # A unit the catalogue lacks, and groups as one choice.
    assert WATER in page and "không có trong danh mục đơn vị" in page
    assert "Nhóm «05 phường, xã» · phối hợp" in page
    assert "Văn bản ghi 5 đơn vị nhưng không nêu tên" in page
    assert "Nhóm «các phường, xã» · phối hợp" in page
    assert "Ctrl" not in page and "multiple" not in page


def test_preview_names_the_other_candidate_sections(preview):
    page = preview(CAO_LANH).html
    assert "«III. NHIỆM VỤ TRỌNG TÂM THÁNG 7 NĂM 2024»" in page
    assert "Báo cáo còn 1 mục nhiệm vụ khác, không lấy" in page
    assert "«II. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2024»" in page


def test_confirm_stores_every_reviewed_choice(preview):
    p = preview()
    p.set(p.key(WATER), "map")
    p.set(p.key(WATER) + "-unit", str(_unit("TNMT").id))
    wards = [_unit(code).id for code in ("P3", "P5")]
    p.set("group-3.c-0", *map(str, wards))
    p.set("group-6-0", str(_unit("P1").id), str(_unit("XLD").id))  # narrowed from all ten
    p.set("deadline_kind-2", "working_days")
    p.set("working_days-2", "5")
    p.set("deadline-1", "30/10/2023")
    p.set("issuer", "UBND thành phố Vĩnh Long")
    response = p.post()
    assert response.status_code == 302, response.get_data(as_text=True)

    directives = _directives()
    assert len(directives) == 11
    assert directives["3.đ"].parent is directives["3"]
    assert _roles(directives["3.đ"]) == {"KT": "lead", "TNMT": "support"}
    assert directives["3.đ"].deadline is None
    assert _roles(directives["3.c"]) == {"QLDT": "lead", "BQLDA": "support", "P3": "support",
                                         "P5": "support"}
    assert _roles(directives["6"]) == {"TNMT": "lead", "P1": "support", "XLD": "support"}
    assert directives["1"].deadline == dt.date(2023, 10, 30)
    today = clock.today()  # Vietnam's date, not the machine's (UTC here)
    two = directives["2"]
    assert two.deadline == load_calendar().add_working_days(today, 5)
    assert {a.deadline_basis for a in two.assignments} == {
        f"5 ngày làm việc kể từ ngày {today:%d/%m/%Y}"}
    assert {a.deadline for a in two.assignments} == {two.deadline}
    four = directives["4"]  # 15 working days from the assignment date, as read
    assert four.deadline == load_calendar().add_working_days(today, 15)
    assert {a.deadline_basis for a in four.assignments} == {
        f"15 ngày làm việc kể từ ngày {today:%d/%m/%Y}"}
    assert directives["3.a"].deadline == dt.date(2023, 10, 20)  # the sub-item's own
    assert directives["3"].deadline == dt.date(2023, 10, 31)  # nothing written: period end
    assert db.session.scalar(sa.select(SourceDocument.issuer)) == "UBND thành phố Vĩnh Long"


def test_an_unknown_unit_can_be_added_to_the_catalogue_on_confirm(preview):
    p = preview()
    key = p.key(WATER)
    assert f'name="{key}-code" value="CTCPCTNVL"' in p.html  # proposed from its initials
    p.set(key, "create")
    p.set(key + "-code", "ctn-vl")
    p.set(key + "-name", "Công ty CP Cấp thoát nước Vĩnh Long")
    p.set(key + "-kind", "department")
    p.set("group-3.c-0", str(_unit("P2").id))
    response = p.post()
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "Đã thêm vào danh mục đơn vị: Công ty CP Cấp thoát nước Vĩnh Long (CTN-VL)." in (
        p.client.get(response.headers["Location"]).get_data(as_text=True))
    created = _unit("CTN-VL")
    assert (created.name, created.kind, created.active) == (
        "Công ty CP Cấp thoát nước Vĩnh Long", "department", True)
    assert _roles(_directives()["3.đ"]) == {"KT": "lead", "CTN-VL": "support"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, f"«{WATER}»: không có trong danh mục đơn vị; hãy chọn"),
        ({"@": "map"}, "hãy chọn đơn vị có sẵn trong danh mục để gán"),
        ({"@": "create", "@-code": "TNMT"}, "mã đơn vị TNMT đã có; hãy chọn mã khác"),
        ({"@": "create", "@-code": "có dấu"}, "mã đơn vị «CÓ DẤU» không hợp lệ"),
        ({"@": "create", "@-name": "  "}, "hãy nhập tên đơn vị mới"),
        ({"@": "create", "@-kind": "tinh"}, "loại đơn vị không hợp lệ"),
        ({"@": "skip", "group-3.c-0": None}, "Nhiệm vụ 3.c: văn bản giao cho «05 phường, xã»"),
        ({"@": "skip", "group-3.c-0": "CA"}, "Nhiệm vụ 3.c: đơn vị không thuộc nhóm"),
        ({"@": "skip", "deadline_kind-4": "working_days", "working_days-4": "0"},
         "Nhiệm vụ 4: số ngày làm việc phải từ 1 đến 365"),
        ({"@": "skip", "deadline_kind-5": "date", "deadline-5": ""},
         "Nhiệm vụ 5: hãy nhập ngày thời hạn"),
        ({"@": "skip", "deadline_kind-5": "someday"}, "Nhiệm vụ 5: hãy chọn thời hạn"),
        ({"@": "skip", "lead-5": None}, "Nhiệm vụ 5: chưa chọn đơn vị chủ trì"),
        ({"@": "skip", "issuer": " "}, "Hãy nhập cơ quan ban hành báo cáo."),
    ],
)
def test_a_refused_confirm_saves_nothing_and_keeps_every_choice(preview, changes, message):
    p = preview()
    key = p.key(WATER)
    p.set("group-3.c-0", str(_unit("P4").id))
    p.set("deadline-1", "29/10/2023")
    p.set("lead-2", str(_unit("YT").id))
    offered = set()  # values the page offers; a forged one cannot come back checked
    for name, value in changes.items():
        name = name.replace("@", key)
        if name == "group-3.c-0" and value == "CA":
            value = str(_unit("CA").id)  # a unit, but not a ward of the group
        p.form = [(k, v) for k, v in p.form if k != name]
        if value is not None:
            p.form.append((name, value))
            if value in ("tinh", "someday", str(_unit("CA").id)):
                offered.add((name, value))
    before = snapshot()
    units_before = db.session.scalar(sa.select(sa.func.count(Unit.id)))
    response = p.post()
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Chưa nhập được, hãy sửa các lỗi sau" in html
    assert message in html, re.findall(r"<li>(.*?)</li>", html)
    assert snapshot() == before
    assert db.session.scalar(sa.select(sa.func.count(Unit.id))) == units_before
    # The page comes back with what was sent: every submitted value is in the form again.
    again = scrape_forms(html)[p.confirm]
    sent = {(k, v.strip()) for k, v in p.form if k != "csrf_token"}
    kept = {(k, v) for k, v in again if k != "csrf_token"}
    lost = {(k, v) for k, v in sent - kept if not (k == "issuer" and not v)}
    assert lost <= offered, lost


def test_a_unit_taken_at_the_same_moment_gives_the_page_back(preview, monkeypatch, app):
    """Another user adds the code between the check and the insert: no 500, nothing saved,
    the page comes back with the choices."""
    from tracker.intake import drafts

    p = preview()
    key = p.key(WATER)
    p.set(key, "create")
    p.set(key + "-code", "CTNVL")
    p.set("group-3.c-0", str(_unit("P2").id))
    p.set("deadline-1", "28/10/2023")
    real = drafts.create_unit
    other = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])

    def racing(**kwargs):
        with other.begin() as conn:  # the other user's transaction commits first
            conn.execute(sa.text(
                "INSERT INTO unit (code, name, kind, active, position) "
                "VALUES ('CTNVL', 'Đơn vị khác', 'department', true, 99)"
            ))
        return real(**kwargs)

    monkeypatch.setattr(drafts, "create_unit", racing)
    before = snapshot()
    response = p.post()
    other.dispose()
    assert response.status_code in (400, 409), response.status_code
    html = response.get_data(as_text=True)
    assert "CTNVL" in html
    assert 'name="deadline-1" value="28/10/2023"' in html
    assert snapshot() == before
    names = db.session.scalars(sa.select(Unit.name).where(Unit.code == "CTNVL")).all()
    assert names == ["Đơn vị khác"]


def test_a_quarter_report_through_the_preview(preview):
    p = preview(QUARTER)
    assert "Xem trước: nhiệm vụ trọng tâm quý IV/2025" in p.html
    assert "quý III/2025" in p.html  # the report's own period
    p.set("group-4-0", str(_unit("P1").id), str(_unit("P2").id), str(_unit("XLD").id))
    response = p.post()
    assert response.status_code == 302, response.get_data(as_text=True)
    period = db.session.scalar(sa.select(Period))
    assert (period.key, period.label) == ("2025-Q4", "quý IV/2025")
    directives = _directives()
    assert _roles(directives["4"]) == {"CA": "lead", "P1": "support", "P2": "support",
                                       "XLD": "support"}
    assert directives["4"].deadline == dt.date(2025, 12, 31)
    assert directives["3"].deadline is None


def test_a_text_pdf_is_previewed_and_a_scanned_one_refused(preview, client):
    page = preview(CA_MAU_PDF).html
    assert "Xem trước: nhiệm vụ trọng tâm tháng 09/2024" in page
    assert "3 nhiệm vụ và 0 nhiệm vụ con" in page
    before = snapshot()
    response = _upload(client, SCANNED_PDF.read_bytes(), SCANNED_PDF.name)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "không có lớp chữ" in html and 'type="file"' in html
    assert snapshot() == before


def test_the_upload_period_may_be_a_quarter(preview, client):
    text = QUARTER.read_text(encoding="utf-8").replace("QUÝ IV NĂM 2025", "KỲ TỚI")
    response = _upload(client, text.encode(), "bao-cao.txt", period="quý IV/2025")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Xem trước: nhiệm vụ trọng tâm quý IV/2025" in page


def test_a_unit_named_beside_its_group_keeps_its_own_role(preview, client):
    text = (
        "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ TRÀ VINH\n\nBÁO CÁO\nTình hình tháng 11 năm 2024\n\n"
        "II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG 12/2024\n\n"
        "1. Giao UBND Phường 7 chủ trì, phối hợp UBND các phường, xã tổ chức hội thao.\n\n"
        "2. Giao UBND các phường, xã chủ trì, phối hợp Phòng Văn hóa và Thông tin tuyên "
        "truyền.\n\nTrên đây là báo cáo./.\n"
    )
    response = _upload(client, text.encode(), "hoi-thao.txt")
    assert response.status_code == 302
    url = response.headers["Location"]
    html = client.get(url).get_data(as_text=True)
    form = scrape_forms(html)[url + "/confirm"]
    p7, wards = str(_unit("P7").id), {str(_unit(c).id) for c in ("P1", "P9", "XLD")}
    assert ("lead-1", p7) in form and ("group-1-0", p7) not in form
    assert wards <= {v for k, v in form if k == "group-1-0"}
    assert wards | {p7} <= {v for k, v in form if k == "group-2-0"}
    assert not [v for k, v in form if k == "lead-2"]  # the wards lead through their group
    assert client.post(url + "/confirm", data=MultiDict(form)).status_code == 302
    directives = _directives()
    assert _roles(directives["1"])["P7"] == "lead"
    assert _roles(directives["1"])["XLD"] == "support"
    assert set(_roles(directives["2"]).values()) == {"lead", "support"}
    assert _roles(directives["2"])["VHTT"] == "support"
    assert _roles(directives["2"])["P7"] == "lead"
