"""PDF from the report's .docx through LibreOffice headless (``soffice --convert-to pdf``).

The PDF is the Word file as LibreOffice lays it out, so both say the same thing. Debian's
``libreoffice-writer-nogui`` is enough (``make test`` installs it, as it installs Chromium for
the browser journeys); where it is missing the PDF button says how to install it and the
download answers 503 with the same words. Every conversion runs in its own temporary
directory with its own LibreOffice profile, so several at once do not lock each other out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from flask import current_app, has_app_context

from tracker.core.errors import UserError

INSTALL_HINT = (
    "Máy chủ chưa cài LibreOffice nên chưa xuất được PDF. Quản trị viên cài một lần bằng lệnh "
    "«sudo apt-get install -y libreoffice-writer-nogui» rồi tải lại trang."
)
TIMEOUT_SECONDS = 120


def soffice_path() -> str | None:
    """``SOFFICE_PATH`` from the configuration, else ``soffice`` on the PATH."""
    configured = current_app.config.get("SOFFICE_PATH") if has_app_context() else None
    if configured:
        return str(configured) if Path(str(configured)).exists() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return soffice_path() is not None


def convert(data: bytes, source_suffix: str, target: str) -> bytes:
    """``data`` (a file ending in ``source_suffix``) converted by LibreOffice to ``target``
    (``pdf``, or a filter spec such as ``png``); the bytes of the result."""
    soffice = soffice_path()
    if soffice is None:
        raise UserError(INSTALL_HINT, status=503)
    with tempfile.TemporaryDirectory(prefix="tracker-soffice-") as tmp:
        work = Path(tmp)
        source = work / f"bao-cao{source_suffix}"
        source.write_bytes(data)
        out_dir = work / "out"
        command = [
            soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
            "--norestore", "--nolockcheck", "--nodefault", "--convert-to", target,
            "--outdir", str(out_dir), str(source),
        ]
        env = {**os.environ, "HOME": str(work)}
        try:
            # a fixed program and our own temporary files: nothing from the user reaches it
            subprocess.run(  # noqa: S603
                command, check=True, capture_output=True, timeout=TIMEOUT_SECONDS, env=env
            )
        except subprocess.TimeoutExpired:
            raise UserError("LibreOffice không chuyển xong tệp trong thời gian cho phép; "
                            "hãy thử lại sau ít phút.", status=503) from None
        except subprocess.CalledProcessError as exc:
            detail = exc.stderr.decode("utf-8", "replace")[-300:]
            raise UserError(f"LibreOffice không chuyển được tệp ({detail.strip() or 'lỗi'}).",
                            status=503) from None
        results = sorted(out_dir.glob("bao-cao.*")) if out_dir.exists() else []
        if not results:
            raise UserError("LibreOffice không tạo ra tệp kết quả.", status=503)
        return results[0].read_bytes()


def docx_to_pdf(data: bytes) -> bytes:
    """The report's .docx as PDF."""
    return convert(data, ".docx", "pdf")
