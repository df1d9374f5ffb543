"""Back up and restore the database and the attachments directory.

SQLite goes through the online backup API (``sqlite3.Connection.backup``), never a file copy of a
live database; PostgreSQL through ``pg_dump -Fc`` taken in an exported snapshot, so the row counts
in the manifest describe exactly the dumped data. The manifest is signed with the instance's
SECRET_KEY (HMAC-SHA256), so an edited manifest is refused.

Restore never writes into the backup (it may sit on read-only media, and a trial restore must
leave it as it was): the SQLite file is copied to a scratch directory beside the live database
and opened there. Everything is checked before anything is replaced: the signature, every file's
SHA-256, the row count of every table in the copy (SQLite) or inside the restoring transaction
(PostgreSQL: the dump is loaded and counted in one transaction that rolls back on a mismatch),
and the staged attachments. The counts are checked again afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from tracker.core import versioning
from tracker.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
UPLOADS = "uploads"


class BackupError(RuntimeError):
    """A backup or restore cannot go on; the message is Vietnamese and safe to show."""


SIGNATURE = "signature"
_SIGNATURE_CONTEXT = b"tracker-backup-manifest-v1\n"


def sign_manifest(manifest: dict[str, Any], key: str | bytes | None = None) -> str:
    """HMAC-SHA256 of the manifest (without its signature) under the instance's SECRET_KEY."""
    if key is None:
        key = current_app.config["SECRET_KEY"]
    if isinstance(key, str):
        key = key.encode()
    body = {name: value for name, value in manifest.items() if name != SIGNATURE}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hmac.new(key, _SIGNATURE_CONTEXT + canonical.encode(), hashlib.sha256)
    return "hmac-sha256:" + digest.hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _tables() -> list[str]:
    return [t.name for t in db.metadata.sorted_tables]


def _count_rows(conn: Any, names: list[str], quote: str = '"') -> dict[str, int]:
    counts = {}
    for name in names:
        sql = f"SELECT COUNT(*) FROM {quote}{name}{quote}"  # noqa: S608 - our own table names
        counts[name] = conn.execute(sql).fetchone()[0]
    return counts


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise BackupError("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được.")
    return Path(database)


def _pg_url_and_env() -> tuple[str, dict[str, str]]:
    """A libpq URL (postgresql://, no password) and an environment carrying the password."""
    url = db.engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{what} thất bại: {result.stderr.strip()[:2000]}")


def _upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def _copy_uploads(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    if not source.exists():
        return
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_symlink():
            continue  # never follow links out of the attachments directory
        if path.is_dir():
            (target / relative).mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / relative)


def _alembic_revision(conn: Any) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except Exception:  # noqa: BLE001 - a database built without migrations has no such table
        return None
    return row[0] if row else None


