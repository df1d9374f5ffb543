"""Back up and restore the database and the attachments directory.

SQLite goes through the online backup API (``sqlite3.Connection.backup``), never a file copy of a
live database; PostgreSQL through ``pg_dump -Fc`` taken in an exported snapshot, so the row counts
in the manifest describe exactly the dumped data. Restore refuses a backup whose files do not
match the manifest, and checks the row counts after loading.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


def verify_backup(source: Path) -> dict[str, Any]:
    """The manifest when every file matches it; BackupError naming the first problem otherwise."""
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


@contextmanager
def _no_open_connections() -> Iterator[None]:
    db.session.remove()
    db.engine.dispose()
    try:
        yield
    finally:
        db.engine.dispose()


def restore_backup(source: Path) -> dict[str, Any]:
    """Replace the database and the attachments with the backup's, after verifying it."""
    source = Path(source)
    manifest = verify_backup(source)
    with _no_open_connections():
        if manifest["dialect"] == "sqlite":
            backup = sqlite3.connect(f"file:{source / manifest['database_file']}?mode=ro", uri=True)
            live = sqlite3.connect(_sqlite_path())
            try:
                backup.backup(live)  # page by page under the database lock, never a file copy
            finally:
                backup.close()
                live.close()
        else:
            url, env = _pg_url_and_env()
            _run(
                ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                 "--single-transaction", "--exit-on-error", "-d", url,
                 str(source / manifest["database_file"])],
                env, "pg_restore",
            )
    _replace_uploads(source / UPLOADS)
    counts = row_counts()
    expected = {name: int(n) for name, n in manifest["tables"].items()}
    wrong = {
        name: (counts.get(name), n) for name, n in expected.items() if counts.get(name) != n
    }
    if wrong:
        name, (got, want) = sorted(wrong.items())[0]
        raise BackupError(f"Sau khi khôi phục, bảng {name} có {got} dòng thay vì {want}.")
    with db.engine.begin() as conn:
        if sa.inspect(conn).has_table("data_version"):
            versioning.bump(conn)  # pages cached by running workers are stale now
    return manifest


def _replace_uploads(backup_uploads: Path) -> None:
    """Swap the attachments directory for the backup's copy (old copy removed on success)."""
    live = _upload_dir()
    live.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=live.parent))
    _copy_uploads(backup_uploads, staging)
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
