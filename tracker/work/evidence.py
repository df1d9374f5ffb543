"""Evidence files: checked by content, stored outside static/ under random names.

The browser's file name and Content-Type are not trusted: the type comes from the bytes (the
`filetype` package), and an Office file, being a zip, must also declare the matching main part in
its [Content_Types].xml (a macro-enabled .docm or any other zip is refused). The name people see
keeps its Vietnamese diacritics; only path separators and control characters are removed.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import filetype
import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from tracker.core import archives
from tracker.core.errors import UserError

DEFAULT_FILE_LIMIT_MB = 10
MAX_FILES = 10

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = "image/png"
JPEG = "image/jpeg"

# Detected content type -> the extension the stored name should end with.
ALLOWED: dict[str, str] = {PDF: "pdf", DOCX: "docx", XLSX: "xlsx", PNG: "png", JPEG: "jpg"}
EXTENSION_ALIASES: dict[str, str] = {"jpeg": "jpg"}
# The [Content_Types].xml main part an Office file must declare.
OFFICE_MAIN_PART: dict[str, str] = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
ALLOWED_LABEL = "PDF, Word (.docx), Excel (.xlsx), ảnh PNG hoặc JPEG"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MAX_CONTENT_TYPES_BYTES = 256 * 1024
# Inflated bytes of an evidence .docx/.xlsx (read, never kept): a 10 MB file of pictures and
# text stays far below; a zip bomb stops at the ratio long before.
OFFICE_LIMITS = archives.Limits(member=100 * 1024 * 1024, total=200 * 1024 * 1024, ratio=200,
                                members=10_000)
# session.info key: stored names written during the current transaction.
SESSION_KEY = "written_uploads"


class AttachmentError(UserError):
    """A file was refused; the message is Vietnamese and names the file."""


@dataclass(frozen=True)
class CheckedFile:
    display_name: str
    content_type: str
    data: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def file_limit_bytes() -> int:
    mb = int(current_app.config.get("UPLOAD_FILE_MAX_MB", DEFAULT_FILE_LIMIT_MB))
    return mb * 1024 * 1024


def file_limit_mb() -> int:
    return int(current_app.config.get("UPLOAD_FILE_MAX_MB", DEFAULT_FILE_LIMIT_MB))


def clean_name(name: str) -> str:
    """A display name that keeps diacritics but can never be a path.

    Only the last path component is kept (both / and \\ count as separators, so
    "..\\..\\etc\\passwd" becomes "passwd"), control characters go, leading dots go (no hidden
    files, no ".."), and the length is capped while keeping the extension.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = _CONTROL.sub("", text)
    text = re.split(r"[/\\]", text)[-1]
    text = text.strip().lstrip(".").strip()
    if len(text) > 200:
        stem, dot, ext = text.rpartition(".")
        text = (stem[: 190] + dot + ext[:9]) if dot and len(ext) <= 9 else text[:200]
    return text or "tep-dinh-kem"


def _with_extension(name: str, extension: str) -> str:
    """The display name ending with the extension of the detected type (a PNG sent as .jpg
    downloads as .png); a short wrong extension is replaced, anything else gets one appended."""
    stem, dot, ext = name.rpartition(".")
    if dot and EXTENSION_ALIASES.get(ext.lower(), ext.lower()) == extension:
        return name
    if dot and stem and 1 <= len(ext) <= 5:
        return f"{stem}.{extension}"
    return f"{name}.{extension}"


def _office_declares(data: bytes, content_type: str, label: str = "Tệp Word/Excel") -> bool:
    """True when the zip's [Content_Types].xml declares the Word/Excel main document part.

    Every member is inflated once under limits (tracker.core.archives, which never trusts the
    zip headers), so a zip bomb or a file lying about its sizes is refused here, before it is
    stored and served to others; an ArchiveError other than "damaged" carries its message."""
    try:
        archive = archives.SafeZip(data, OFFICE_LIMITS, label)
        declared = archive.read("[Content_Types].xml", limit=_MAX_CONTENT_TYPES_BYTES)
        archive.scan()
    except KeyError:
        return False
    except archives.ArchiveError as exc:
        if exc.kind == archives.BROKEN:
            return False
        raise
    return OFFICE_MAIN_PART[content_type] in declared.decode("utf-8", "replace")


def check_file(name: str, data: bytes) -> CheckedFile:
    """Accept one file or raise AttachmentError with a Vietnamese message naming it."""
    display = clean_name(name)
    limit_mb = file_limit_mb()
    if not data:
        raise AttachmentError(f"Tệp {display} rỗng.")
    if len(data) > file_limit_bytes():
        raise AttachmentError(f"Tệp {display} vượt quá {limit_mb} MB.")
    kind = filetype.guess(data)
    content_type = kind.mime if kind is not None else None
    if content_type not in ALLOWED:
        raise AttachmentError(
            f"Tệp {display} không đúng định dạng cho phép ({ALLOWED_LABEL})."
        )
    try:
        valid_office = content_type not in OFFICE_MAIN_PART or _office_declares(
            data, content_type, f"Tệp {display}"
        )
    except archives.ArchiveError as exc:
        raise AttachmentError(exc.message) from None
    if not valid_office:
        raise AttachmentError(
            f"Tệp {display} không phải tệp Word/Excel hợp lệ (có thể chứa macro hoặc bị hỏng)."
        )
    return CheckedFile(
        display_name=_with_extension(display, ALLOWED[content_type]),
        content_type=content_type,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def check_files(files: Iterable[tuple[str, bytes]]) -> list[CheckedFile]:
    """Check every file before anything is written: one bad file refuses the whole update."""
    checked = [check_file(name, data) for name, data in files]
    if len(checked) > MAX_FILES:
        raise AttachmentError(f"Mỗi lần cập nhật chỉ được đính kèm tối đa {MAX_FILES} tệp.")
    return checked


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(files: Sequence[CheckedFile]) -> list[str]:
    """Write the files under random names in UPLOAD_DIR; returns the stored names in order."""
    directory = upload_dir()
    names = []
    for item in files:
        stored = f"{secrets.token_hex(16)}.{ALLOWED[item.content_type]}"
        target = directory / stored
        with open(target, "xb") as handle:  # never overwrite
            handle.write(item.data)
        names.append(stored)
    return names


def remove_stored(names: Iterable[str]) -> None:
    """Delete files written for a transaction that was then rolled back."""
    directory = Path(current_app.config["UPLOAD_DIR"])
    for name in names:
        if "/" in name or "\\" in name or name.startswith("."):
            continue
        (directory / name).unlink(missing_ok=True)


def stored_path(stored_name: str) -> Path:
    """The file on disk for a stored name (which the app generated, never the user)."""
    if not re.fullmatch(r"[0-9a-f]{32}\.[a-z]{3,4}", stored_name):
        raise AttachmentError("Tên tệp lưu trữ không hợp lệ.")
    return Path(current_app.config["UPLOAD_DIR"]) / stored_name


@sa.event.listens_for(Session, "after_rollback")
def _delete_files_of_rolled_back_transaction(session: Session) -> None:
    """Files are written before the commit; if the transaction rolls back (a refusal, a 409, a
    crash, or a request ending without commit), the files it wrote go too, whoever the caller
    was (page, API, CLI)."""
    names = session.info.pop(SESSION_KEY, None)
    if names and has_app_context():
        remove_stored(names)


@sa.event.listens_for(Session, "after_commit")
def _keep_files_of_committed_transaction(session: Session) -> None:
    session.info.pop(SESSION_KEY, None)