def create_backup(target: Path) -> dict[str, Any]:
    """Write a backup into ``target`` (new or empty directory) and return its manifest."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"Thư mục {target} đã có dữ liệu; hãy chọn một thư mục mới hoặc rỗng.")
    target.mkdir(parents=True, exist_ok=True)
    dialect = db.engine.dialect.name
    names = _tables()
    db.session.remove()
    if dialect == "sqlite":
        database_file = SQLITE_FILE
        source = sqlite3.connect(_sqlite_path())
        dest = sqlite3.connect(target / SQLITE_FILE)
        try:
            source.backup(dest)  # the online backup API: consistent even while others write
        finally:
            source.close()
        try:
            counts = _count_rows(dest, names)
            revision = _alembic_revision(dest)
        finally:
            dest.close()
    elif dialect == "postgresql":
        database_file = PG_FILE
        url, env = _pg_url_and_env()
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _count_rows(cursor, names)
            revision = _alembic_revision(cursor)
            _run(
                ["pg_dump", "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                 "-f", str(target / PG_FILE), "-d", url],
                env, "pg_dump",
            )
            cursor.execute("COMMIT")
        finally:
            raw.close()
    else:
        raise BackupError(f"Không hỗ trợ sao lưu cơ sở dữ liệu {dialect}.")
    _copy_uploads(_upload_dir(), target / UPLOADS)
    files = {
        path.relative_to(target).as_posix(): sha256_file(path)
        for path in sorted(target.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "dialect": dialect,
        "database_file": database_file,
        "alembic_revision": revision,
        "tables": counts,
        "files": files,
    }
    manifest[SIGNATURE] = sign_manifest(manifest)
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


def verify_backup(source: Path, *, allow_unsigned: bool = False) -> dict[str, Any]:
    """The manifest when its signature and every file match; BackupError naming the first
    problem otherwise. Reads only: nothing in ``source`` is written."""
    source = Path(source)
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"Không tìm thấy {MANIFEST} trong {source}: đây không phải bản sao lưu.")
    try:
        manifest = json.loads(manifest_path.read_text())
        files: dict[str, str] = manifest["files"]
        tables: dict[str, int] = manifest["tables"]
        database_file = manifest["database_file"]
        dialect = manifest["dialect"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError("Tệp manifest.json bị hỏng hoặc không đúng định dạng.") from exc
    if manifest.get("format") != FORMAT or not isinstance(files, dict):
        raise BackupError("Phiên bản bản sao lưu không được hỗ trợ.")
    if not isinstance(tables, dict) or database_file not in files:
        raise BackupError("Tệp manifest.json thiếu thông tin cơ sở dữ liệu.")
    _check_signature(manifest, allow_unsigned)
    known = set(_tables()) | {"alembic_version"}
    unknown = sorted(str(name) for name in tables if name not in known)
    if unknown or not all(isinstance(n, int) and n >= 0 for n in tables.values()):
        detail = f": {unknown[0]}" if unknown else ""
        raise BackupError(f"Tệp manifest.json có bảng lạ hoặc số dòng không hợp lệ{detail}.")
    root = source.resolve()
    for name, expected in files.items():
        path = (source / name).resolve()
        if root not in path.parents:
            raise BackupError(f"Đường dẫn không hợp lệ trong manifest.json: {name}.")
        if not path.is_file():
            raise BackupError(f"Bản sao lưu thiếu tệp {name}.")
        if sha256_file(path) != expected:
            raise BackupError(f"Tệp {name} đã bị thay đổi hoặc hỏng (sai mã SHA-256).")
    present = {
        p.relative_to(source).as_posix()
        for p in source.rglob("*")
        if p.is_file() and p.name != MANIFEST
    }
    extra = sorted(present - set(files))
    if extra:
        raise BackupError(f"Bản sao lưu có tệp lạ không có trong manifest.json: {extra[0]}.")
    current = db.engine.dialect.name
    if dialect != current:
        raise BackupError(
            f"Bản sao lưu của {dialect} không khôi phục được vào cơ sở dữ liệu {current}."
        )
    return manifest


def _check_signature(manifest: dict[str, Any], allow_unsigned: bool) -> None:
    signature = manifest.get(SIGNATURE)
    if signature is None:
        if allow_unsigned:
            return
        raise BackupError(
            "Tệp manifest.json không có chữ ký nên không kiểm chứng được bản sao lưu "
            "(dùng --allow-unsigned nếu chắc chắn bản sao lưu này đáng tin)."
        )
    if not isinstance(signature, str) or not hmac.compare_digest(
        signature, sign_manifest(manifest)
    ):
        raise BackupError(
            "Chữ ký của manifest.json không đúng: bản sao lưu đã bị sửa, hoặc được tạo bởi một "
            "hệ thống có khóa bí mật (SECRET_KEY) khác."
        )


@contextmanager
def _no_open_connections() -> Iterator[None]:
    db.session.remove()
    db.engine.dispose()
    try:
        yield
    finally:
        db.engine.dispose()


def restore_backup(source: Path, *, allow_unsigned: bool = False) -> dict[str, Any]:
    """Replace the database and the attachments with the backup's, after verifying it.

    Nothing is replaced until everything checked out; nothing is ever written into ``source``.
    """
    source = Path(source)
    manifest = verify_backup(source, allow_unsigned=allow_unsigned)
    expected = {name: int(n) for name, n in manifest["tables"].items()}
    database_file = source / manifest["database_file"]
    database_hash = manifest["files"][manifest["database_file"]]
    staging = _stage_uploads(source / UPLOADS, manifest["files"])
    try:
        with _no_open_connections():
            if manifest["dialect"] == "sqlite":
                _restore_sqlite(database_file, database_hash, expected)
            else:
                _restore_postgresql(database_file, expected)
        _swap_uploads(staging)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    counts = row_counts()
    wrong = _wrong_counts(counts, expected)
    if wrong:
        name, got, want = wrong
        raise BackupError(f"Sau khi khôi phục, bảng {name} có {got} dòng thay vì {want}.")
    with db.engine.begin() as conn:
        if sa.inspect(conn).has_table("data_version"):
            versioning.bump(conn)  # pages cached by running workers are stale now
    return manifest


def _wrong_counts(counts: dict[str, int], expected: dict[str, int]) -> tuple[str, Any, int] | None:
    wrong = sorted((name, counts.get(name), n) for name, n in expected.items()
                   if counts.get(name) != n)
    return wrong[0] if wrong else None


def _restore_sqlite(database_file: Path, expected_hash: str, expected: dict[str, int]) -> None:
    """Copy the backup file to a scratch directory, check the copy, then load it page by page
    into the live database with the backup API (never a file copy over a live database)."""
    live_path = _sqlite_path()
    scratch = Path(tempfile.mkdtemp(prefix=".restore-", dir=live_path.parent))
    try:
        copy = scratch / "backup.sqlite3"
        try:
            shutil.copyfile(database_file, copy)
        except OSError as exc:
            raise BackupError(f"Không đọc được tệp {database_file.name}: {exc.strerror}.") from exc
        if sha256_file(copy) != expected_hash:
            raise BackupError(
                f"Tệp {database_file.name} đã bị thay đổi hoặc hỏng (sai mã SHA-256)."
            )
        try:
            backup = sqlite3.connect(copy)
            try:
                if backup.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise BackupError(f"Tệp {database_file.name} bị hỏng (SQLite quick_check).")
                counts = _count_rows(backup, list(expected))
                wrong = _wrong_counts(counts, expected)
                if wrong:
                    name, got, want = wrong
                    raise BackupError(
                        f"Bản sao lưu không khớp manifest.json: bảng {name} có {got} dòng "
                        f"thay vì {want}. Không thay đổi gì."
                    )
                live = sqlite3.connect(live_path)
                try:
                    backup.backup(live)  # page by page under the database lock
                finally:
                    live.close()
            finally:
                backup.close()
        except sqlite3.Error as exc:
            raise BackupError(f"Không đọc được cơ sở dữ liệu trong bản sao lưu: {exc}.") from exc
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


_COUNT_MISMATCH = "tracker-restore-count-mismatch"


def _restore_postgresql(dump: Path, expected: dict[str, int]) -> None:
    """pg_restore writes the dump as SQL (to a scratch file, never into the backup), and psql
    loads it in ONE transaction that ends by counting every table: a count that differs from
    the manifest raises, the transaction rolls back, and the live database is as it was."""
    url, env = _pg_url_and_env()
    scratch = Path(tempfile.mkdtemp(prefix="tracker-restore-"))
    try:
        script = scratch / "restore.sql"
        _run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "-f", str(script), str(dump)],
            env, "pg_restore",
        )
        checks = "\n".join(  # names: tables of our metadata (verify_backup); counts: ints
            f"  SELECT count(*) INTO n FROM \"{name}\"; IF n <> {count} THEN "  # noqa: S608
            f"RAISE EXCEPTION '{_COUNT_MISMATCH} % % {count}', '{name}', n; END IF;"
            for name, count in sorted(expected.items())
        )
        with script.open("a") as handle:
            handle.write(
                "\nRESET search_path;\nDO $$\nDECLARE n bigint;\nBEGIN\n"
                f"{checks}\nEND $$;\n"
            )
        psql = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
                "-d", url, "-f", str(script)]
        result = subprocess.run(  # noqa: S603 - fixed arguments
            psql, env=env, capture_output=True, text=True, check=False
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if result.returncode != 0:
        error = result.stderr.strip()
        if _COUNT_MISMATCH in error:
            name, got, want = error.split(_COUNT_MISMATCH, 1)[1].split()[:3]
            raise BackupError(
                f"Bản sao lưu không khớp manifest.json: bảng {name} có {got} dòng thay vì "
                f"{want}. Không thay đổi gì."
            )
        raise BackupError(f"Khôi phục PostgreSQL thất bại, không thay đổi gì: {error[:2000]}")


def _stage_uploads(backup_uploads: Path, files: dict[str, str]) -> Path:
    """Copy the backup's attachments beside the live directory and check each copy's hash."""
    live = _upload_dir()
    live.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=live.parent))
    try:
        _copy_uploads(backup_uploads, staging)
        prefix = f"{UPLOADS}/"
        wanted = {name[len(prefix):]: digest for name, digest in files.items()
                  if name.startswith(prefix)}
        present = {p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()}
        if present != set(wanted):
            raise BackupError("Các tệp đính kèm trong bản sao lưu không khớp manifest.json.")
        for name, digest in wanted.items():
            if sha256_file(staging / name) != digest:
                raise BackupError(f"Tệp {prefix}{name} đã bị thay đổi hoặc hỏng (sai mã SHA-256).")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _swap_uploads(staging: Path) -> None:
    """Swap the attachments directory for the staged copy (old copy removed on success)."""
    live = _upload_dir()
    old = None
    if live.exists():
        old = live.with_name(f"{live.name}.before-restore")
        if old.exists():
            shutil.rmtree(old)
        live.rename(old)
    staging.rename(live)
    if old is not None:
        shutil.rmtree(old)


def row_counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in db.metadata.tables.items()
        }
