"""Reading uploaded reports: .txt/.md, .docx and text PDFs become plain text with "\n" newlines.

Everything a user can get wrong ends in a ReportParseError with a Vietnamese message, so the
upload page and the CLI can show it without knowing file formats.
"""

from __future__ import annotations

import io
import re
import unicodedata

from tracker.intake.docx_reading import MAX_DOCX_UNCOMPRESSED, read_docx
from tracker.intake.parser import ReportParseError
from tracker.intake.text import format_size as _format_size

__all__ = ["MAX_DOCX_UNCOMPRESSED", "MAX_PDF_PAGES", "read_report_file"]

TEXT_EXTENSIONS = (".txt", ".md")
DOCX_EXTENSION = ".docx"
PDF_EXTENSION = ".pdf"
MAX_PDF_PAGES = 200

def read_report_file(filename: str, data: bytes, max_bytes: int = 5 * 1024 * 1024) -> str:
    """Return the text of an uploaded report (.txt, .md, .docx or .pdf) as NFC, "\\n" newlines.

    Everything a user can get wrong ends in a ReportParseError with a Vietnamese message, so the
    upload page and the CLI can show it without knowing file formats.
    """
    extension = _extension(filename)
    if extension == ".doc":
        raise ReportParseError(
            "Tệp .doc (Word 97-2003) không được hỗ trợ. Hãy mở tệp bằng Word và lưu lại "
            "dưới dạng .docx rồi tải lên lại."
        )
    if extension not in (*TEXT_EXTENSIONS, DOCX_EXTENSION, PDF_EXTENSION):
        shown = f" ({extension})" if extension else ""
        raise ReportParseError(
            f"Định dạng tệp không được hỗ trợ{shown}. Hãy tải lên tệp .docx, .pdf, .txt hoặc .md."
        )
    if not data:
        raise ReportParseError("Tệp rỗng.")
    if len(data) > max_bytes:
        raise ReportParseError(
            f"Tệp vượt quá dung lượng cho phép ({_format_size(max_bytes)})."
        )
    if extension == DOCX_EXTENSION:
        text = read_docx(data)
    elif extension == PDF_EXTENSION:
        text = _read_pdf(data)
    else:
        text = _read_text(data)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise ReportParseError("Tệp rỗng.")
    return text


def _extension(filename: str) -> str:
    name = re.split(r"[\\/]", filename or "")[-1]
    if "." not in name.strip("."):
        return ""
    return "." + name.rsplit(".", 1)[1].strip().lower()


_NOT_UTF8 = (
    "Tệp không phải UTF-8. Hãy lưu lại tệp văn bản với bảng mã UTF-8 (Unicode) rồi tải lên lại."
)


def _read_text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReportParseError(_NOT_UTF8) from None
    if "\x00" in text:  # UTF-16 without BOM, or a binary file renamed to .txt
        raise ReportParseError(_NOT_UTF8)
    return text


_BROKEN_PDF = (
    "Tệp PDF bị hỏng hoặc không đọc được. Hãy xuất lại tệp PDF từ Word (hoặc tải lên tệp "
    ".docx) rồi tải lên lại."
)
_SCANNED_PDF = (
    "Tệp PDF không có lớp chữ (có thể là bản quét hoặc ảnh chụp), nên không đọc được nội dung. "
    "Hãy tải lên tệp .docx, hoặc tệp PDF được xuất trực tiếp từ Word."
)


def _read_pdf(data: bytes) -> str:
    """The text layer of a PDF exported from Word, page by page."""
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.lstrip()[:5] == b"%PDF-":
        raise ReportParseError(_BROKEN_PDF)
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged files log at WARNING
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ReportParseError(
                "Tệp PDF được đặt mật khẩu nên không đọc được. Hãy gỡ mật khẩu hoặc tải lên "
                "tệp .docx."
            )
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ReportParseError(
                f"Tệp PDF có quá nhiều trang (trên {MAX_PDF_PAGES} trang). Hãy tải lên riêng "
                "báo cáo cần nhập."
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except ReportParseError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError):
        raise ReportParseError(_BROKEN_PDF) from None
    text = "\n\n".join(_pdf_page(page) for page in pages)
    if len(re.findall(r"[^\W\d_]", text)) < 20:
        raise ReportParseError(_SCANNED_PDF)
    return text


def _pdf_page(text: str) -> str:
    """A page's lines; a line that ends a sentence (or is a heading) ends its paragraph."""
    lines = [line.rstrip() for line in text.replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line.strip())
