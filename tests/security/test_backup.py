"""Backup and restore: back up, destroy, restore, compare row counts and attachment bytes; a
tampered backup (files or the signed manifest) is refused before anything is touched; a restore
never writes into the backup, works from a read-only directory and can be repeated. Runs on
SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.directives.test_directive_copy import _mismatches
from tracker.backup import services
from tracker.core import clock
from tracker.directives.models import Assignment, Attachment, ProgressUpdate
from tracker.extensions import db

FILES = {
    "0123456789abcdef0123456789abcdef.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 40,
    "fedcba9876543210fedcba9876543210.png": b"\x89PNG\r\n\x1a\n" + b"\x00\xff" * 5000,
}


@pytest.fixture
def data(demo, app) -> Path:
    """Demo data plus a progress update with two attachments on disk."""
    assignment = db.session.scalar(sa.select(Assignment).order_by(Assignment.id))
    update = ProgressUpdate(
        assignment_id=assignment.id, created_at=clock.now(), percent=40,
        result="Đã tổ chức họp triển khai <b>và</b> \"giao việc\"",
    )
    db.session.add(update)
    db.session.flush()
    uploads = Path(app.config["UPLOAD_DIR"])
    uploads.mkdir(parents=True, exist_ok=True)
    for name, content in FILES.items():
        (uploads / name).write_bytes(content)
        db.session.add(
            Attachment(
                update_id=update.id, original_name=f"minh-chung-{name[-3:]}.{name[-3:]}",
                stored_name=name, content_type="application/octet-stream", size=len(content),
                sha256=hashlib.sha256(content).hexdigest(), created_at=clock.now(),
            )
        )
    db.session.commit()
    return uploads


def _destroy(uploads: Path) -> None:
    """Drop the data: every row of every table, every attachment file."""
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    shutil.rmtree(uploads)


def _file_bytes(uploads: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in uploads.iterdir() if p.is_file()}


def test_backup_destroy_restore(runner, data, tmp_path):
    before = services.row_counts()
    files_before = _file_bytes(data)  # FILES plus the demo's own evidence files
    assert FILES.items() <= files_before.items()
    assert before["attachment"] == len(files_before) and before["directive"] == 17
    target = tmp_path / "backup-2023-04-05"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "Đã sao lưu" in result.output
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["tables"] == before
    assert manifest["dialect"] == db.engine.dialect.name
    head = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    assert manifest["alembic_revision"] == head and head
    for name, content in FILES.items():
        assert manifest["files"][f"uploads/{name}"] == hashlib.sha256(content).hexdigest()
    assert manifest["database_file"] in manifest["files"]

    _destroy(data)
    assert sum(services.row_counts().values()) == 0
    assert not data.exists()

    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Đã khôi phục" in result.output
    assert services.row_counts() == before
    assert _file_bytes(data) == files_before
    # The restored data is usable: the application reads it.
    update = db.session.scalar(
        sa.select(ProgressUpdate).where(ProgressUpdate.result.startswith("Đã tổ chức họp"))
    )
    assert update.result == "Đã tổ chức họp triển khai <b>và</b> \"giao việc\""
    assert {a.stored_name for a in update.attachments} == set(FILES)
    # PostgreSQL's restore loads assignments with their copy of the directive's period and
    # withdrawal (migration 0017's triggers run on the loaded rows): still the directive's.
    assert _mismatches() == []


def test_restore_replaces_newer_data(runner, data, tmp_path):
    """Rows and files added after the backup are gone after restoring it."""
    target = tmp_path / "b"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    before, files_before = services.row_counts(), _file_bytes(data)
    from tracker.core import audit

    audit.record("directive", 1, "update")
    db.session.commit()
    (data / "11111111111111111111111111111111.pdf").write_bytes(b"%PDF later")
    assert runner.invoke(args=["restore", str(target), "--yes"]).exit_code == 0
    assert services.row_counts() == before
    assert _file_bytes(data) == files_before


def test_backup_refuses_a_non_empty_directory(runner, data, tmp_path):
    target = tmp_path / "full"
    target.mkdir()
    (target / "x.txt").write_text("x")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code != 0
    assert "đã có dữ liệu" in result.output


def _tamper_file(target: Path) -> None:
    path = target / "uploads" / next(iter(FILES))
    raw = bytearray(path.read_bytes())
    raw[100] ^= 0xFF
    path.write_bytes(bytes(raw))


def _tamper_database(target: Path) -> None:
    manifest = json.loads((target / "manifest.json").read_text())
    with (target / manifest["database_file"]).open("ab") as handle:
        handle.write(b"\x00")


def _drop_file(target: Path) -> None:
    (target / "uploads" / next(iter(FILES))).unlink()


def _extra_file(target: Path) -> None:
    (target / "uploads" / "evil.sh").write_text("rm -rf /")


def _write_manifest(target: Path, manifest: dict, *, sign: bool = True) -> None:
    """Rewrite the manifest; signed with this instance's key, as only its owner could."""
    if sign:
        manifest["signature"] = services.sign_manifest(manifest)
    (target / "manifest.json").write_text(json.dumps(manifest))


def _traversal(target: Path) -> None:
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["files"]["../../etc/passwd"] = "0" * 64
    _write_manifest(target, manifest)


def _edited_manifest(target: Path) -> None:
    """Someone edits a count (and could as well edit a hash) without the instance's key."""
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["tables"]["directive"] += 1
    _write_manifest(target, manifest, sign=False)


