"""The upload page: upload → preview → correct → confirm, through the test client as a browser
would submit it; bad files and bad choices get a Vietnamese 400 and write nothing."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.directives.manage_helpers import (
    SEED_REPORT,
    base,
    scrape_forms,
    seed_docx_bytes,
    snapshot,
)
from tracker.core.models import AuditEvent
from tracker.directives.models import Directive
from tracker.extensions import db
from tracker.intake.models import ImportDraft
from tracker.units.models import Unit

__all__ = ["base"]


def _upload(client, data: bytes, name: str = "bao-cao.txt", period: str = ""):
    """Post the file as a browser would. The body is encoded in memory: the test client would
    spool a large body to a temporary file that nobody closes (a ResourceWarning)."""
    upload = FileStorage(stream=io.BytesIO(data), filename=name,
                         content_type="application/octet-stream")
    boundary, body = encode_multipart({"file": upload, "period": period})
    return client.post(
        "/imports/new", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _unit(code: str) -> Unit:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def _preview(client, auth, data: bytes | None = None, name: str = "bao-cao.txt"):
    auth.login("vanphong")
    response = _upload(client, data if data is not None else SEED_REPORT.read_bytes(), name)
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    page = client.get(location)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    token = location.rstrip("/").rsplit("/", 1)[1]
    confirm = f"/imports/{token}/confirm"
    form = scrape_forms(html)[confirm]
    return html, confirm, form


def _replace(form: list[tuple[str, str]], name: str, values: list[str]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in form if k != name] + [(name, v) for v in values]


def _skip_unknown(html: str, form: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Decide every unit the catalogue lacks as "không giao" (the demo's «Sở Y tế»)."""
    keys = sorted(set(re.findall(r'name="(unknown-[0-9a-f]{10})"', html)))
    for key in keys:
        form = _replace(form, key, ["skip"])
    return form


def test_upload_preview_correct_confirm(base, client, auth):
    html, confirm, form = _preview(client, auth)
    # The preview lists every item with its full text, proposals and the default deadline.
    assert html.count("Toàn văn</summary>") == 17
    assert "Chủ trì: Phòng Tài chính - Kế hoạch" in html
    assert 'name="deadline-6.1" value="31/03/2023"' in html
    assert "Sở Y tế" in html and "không có trong danh mục đơn vị" in html
    assert snapshot()["directive"] == 0  # nothing saved before the confirm
    form = _skip_unknown(html, form)

    # The secretariat corrects item 2: lead Phòng Kinh tế → Phòng Tài chính - Kế hoạch, with
    # Phòng Kinh tế supporting; item 9 gets an earlier deadline; 15 becomes "thường xuyên".
    tckh, kt = _unit("TCKH"), _unit("KT")
    form = _replace(form, "lead-2", [str(tckh.id)])
    form = _replace(form, "support-2", [str(kt.id)])
    form = _replace(form, "deadline-9", ["20/03/2023"])
    form = _replace(form, "deadline_kind-15", ["none"])
    form.append(("text", "Văn bản giả mạo gửi từ trình duyệt"))  # never trusted
    response = client.post(confirm, data=MultiDict(form))
    assert response.status_code == 302
    follow = client.get(response.headers["Location"])
    assert "Đã nhập 17 nhiệm vụ kỳ 03/2023 (15 nhiệm vụ, 2 nhiệm vụ con)." in follow.get_data(
        as_text=True
    )

    db.session.expire_all()
    directives = {d.number: d for d in db.session.scalars(sa.select(Directive))}
    assert len(directives) == 17
    item2 = directives["2"]
    assert {a.unit.code: a.role for a in item2.assignments} == {"TCKH": "lead", "KT": "support"}
    assert directives["9"].deadline == dt.date(2023, 3, 20)
    assert {a.deadline for a in directives["9"].assignments} == {dt.date(2023, 3, 20)}
    assert directives["15"].deadline is None
    assert directives["6.1"].parent is directives["6"]
    assert "giả mạo" not in " ".join(d.text for d in directives.values())
    assert {a.unit.code for a in directives["5"].assignments} == {"TCKH", "CCT"}
    created = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity == "directive", AuditEvent.action == "create")
    ).all()
    assert len(created) == 17
    by_id = {e.entity_id: e for e in created}
    assert by_id[item2.id].after["units"] == {"KT": "support", "TCKH": "lead"}
    draft = db.session.scalar(sa.select(ImportDraft))
    assert draft.source_id is not None and draft.confirmed_at is not None

    # A double submit (or back button + submit) creates nothing new.
    before = snapshot()
    again = client.post(confirm, data=MultiDict(form))
    assert again.status_code == 302
    assert "đã được nhập trước đây" in client.get(again.headers["Location"]).get_data(
        as_text=True
    )
    assert snapshot() == before


def test_preview_warns_when_the_report_was_already_imported(base, client, auth):
    html, confirm, form = _preview(client, auth)
    form = _skip_unknown(html, form)
    assert client.post(confirm, data=MultiDict(form)).status_code == 302
    html, confirm2, form2 = _preview(client, auth)
    form2 = _skip_unknown(html, form2)
    assert "Báo cáo này đã được nhập trước đây" in html
    before = snapshot()
    assert client.post(confirm2, data=MultiDict(form2)).status_code == 302
    assert snapshot() == before


