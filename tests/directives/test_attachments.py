"""Evidence files: content checks, clean names, size limits, storage, and guarded downloads."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.conftest import build_app, running
from tests.directives.workflow_helpers import assignment, files_in, login, snapshot
from tracker.demo.progress import demo_docx, demo_xlsx, minimal_pdf
from tracker.demo.seed import seed_demo
from tracker.directives.models import Attachment, ProgressUpdate
from tracker.extensions import db
from tracker.work import evidence as attachments

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def world(demo):
    demo.config["TRACKER_TODAY"] = "2023-04-05"
    return demo


def _post(client, files, percent="85", result="Kèm minh chứng."):
    a = assignment("7", "GDDT")
    fields = MultiDict({"percent": percent, "result": result, "version": str(a.version)})
    for name, content in files:
        fields.add("files", FileStorage(io.BytesIO(content), filename=name))
    # Encoded in memory: the test client's own encoder spools big bodies to a temporary file
    # that nobody closes (a ResourceWarning under filterwarnings=error).
    boundary, body = encode_multipart(fields)
    return client.post(f"/assignments/{a.id}/progress", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


# --- content checks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "content_type", "shown"),
    [
        ("Báo cáo tháng 3.pdf", minimal_pdf(["Bao cao"]), attachments.PDF, "Báo cáo tháng 3.pdf"),
        ("Kế hoạch.docx", demo_docx("Kế hoạch", ["Nội dung"]), attachments.DOCX, "Kế hoạch.docx"),
        ("Số liệu.xlsx", demo_xlsx("Số liệu", ["A"], [[1]]), attachments.XLSX, "Số liệu.xlsx"),
        ("ảnh hiện trường.PNG", PNG, attachments.PNG, "ảnh hiện trường.PNG"),
        ("ảnh.jpeg", JPEG, attachments.JPEG, "ảnh.jpeg"),
        ("chụp màn hình.jpg", PNG, attachments.PNG, "chụp màn hình.png"),  # named by content
        ("scan", minimal_pdf(["x"]), attachments.PDF, "scan.pdf"),
    ],
)
def test_allowed_types_by_content(app, name, data, content_type, shown):
    checked = attachments.check_file(name, data)
    assert checked.content_type == content_type
    assert checked.display_name == shown
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("hop-dong.pdf", EXE),  # a Windows program renamed .pdf
        ("bang-tinh.xlsx", _zip({"xl/workbook.xml": b"<workbook/>"})),  # zip, no content types
        ("van-ban.docx", _zip({"[Content_Types].xml": b"<Types><Override ContentType="
                               b"\"application/vnd.ms-word.document.macroEnabled.main+xml\"/>"
                               b"</Types>", "word/document.xml": b"<w/>"})),  # a .docm
        ("ghi-chu.pdf", "Ghi chú thuần văn bản".encode()),
        ("trang.html", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_other_content_is_refused(app, name, data):
    with pytest.raises(attachments.AttachmentError) as info:
        attachments.check_file(name, data)
    assert name.split(".")[0] in str(info.value)


def test_an_xlsx_named_docx_is_checked_as_what_it_is(app):
    """filetype may call any OOXML zip by its declared main part; the name never decides."""
    data = demo_xlsx("Bảng", ["A"], [[1]])
    checked = attachments.check_file("bao-cao.docx", data)
    assert checked.content_type == attachments.XLSX
    assert checked.display_name == "bao-cao.xlsx"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\system32\\báo cáo.pdf", "báo cáo.pdf"),
        ("/var/www/x/Kế hoạch số 28.pdf", "Kế hoạch số 28.pdf"),
        ("..", "tep-dinh-kem"),
        (".htaccess", "htaccess"),
        ("bao\x00cao\r\n\x1b.pdf", "baocao.pdf"),
        ("Tờ trình.pdf".replace("ờ", "ơ\u0300"), "Tờ trình.pdf"),  # decomposed -> NFC
    ],
)
def test_names_are_cleaned_but_keep_diacritics(raw, clean):
    assert attachments.clean_name(raw) == clean


def test_a_long_name_keeps_its_extension():
    name = attachments.clean_name("Báo cáo " * 60 + ".pdf")
    assert len(name) <= 200 and name.endswith(".pdf")


# --- through the form ---------------------------------------------------------------------------


def test_real_pdf_is_accepted_stored_outside_static_with_a_random_name(world):
    upload_dir = Path(world.config["UPLOAD_DIR"])
    existing = files_in(upload_dir)
    pdf = minimal_pdf(["Bien ban kiem tra", "Truong Tieu hoc Phuong 9"])
    response = _post(login(world, "gddt"), [("../Biên bản kiểm tra.pdf", pdf)])
    assert response.status_code == 302
    item = db.session.scalar(sa.select(Attachment).order_by(Attachment.id.desc()))
    assert item.original_name == "Biên bản kiểm tra.pdf"
    assert item.content_type == "application/pdf" and item.size == len(pdf)
    assert item.sha256 == hashlib.sha256(pdf).hexdigest()
    new = sorted(set(files_in(upload_dir)) - set(existing))
    assert new == [item.stored_name]
    assert "Biên" not in item.stored_name and item.stored_name.endswith(".pdf")
    assert (upload_dir / item.stored_name).read_bytes() == pdf
    static = Path(world.static_folder).resolve()
    assert static not in (upload_dir / item.stored_name).resolve().parents


def test_exe_renamed_pdf_is_refused_and_nothing_is_written(world):
    upload_dir = Path(world.config["UPLOAD_DIR"])
    files_before, before = files_in(upload_dir), snapshot()
    response = _post(login(world, "gddt"),
                     [("minh-chung.pdf", minimal_pdf(["ok"])), ("hop-dong.pdf", EXE)])
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Tệp hop-dong.pdf không đúng định dạng cho phép" in html
    assert "Kèm minh chứng." in html  # the typed text is kept
    assert snapshot() == before
    assert files_in(upload_dir) == files_before


def test_files_of_a_rolled_back_transaction_are_deleted(world):
    """The service writes files before the caller commits; a rollback must not orphan them."""
    from tests.directives.workflow_helpers import user
    from tracker.work import workflow

    upload_dir = Path(world.config["UPLOAD_DIR"])
    files_before = files_in(upload_dir)
    a = assignment("7", "GDDT")
    workflow.post_progress(a, user("gddt"), percent=85, result="Sẽ bị hủy.",
                           files=[("a.pdf", minimal_pdf(["a"]))])
    assert len(files_in(upload_dir)) == len(files_before) + 1
    db.session.rollback()
    assert files_in(upload_dir) == files_before
    a = assignment("7", "GDDT")
    workflow.post_progress(a, user("gddt"), percent=85, result="Được lưu.",
                           files=[("b.pdf", minimal_pdf(["b"]))])
    db.session.commit()
    db.session.rollback()  # a later rollback leaves committed files alone
    assert len(files_in(upload_dir)) == len(files_before) + 1


def test_a_409_leaves_no_file_behind(world):
    upload_dir = Path(world.config["UPLOAD_DIR"])
    client = login(world, "gddt")
    a = assignment("7", "GDDT")
    stale = a.version
    assert _post(client, []).status_code == 302
    files_before, before = files_in(upload_dir), snapshot()
    data = MultiDict({"percent": "90", "result": "Muộn.", "version": str(stale)})
    data.add("files", FileStorage(io.BytesIO(minimal_pdf(["x"])), filename="x.pdf"))
    boundary, body = encode_multipart(data)
    response = client.post(f"/assignments/{a.id}/progress", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 409
    assert snapshot() == before and files_in(upload_dir) == files_before


@pytest.fixture
def small_limits(database_url, tmp_path):
    """1 MB per file and 3 MB per request, so the limits are tested with small payloads."""
    app = build_app(database_url, tmp_path, UPLOAD_FILE_MAX_MB=1,
                    MAX_CONTENT_LENGTH=3 * 1024 * 1024, TRACKER_TODAY="2023-04-05")
    with running(app):
        seed_demo()
        db.session.commit()
        yield app


def test_file_over_the_per_file_limit_is_refused(small_limits):
    upload_dir = Path(small_limits.config["UPLOAD_DIR"])
    files_before, before = files_in(upload_dir), snapshot()
    big = minimal_pdf(["x"]) + b"0" * (1024 * 1024)
    response = _post(login(small_limits, "gddt"), [("Ảnh chụp lớn.pdf", big)])
    assert response.status_code == 400
    assert "Tệp Ảnh chụp lớn.pdf vượt quá 1 MB." in response.get_data(as_text=True)
    assert snapshot() == before and files_in(upload_dir) == files_before


def test_request_over_max_content_length_gets_413_in_vietnamese(small_limits):
    upload_dir = Path(small_limits.config["UPLOAD_DIR"])
    files_before, before = files_in(upload_dir), snapshot()
    chunk = minimal_pdf(["x"]) + b"0" * (900 * 1024)
    response = _post(login(small_limits, "gddt"), [(f"tep-{i}.pdf", chunk) for i in range(4)])
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.get_data(as_text=True)
    assert snapshot() == before and files_in(upload_dir) == files_before


def test_default_per_file_limit_is_10_mb(app):
    with pytest.raises(attachments.AttachmentError, match="vượt quá 10 MB"):
        attachments.check_file("lon.pdf", minimal_pdf(["x"]) + b"0" * (10 * 1024 * 1024))


# --- downloads -----------------------------------------------------------------------------------


@pytest.fixture
def uploaded(world):
    pdf = minimal_pdf(["Bien ban"])
    assert _post(login(world, "gddt"), [("Biên bản họp (bản ký).pdf", pdf)]).status_code == 302
    item = db.session.scalar(sa.select(Attachment).order_by(Attachment.id.desc()))
    return item.id, pdf


def test_download_headers(world, uploaded):
    attachment_id, pdf = uploaded
    response = login(world, "chutich").get(f"/attachments/{attachment_id}")
    try:
        assert response.status_code == 200
        assert response.data == pdf
        assert response.mimetype == "application/pdf"
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n%20h%E1%BB%8Dp%20%28b%E1%BA%A3n" in (
            disposition
        )
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
    finally:
        response.close()


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("gddt", 200),  # lead unit
        ("phuong9", 200),  # a supporting unit of the same directive
        ("xem", 200),  # viewer
        ("vanphong", 200),
        ("admin", 200),
        ("qldt", 403),  # officer of a unit not assigned to task 7
    ],
)
def test_download_permissions(world, uploaded, username, status):
    attachment_id, _ = uploaded
    response = login(world, username).get(f"/attachments/{attachment_id}")
    try:
        assert response.status_code == status
    finally:
        response.close()


def test_missing_attachment_is_404(world):
    response = login(world, "xem").get("/attachments/999999")
    assert response.status_code == 404


def test_demo_evidence_is_downloadable(world):
    item = db.session.scalar(
        sa.select(Attachment).join(ProgressUpdate).where(Attachment.original_name.like("%.docx"))
    )
    response = login(world, "qldt").get(f"/attachments/{item.id}")
    try:
        assert response.status_code == 200
        assert attachments.check_file(item.original_name, response.data).content_type == (
            attachments.DOCX
        )
    finally:
        response.close()