def _foreign_signature(target: Path) -> None:
    """A backup signed by another instance (another SECRET_KEY)."""
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["signature"] = services.sign_manifest(manifest, key="mot-khoa-khac")
    _write_manifest(target, manifest, sign=False)


def _unsigned(target: Path) -> None:
    manifest = json.loads((target / "manifest.json").read_text())
    del manifest["signature"]
    _write_manifest(target, manifest, sign=False)


def _unknown_table(target: Path) -> None:
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["tables"]['x"; DROP TABLE "user'] = 0
    _write_manifest(target, manifest)


def _broken_manifest(target: Path) -> None:
    (target / "manifest.json").write_text("{not json")


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (_tamper_file, "đã bị thay đổi hoặc hỏng"),
        (_tamper_database, "đã bị thay đổi hoặc hỏng"),
        (_drop_file, "thiếu tệp"),
        (_extra_file, "tệp lạ"),
        (_traversal, "Đường dẫn không hợp lệ"),
        (_broken_manifest, "manifest.json bị hỏng"),
        (_edited_manifest, "Chữ ký của manifest.json không đúng"),
        (_foreign_signature, "Chữ ký của manifest.json không đúng"),
        (_unsigned, "không có chữ ký"),
        (_unknown_table, "bảng lạ"),
    ],
)
def test_tampered_backup_is_refused_and_nothing_is_touched(runner, data, tmp_path, tamper,
                                                            message):
    target = tmp_path / "b"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    tamper(target)
    # Change the live data so a restore would be visible.
    from tracker.core import audit

    audit.record("directive", 1, "update")
    db.session.commit()
    (data / "22222222222222222222222222222222.pdf").write_bytes(b"%PDF new")
    counts, files = services.row_counts(), _file_bytes(data)
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code != 0
    assert "Không khôi phục" in result.output and message in result.output
    assert services.row_counts() == counts
    assert _file_bytes(data) == files


def test_restore_asks_for_confirmation(runner, data, tmp_path):
    target = tmp_path / "b"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    from tracker.core import audit

    audit.record("directive", 1, "update")
    db.session.commit()
    counts = services.row_counts()
    result = runner.invoke(args=["restore", str(target)], input="n\n")
    assert result.exit_code != 0
    assert "Tiếp tục?" in result.output
    assert services.row_counts() == counts


def test_not_a_backup_directory(runner, app, tmp_path):
    result = runner.invoke(args=["restore", str(tmp_path), "--yes"])
    assert result.exit_code != 0
    assert "không phải bản sao lưu" in result.output


# --- a restore never writes into the backup (issue 16, item 3) --------------------------------


def _listing(target: Path) -> dict[str, tuple[int, int, int, str]]:
    """Every entry of the backup directory: mode, size, mtime and SHA-256 (files)."""
    entries = {}
    for path in sorted([target, *target.rglob("*")]):
        info = path.lstat()
        digest = services.sha256_file(path) if path.is_file() else ""
        entries[path.relative_to(target).as_posix()] = (
            info.st_mode, info.st_size, info.st_mtime_ns, digest
        )
    return entries


def _make_read_only(target: Path) -> None:
    for path in sorted(target.rglob("*"), reverse=True):
        path.chmod(0o555 if path.is_dir() else 0o444)
    target.chmod(0o555)


def _make_writable(target: Path) -> None:
    target.chmod(0o755)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def test_the_same_backup_restores_twice_and_stays_byte_identical(runner, data, tmp_path):
    before, files_before = services.row_counts(), _file_bytes(data)
    target = tmp_path / "b"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    listing = _listing(target)
    for _ in range(2):
        _destroy(data)
        result = runner.invoke(args=["restore", str(target), "--yes"])
        assert result.exit_code == 0, result.output
        assert services.row_counts() == before and _file_bytes(data) == files_before
        assert _listing(target) == listing  # no -wal/-shm, no file touched


def test_restore_from_a_read_only_directory(runner, data, tmp_path):
    """Read-only media. Tests may run as root, which ignores permission bits, so the backup's
    listing, sizes, times and hashes are also compared byte for byte."""
    before, files_before = services.row_counts(), _file_bytes(data)
    target = tmp_path / "b"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    _make_read_only(target)
    listing = _listing(target)
    try:
        _destroy(data)
        result = runner.invoke(args=["restore", str(target), "--yes"])
        assert result.exit_code == 0, result.output
        assert services.row_counts() == before and _file_bytes(data) == files_before
        assert _listing(target) == listing
    finally:
        _make_writable(target)


def test_counts_are_checked_before_anything_is_replaced(runner, data, tmp_path):
    """A manifest whose counts do not match the backed-up database (correctly signed, so only
    the count check can catch it) is refused before the live data is touched."""
    target = tmp_path / "b"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["tables"]["directive"] += 1
    _write_manifest(target, manifest)
    from tracker.core import audit

    audit.record("directive", 1, "update")  # newer live data a restore would replace
    db.session.commit()
    counts, files = services.row_counts(), _file_bytes(data)
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code != 0
    assert "không khớp manifest.json: bảng directive" in result.output, result.output
    assert "Không thay đổi gì" in result.output
    assert services.row_counts() == counts
    assert _file_bytes(data) == files


def test_an_unsigned_backup_restores_only_when_allowed(runner, data, tmp_path):
    before = services.row_counts()
    target = tmp_path / "b"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    _unsigned(target)
    _destroy(data)
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code != 0 and "không có chữ ký" in result.output
    result = runner.invoke(args=["restore", str(target), "--yes", "--allow-unsigned"])
    assert result.exit_code == 0, result.output
    assert services.row_counts() == before