def test_docx_upload_previews_the_same_items(base, client, auth):
    html, _confirm, form = _preview(client, auth, seed_docx_bytes(), "bao-cao.docx")
    fields = [name for name, _ in form if name.startswith("field-")]
    assert fields == [f"field-{n}" for n in
                      ["1", "2", "3", "4", "5", "6", "6.1", "6.2", *map(str, range(7, 16))]]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("rong.txt", b"", "Tệp rỗng."),
        ("latin.txt", "Báo cáo tháng 3".encode("cp1258"), "không phải UTF-8"),
        ("khong-muc-ii.md", "BÁO CÁO\n\nI. KẾT QUẢ\n\n1. Đã làm.".encode(), "Không tìm thấy mục"),
        ("hong.docx", b"PK\x03\x04 not really a zip", "Tệp .docx bị hỏng"),
        ("bao-cao.pdf", b"%PDF-1.7", "Tệp PDF bị hỏng"),
        ("lon.txt", b"a" * (5 * 1024 * 1024 + 1), "vượt quá dung lượng"),
    ],
)
def test_bad_files_get_a_message_on_the_upload_page(base, client, auth, name, data, message):
    auth.login("vanphong")
    before = snapshot()
    response = _upload(client, data, name)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Không nhập được tệp." in html and message in html
    assert 'type="file"' in html  # the upload form again, not an error page
    assert snapshot() == before


def test_upload_without_file_or_with_a_bad_period(base, client, auth):
    auth.login("vanphong")
    before = snapshot()
    response = client.post("/imports/new", data={"period": ""})
    assert response.status_code == 400
    assert "Hãy chọn tệp báo cáo" in response.get_data(as_text=True)
    response = _upload(client, SEED_REPORT.read_bytes(), period="13/2023")
    assert response.status_code == 400
    assert "Kỳ của các nhiệm vụ «13/2023» không hợp lệ" in response.get_data(as_text=True)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "values", "message"),
    [
        ("lead-3", ["999999"], "Nhiệm vụ 3: đơn vị không hợp lệ"),
        ("lead-3", ["abc"], "Nhiệm vụ 3: đơn vị không hợp lệ"),
        ("lead-3", [], "Nhiệm vụ 3: chưa chọn đơn vị chủ trì"),
        ("deadline-4", ["31/02/2023"], "Nhiệm vụ 4: thời hạn: «31/02/2023» không phải ngày hợp lệ"),
        ("deadline-4", ["x" * 100_000], "không phải ngày hợp lệ"),
        ("field-6.1", ["kinh_te_xyz"], "Nhiệm vụ 6.1: lĩnh vực không hợp lệ"),
    ],
)
def test_bad_choices_are_refused_and_nothing_is_written(base, client, auth, field, values,
                                                        message):
    html, confirm, form = _preview(client, auth)
    form = _skip_unknown(html, form)
    form = _replace(form, field, values)
    before = snapshot()
    response = client.post(confirm, data=MultiDict(form))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert "Chưa nhập được, hãy sửa các lỗi sau" in html
    assert "x" * 100 not in html  # huge input is not echoed back whole
    assert snapshot() == before


def test_same_unit_as_lead_and_support_is_refused(base, client, auth):
    html, confirm, form = _preview(client, auth)
    form = _skip_unknown(html, form)
    kt = _unit("KT")
    form = _replace(form, "support-2", [str(kt.id)])
    before = snapshot()
    response = client.post(confirm, data=MultiDict(form))
    assert response.status_code == 400
    assert "Phòng Kinh tế vừa là đơn vị chủ trì vừa là đơn vị phối hợp" in response.get_data(
        as_text=True
    )
    assert snapshot() == before


def test_missing_item_choices_are_refused(base, client, auth):
    html, confirm, form = _preview(client, auth)
    form = _skip_unknown(html, form)
    form = [(k, v) for k, v in form if not k.endswith("-7")]
    before = snapshot()
    response = client.post(confirm, data=MultiDict(form))
    assert response.status_code == 400
    assert "Nhiệm vụ 7: thiếu lựa chọn" in response.get_data(as_text=True)
    assert snapshot() == before


def test_unknown_draft_is_404(base, client, auth):
    auth.login("vanphong")
    assert client.get("/imports/khong-co").status_code == 404
    assert client.post("/imports/khong-co/confirm").status_code == 404


@pytest.mark.parametrize("username", ["gddt", "xem"])
def test_officers_and_viewers_cannot_import(base, client, auth, username):
    html, confirm, form = _preview(client, auth)
    form = _skip_unknown(html, form)
    auth.logout()
    auth.login(username)
    before = snapshot()
    assert client.get("/imports/new").status_code == 403
    assert _upload(client, SEED_REPORT.read_bytes()).status_code == 403
    assert client.get(confirm.removesuffix("/confirm")).status_code == 403
    assert client.post(confirm, data=MultiDict(form)).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("username", ["chutich", "admin"])
def test_leaders_and_admins_may_import(base, client, auth, username):
    auth.login(username)
    assert client.get("/imports/new").status_code == 200
    assert _upload(client, SEED_REPORT.read_bytes()).status_code == 302
