"""Turn a monthly UBND report into proposed directives.

The report's section "II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG MM/YYYY" is a numbered list of
the next month's priority tasks. This module reads the uploaded file, finds that section, splits
it into items and sub-items, strips layout debris (footnotes, page numbers, the closing
paragraph, the signature) and proposes a field and lead/support units for every item from an
editable keyword table.

It is plain Python on purpose (no Flask, no database): the import CLI, the upload page and the
demo seeding all build on it, and it is tested on its own.

Debris rule. Reports are usually exported from Word or PDF with their footnotes inlined where the
page ended, so footnotes and their page-break tails land between items. A line starting with
superscript digits (¹³ ...) or a Markdown footnote definition ([^13]: ...) is a footnote. A
paragraph starting with a lowercase letter cannot start a sentence, so it is the rest of
something a page break cut: if the directive text collected so far stops mid-sentence (no final
"." "!" "?" "…"), it is that text's continuation and is joined to it; if the text already ends
a sentence, the lowercase paragraph is the tail of a footnote from the previous page and is
dropped (with a warning). Lines wrapped inside a dropped paragraph are dropped up to the next
blank line. A paragraph opening with a plain number and a lowercase word ("13 ông ...", a PDF
export that lost the superscript) right after a finished sentence is a footnote too. Page
numbers ("(1)", "- 2 -"), the closing "Trên đây là ...", "Nơi nhận:", the signature block and a
following section III end or interrupt nothing else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import docx
from docx.oxml.text.run import CT_R
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree
from unidecode import unidecode

from tracker.core import archives
from tracker.directives.fields import DEFAULT_FIELD
from tracker.units.catalogue import UNITS, WARD, WARD_CODES

__all__ = [
    "DEFAULT_RULES",
    "FALLBACK_LEAD_UNIT",
    "MAX_LEAD_UNITS",
    "ParsedItem",
    "ParsedReport",
    "ReportParseError",
    "RoutingRule",
    "parse_report",
    "propose_units",
    "read_report_file",
]

TEXT_EXTENSIONS = (".txt", ".md")
DOCX_EXTENSION = ".docx"
MAX_DOCX_UNCOMPRESSED = 50 * 1024 * 1024  # zip-bomb guard for uploaded .docx files
# Inflated bytes actually read (tracker.core.archives), not what the zip headers declare.
DOCX_LIMITS = archives.Limits(member=20 * 1024 * 1024, total=MAX_DOCX_UNCOMPRESSED)
FALLBACK_LEAD_UNIT = "VP"  # the secretariat triages what no rule recognises
MAX_LEAD_UNITS = 2
TITLE_MAX_CHARS = 200

LEAD = "lead"
SUPPORT = "support"


class ReportParseError(ValueError):
    """A file or report the importer cannot use; ``message`` is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------------


def read_report_file(filename: str, data: bytes, max_bytes: int = 5 * 1024 * 1024) -> str:
    """Return the text of an uploaded report (.txt, .md or .docx) as NFC with "\\n" newlines.

    Everything a user can get wrong ends in a ReportParseError with a Vietnamese message, so the
    upload page and the CLI can show it without knowing file formats.
    """
    extension = _extension(filename)
    if extension == ".doc":
        raise ReportParseError(
            "Tệp .doc (Word 97-2003) không được hỗ trợ. Hãy mở tệp bằng Word và lưu lại "
            "dưới dạng .docx rồi tải lên lại."
        )
    if extension not in (*TEXT_EXTENSIONS, DOCX_EXTENSION):
        shown = f" ({extension})" if extension else ""
        raise ReportParseError(
            f"Định dạng tệp không được hỗ trợ{shown}. Hãy tải lên tệp .docx, .txt hoặc .md."
        )
    if not data:
        raise ReportParseError("Tệp rỗng.")
    if len(data) > max_bytes:
        raise ReportParseError(
            f"Tệp vượt quá dung lượng cho phép ({_format_size(max_bytes)})."
        )
    text = _read_docx(data) if extension == DOCX_EXTENSION else _read_text(data)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise ReportParseError("Tệp rỗng.")
    return text


def _extension(filename: str) -> str:
    name = re.split(r"[\\/]", filename or "")[-1]
    if "." not in name.strip("."):
        return ""
    return "." + name.rsplit(".", 1)[1].strip().lower()


def _format_size(n_bytes: int) -> str:
    mib = 1024 * 1024
    if n_bytes >= mib:
        return f"{n_bytes / mib:.1f}".removesuffix(".0").replace(".", ",") + " MB"
    if n_bytes >= 1024:
        return f"{n_bytes / 1024:.1f}".removesuffix(".0").replace(".", ",") + " KB"
    return f"{n_bytes} byte"


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


_BROKEN_DOCX = (
    "Tệp .docx bị hỏng hoặc không phải tệp Word. Hãy mở tệp bằng Word, lưu lại dưới dạng "
    ".docx rồi tải lên lại."
)


def _read_docx(data: bytes) -> str:
    # Every member is inflated under limits by tracker.core.archives, never trusting the zip
    # headers; python-docx only ever sees the package rebuilt from those checked bytes.
    try:
        archive = archives.SafeZip(data, DOCX_LIMITS, "Tệp .docx")
        if not {"[Content_Types].xml", "word/document.xml"} <= set(archive.names()):
            raise ReportParseError(_BROKEN_DOCX)
        package = archives.rebuild(data, limits=DOCX_LIMITS, label="Tệp .docx")
    except archives.ArchiveError as exc:
        raise ReportParseError(
            _BROKEN_DOCX if exc.kind == archives.BROKEN else exc.message
        ) from None
    try:
        document = docx.Document(io.BytesIO(package))
        blocks = list(_docx_blocks(document.iter_inner_content(), _Numbering(document)))
    except ReportParseError:
        raise
    except Exception:  # python-docx/lxml raise many types for damaged packages
        raise ReportParseError(_BROKEN_DOCX) from None
    return "\n\n".join(block for block in blocks if block.strip())


def _docx_blocks(content: Iterable[Paragraph | Table], numbering: _Numbering) -> Iterator[str]:
    """Paragraphs and table cells in document order (header and signature blocks are tables)."""
    for block in content:
        if isinstance(block, Paragraph):
            yield numbering.label(block) + _paragraph_text(block)
        else:
            # A merged cell repeats across the grid. Holding the elements (not their id()) keeps
            # lxml's proxies alive, so identity stays meaningful.
            seen: list[Any] = []
            for row in block.rows:
                for cell in row.cells:
                    if any(cell._tc is element for element in seen):
                        continue
                    seen.append(cell._tc)
                    yield from _docx_blocks(cell.iter_inner_content(), numbering)


_W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
# Runs of the paragraph itself, including tracked insertions, content controls and fields
# (python-docx's Paragraph.text skips those), but not deleted text or text boxes.
_PARAGRAPH_RUNS = (
    ".//w:r[not(ancestor::w:del) and not(ancestor::w:moveFrom)"
    " and not(ancestor::w:txbxContent)]"
)


def _xp(element: Any, expression: str) -> list[Any]:
    """XPath with the w: prefix bound, for python-docx and plain lxml elements alike."""
    return etree._Element.xpath(element, expression, namespaces=_W)


def _paragraph_text(paragraph: Paragraph) -> str:
    return "".join(
        run.text for run in _xp(paragraph._p, _PARAGRAPH_RUNS) if isinstance(run, CT_R)
    )


_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def _roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


class _Numbering:
    """Best-effort rendering of Word's automatic list numbers ("1.", "a)", bullets).

    python-docx returns a paragraph's typed text only; a report whose tasks are a Word numbered
    list would otherwise lose the "1. ", "2. " the parser relies on.
    """

    def __init__(self, document: Any) -> None:
        self._levels: dict[str, dict[int, tuple[int, str, str]]] = {}
        self._counters: dict[str, list[int]] = {}
        try:
            self._load(document.part.numbering_part.element)
        except Exception:  # no numbering part, or one we cannot read: no automatic numbers
            self._levels = {}

    def _load(self, root: Any) -> None:
        abstract: dict[str, dict[int, tuple[int, str, str]]] = {}
        for node in _xp(root, "./w:abstractNum"):
            levels = {}
            for lvl in _xp(node, "./w:lvl"):
                start = _xp(lvl, "./w:start/@w:val")
                fmt = _xp(lvl, "./w:numFmt/@w:val")
                text = _xp(lvl, "./w:lvlText/@w:val")
                levels[int(_xp(lvl, "./@w:ilvl")[0])] = (
                    int(start[0]) if start else 1,
                    fmt[0] if fmt else "decimal",
                    text[0] if text else "",
                )
            abstract[_xp(node, "./@w:abstractNumId")[0]] = levels
        for num in _xp(root, "./w:num"):
            ref = _xp(num, "./w:abstractNumId/@w:val")
            levels = dict(abstract.get(ref[0], {})) if ref else {}
            for override in _xp(num, "./w:lvlOverride"):
                ilvl = int(_xp(override, "./@w:ilvl")[0])
                start = _xp(override, "./w:startOverride/@w:val")
                if start and ilvl in levels:
                    _, fmt, text = levels[ilvl]
                    levels[ilvl] = (int(start[0]), fmt, text)
            self._levels[_xp(num, "./@w:numId")[0]] = levels

    def label(self, paragraph: Paragraph) -> str:
        if not self._levels:
            return ""
        try:
            found = self._num_pr(paragraph)
            if found is None:
                return ""
            num_id, ilvl = found
            levels = self._levels.get(num_id)
            if not levels or ilvl not in levels:
                return ""
            counters = self._counters.setdefault(num_id, [0] * 9)
            start, fmt, _ = levels[ilvl]
            counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else start
            for deeper in range(ilvl + 1, 9):
                counters[deeper] = 0
            if fmt == "bullet":
                return "- "
            if fmt == "none":
                return ""
            text = levels[ilvl][2]
            for level in range(ilvl + 1):
                lvl_start, lvl_fmt, _ = levels.get(level, (1, "decimal", ""))
                value = counters[level] or lvl_start
                text = text.replace(f"%{level + 1}", _format_number(value, lvl_fmt))
            return text + " " if text else ""
        except Exception:  # a numbering quirk must not make the whole file unreadable
            return ""

    @staticmethod
    def _num_pr(paragraph: Paragraph) -> tuple[str, int] | None:
        own = _xp(paragraph._p, "./w:pPr/w:numPr")
        if own:
            num_id = _xp(own[0], "./w:numId/@w:val")
            ilvl = _xp(own[0], "./w:ilvl/@w:val")
            if num_id and num_id[0] != "0":
                return num_id[0], int(ilvl[0]) if ilvl else 0
            return None
        style = paragraph.style
        while style is not None:
            pr = _xp(style.element, "./w:pPr/w:numPr")
            if pr:
                num_id = _xp(pr[0], "./w:numId/@w:val")
                ilvl = _xp(pr[0], "./w:ilvl/@w:val")
                if num_id and num_id[0] != "0":
                    return num_id[0], int(ilvl[0]) if ilvl else 0
                return None
            style = style.base_style
        return None


def _format_number(value: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return chr(ord("a") + (value - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (value - 1) % 26)
    if fmt == "lowerRoman":
        return _roman(value).lower()
    if fmt == "upperRoman":
        return _roman(value)
    return str(value)


# --------------------------------------------------------------------------------------------
# Routing rules: field and units proposed from keywords
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoutingRule:
    """One row of the editable routing table: keywords → units (lead or support) and a field.

    Keywords match case- and diacritics-insensitively on word boundaries ("phường, xã" also
    matches "phường – xã"). A rule may carry only a field and no units.
    """

    keywords: tuple[str, ...]
    unit_codes: tuple[str, ...] = ()
    role: str = SUPPORT  # "lead" or "support"
    field: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.keywords, str):
            object.__setattr__(self, "keywords", (self.keywords,))
        object.__setattr__(self, "keywords", tuple(self.keywords))
        object.__setattr__(self, "unit_codes", tuple(self.unit_codes))
        if self.role not in (LEAD, SUPPORT):
            raise ValueError(f"role must be 'lead' or 'support', not {self.role!r}")


def _rule(keywords: str, units: str | tuple[str, ...], role: str, field: str | None) -> RoutingRule:
    codes = (units,) if isinstance(units, str) else units
    words = tuple(keyword.strip() for keyword in keywords.split(";") if keyword.strip())
    return RoutingRule(words, codes, role, field)


_KT, _XD, _VH, _NC, _CCHC, _CD = (
    "kinh_te", "xay_dung_do_thi", "van_hoa_xa_hoi", "noi_chinh", "cai_cach_hanh_chinh", "chi_dao",
)

# Keywords are written with diacritics for the admin's sake; matching ignores them. A keyword
# inside a longer matched keyword does not count ("giáo dục" in "giáo dục pháp luật"), which is
# how the more specific phrase wins.
DEFAULT_RULES: list[RoutingRule] = [
    # Chỉ đạo điều hành
    _rule("chỉ đạo điều hành; chương trình công tác; lịch công tác; tổng hợp báo cáo; "
          "chế độ báo cáo", "VP", LEAD, _CD),
    # Kinh tế: the socio-economic plan, budget and tax
    _rule("kinh tế - xã hội; dự toán ngân sách; ngân sách; thuế; nguồn thu; tài chính; "
          "kiểm soát chi; chống lãng phí; thực hành tiết kiệm", "TCKH", LEAD, _KT),
    _rule("thuế; nguồn thu; thu ngân sách; thu nợ", "CCT", SUPPORT, _KT),
    # Kinh tế: enterprises, trade, agriculture, science and technology, cooperatives
    _rule("doanh nghiệp; hộ kinh doanh; công nghiệp; tiểu thủ công nghiệp; cụm công nghiệp; "
          "thương mại; người tiêu dùng; sử dụng điện; giá bán điện; môi trường kinh doanh; "
          "môi trường đầu tư; năng lực cạnh tranh; nhà đầu tư; thủ tục đầu tư; kêu gọi đầu tư; "
          "đầu tư công nghiệp; đầu tư công nghệ; khởi nghiệp; nông nghiệp; nông thôn mới; OCOP; "
          "cây trồng; vật nuôi; chăn nuôi; trồng trọt; gia súc; thủy sản; thủy lợi; thiên tai; "
          "triều cường; xâm nhập mặn; dịch bệnh trên cây trồng; "
          "dịch bệnh trên cây trồng vật nuôi; hợp tác xã; HTX; kinh tế tập thể; KTTT; "
          "khoa học công nghệ; khoa học và công nghệ; KHCN", "KT", LEAD, _KT),
    # Xây dựng cơ bản, giải phóng mặt bằng, đô thị, đất đai, môi trường
    _rule("đầu tư công; giải ngân; xây dựng cơ bản; vốn đầu tư; công trình; thi công; "
          "quyết toán; thẩm tra quyết toán", "BQLDA", LEAD, _XD),
    _rule("đầu tư công; giải ngân; quyết toán; kế hoạch vốn", "TCKH", SUPPORT, _XD),
    _rule("giải phóng mặt bằng; bồi thường", "TNMT", SUPPORT, _XD),
    _rule("quy hoạch; đồ án quy hoạch; quản lý đô thị; trật tự đô thị; chỉnh trang đô thị; "
          "mỹ quan đô thị; đô thị loại; tiêu chí đô thị; trật tự xây dựng; giấy phép xây dựng; "
          "cấp phép xây dựng; hạ tầng giao thông; công trình giao thông; giao thông nông thôn; "
          "chiếu sáng; cây xanh; lấn chiếm vỉa hè", "QLDT", LEAD, _XD),
    _rule("đất đai; quản lý đất đai; lấn chiếm đất; quyền sử dụng đất; quy hoạch sử dụng đất; "
          "kế hoạch sử dụng đất; tài nguyên; khoáng sản; môi trường; ô nhiễm môi trường; "
          "bảo vệ môi trường; vệ sinh môi trường; rác thải; chất thải", "TNMT", LEAD, _XD),
    # Văn hóa - xã hội
    _rule("giáo dục; sách giáo khoa; học sinh; giáo viên; năm học; bậc học; phổ cập giáo dục; "
          "xóa mù chữ; cộng đồng học tập; học tập cộng đồng; xã hội học tập; khuyến học; "
          "mầm non; tiểu học; trung học", "GDDT", LEAD, _VH),
    _rule("y tế; dịch bệnh; khám, chữa bệnh; bệnh viện; sốt xuất huyết; tay chân miệng; "
          "covid-19; covid; vắc xin; vaccine; tiêm chủng; an toàn thực phẩm; bệnh cúm; cúm A; "
          "cúm gia cầm; dân số", "YT", LEAD, _VH),
    _rule("y tế; dịch bệnh; khám, chữa bệnh; bệnh viện; sốt xuất huyết; tay chân miệng; "
          "covid-19; covid; vắc xin; vaccine; tiêm chủng; an toàn thực phẩm", "TTYT", SUPPORT,
          _VH),
    _rule("văn hóa; dịch vụ văn hóa; đời sống văn hóa; đô thị văn minh; du lịch; thể thao; "
          "thể dục thể thao; lễ hội; di tích; truyền thanh; thông tin và truyền thông; "
          "công viên", "VHTT", LEAD, _VH),
    _rule("người có công; gia đình chính sách; đền ơn đáp nghĩa; thương binh; lao động; "
          "người lao động; hợp đồng lao động; giải quyết việc làm; tạo việc làm; "
          "bảo hiểm xã hội; bảo hiểm y tế; bảo hiểm thất nghiệp; bảo trợ xã hội; giảm nghèo; "
          "hộ nghèo; trẻ em; bình đẳng giới; tệ nạn xã hội; kiểm tra liên ngành 178; AAV",
          "LDTBXH", LEAD, _VH),
    _rule("dân tộc; đồng bào dân tộc; dân tộc thiểu số; tôn giáo; tín ngưỡng; Khmer", "DT",
          LEAD, _VH),
    # Nội chính
    _rule("quân sự; quốc phòng; sẵn sàng chiến đấu; trực sẵn sàng chiến đấu; tuyển quân; "
          "nhập ngũ; nghĩa vụ quân sự; huấn luyện; dân quân; quân dân; diễn tập; "
          "giáo dục quốc phòng", "BCHQS", LEAD, _NC),
    _rule("an ninh; an ninh trật tự; an ninh chính trị; trật tự an toàn xã hội; tội phạm; "
          "ma túy; tín dụng đen; giao thông; an toàn giao thông; tuần tra; phòng cháy chữa cháy; "
          "cứu nạn cứu hộ; đề án 06; cư trú; căn cước", "CA", LEAD, _NC),
    _rule("khiếu nại; tố cáo; khiếu kiện; đơn thư; tiếp công dân; thanh tra; tham nhũng",
          "TTRA", LEAD, _NC),
    _rule("phổ biến giáo dục pháp luật; tuyên truyền pháp luật; phổ biến pháp luật; "
          "giáo dục pháp luật; tiếp cận pháp luật; hòa giải ở cơ sở; hộ tịch; chứng thực; "
          "trợ giúp pháp lý; kiểm tra văn bản; xử lý vi phạm hành chính", "TP", LEAD, _NC),
    _rule("thi hành án; thi hành án dân sự; án dân sự", "THADS", LEAD, _NC),
    # Cải cách hành chính
    _rule("cải cách hành chính; cán bộ, công chức; công chức, viên chức; công chức; viên chức; "
          "công vụ; kỷ luật, kỷ cương; kỷ cương; đào tạo, bồi dưỡng; tổ chức bộ máy; biên chế; "
          "thi đua, khen thưởng; quy hoạch cán bộ", "NV", LEAD, _CCHC),
    _rule("thủ tục hành chính; một cửa; dịch vụ công trực tuyến", "TTHCC", LEAD, _CCHC),
    _rule("cải cách hành chính; dịch vụ hành chính công; hành chính công", "TTHCC", SUPPORT,
          _CCHC),
    _rule("địa giới hành chính", "NV", SUPPORT, None),
    # Wards: the whole level ("phường, xã" also matches "phường – xã"), or one ward by name
    _rule("phường, xã; xã, phường; các phường; cấp xã", tuple(WARD_CODES), SUPPORT, None),
    *[_rule(unit.name, unit.code, SUPPORT, None) for unit in UNITS if unit.kind == WARD],
]


def _fold(text: str) -> str:
    """Lowercase ASCII form used for matching: "Phường – Xã" → "phuong - xa"."""
    return unidecode(unicodedata.normalize("NFC", text)).lower()


@lru_cache(maxsize=4096)
def _keyword_pattern(keyword: str) -> re.Pattern[str] | None:
    tokens = re.findall(r"[a-z0-9]+", _fold(keyword))
    if not tokens:
        return None
    body = r"[^a-z0-9]{1,4}".join(re.escape(token) for token in tokens)
    return re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])")


@dataclass
class _RuleHits:
    index: int
    rule: RoutingRule
    count: int = 0
    first: int = 1 << 30


def _rank_key(hits: _RuleHits) -> tuple[int, int, int]:
    # Most keyword occurrences first; on a tie the rule the text mentions first; then table order.
    return (-hits.count, hits.first, hits.index)


def propose_units(text: str, rules: list[RoutingRule]) -> tuple[str | None, list[str], list[str]]:
    """Propose (field, lead unit codes, support unit codes) for one directive's text.

    The lead comes from the lead rule the text mentions most often (ties: the one mentioned
    first), at most MAX_LEAD_UNITS units; every other matched rule's units become support.
    With no lead rule matched the lead is FALLBACK_LEAD_UNIT (VP) for the secretariat to triage.
    The field is that of the best lead rule carrying one, else of the best support rule; None
    when nothing matched, so a sub-item can fall back to its parent's field.
    """
    field, leads, supports, _ = _propose(text, rules)
    return field, leads, supports


def _rule_hits(text: str, rules: list[RoutingRule]) -> list[_RuleHits]:
    """Matched rules with their keyword counts, best first."""
    folded = _fold(text)
    spans: list[tuple[int, int, int]] = []  # (start, end, rule index)
    for index, rule in enumerate(rules):
        for keyword in rule.keywords:
            pattern = _keyword_pattern(keyword)
            if pattern is not None:
                spans.extend((m.start(), m.end(), index) for m in pattern.finditer(folded))
    # A hit strictly inside a longer hit is the less specific reading of the same words.
    kept = sorted(
        (start, end, index)
        for start, end, index in spans
        if not any(s <= start and end <= e and (e - s) > (end - start) for s, e, _ in spans)
    )
    by_rule: dict[int, _RuleHits] = {}
    occupied: dict[int, list[tuple[int, int]]] = {}
    for start, end, index in kept:
        taken = occupied.setdefault(index, [])
        if any(s < end and start < e for s, e in taken):  # overlapping keywords of one rule
            continue
        taken.append((start, end))
        hits = by_rule.setdefault(index, _RuleHits(index, rules[index]))
        hits.count += 1
        hits.first = min(hits.first, start)
    return sorted(by_rule.values(), key=_rank_key)


def _propose(
    text: str, rules: list[RoutingRule]
) -> tuple[str | None, list[str], list[str], bool]:
    ranked = _rule_hits(text, rules)
    best_lead = next((h for h in ranked if h.rule.role == LEAD and h.rule.unit_codes), None)
    lead_units: list[str] = []
    support_units: list[str] = []
    if best_lead is not None:
        codes = list(dict.fromkeys(best_lead.rule.unit_codes))
        lead_units, support_units = codes[:MAX_LEAD_UNITS], codes[MAX_LEAD_UNITS:]
    for hits in ranked:
        if hits is not best_lead:
            support_units.extend(hits.rule.unit_codes)
    if not lead_units:
        lead_units = [FALLBACK_LEAD_UNIT]
    support_units = [code for code in dict.fromkeys(support_units) if code not in lead_units]
    if best_lead is not None and best_lead.rule.field:
        field = best_lead.rule.field
    else:
        field = next((h.rule.field for h in ranked if h.rule.field), None)
    return field, lead_units, support_units, best_lead is not None


# --------------------------------------------------------------------------------------------
# Parsed data
# --------------------------------------------------------------------------------------------


@dataclass
class ParsedItem:
    """One task of section II; ``children`` are its "- " sub-items ("6.1", "6.2").

    ``text`` is the item's own text; a parent's text does not repeat its children's.
    """

    number: str
    title: str
    text: str
    children: list[ParsedItem] = dataclasses.field(default_factory=list)
    field: str | None = None
    lead_units: list[str] = dataclasses.field(default_factory=list)
    support_units: list[str] = dataclasses.field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "text": self.text,
            "field": self.field,
            "lead_units": list(self.lead_units),
            "support_units": list(self.support_units),
            "children": [child.to_json() for child in self.children],
        }


@dataclass
class ParsedReport:
    """Section II of one report: the tasks for ``year``/``month`` plus the report's metadata."""

    year: int
    month: int
    items: list[ParsedItem]
    document_number: str | None = None
    issued_on: dt.date | None = None
    title: str | None = None
    warnings: list[str] = dataclasses.field(default_factory=list)

    @property
    def period(self) -> tuple[int, int]:
        return self.year, self.month

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict (``import-report --json``)."""
        return {
            "period": f"{self.year:04d}-{self.month:02d}",
            "document_number": self.document_number,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "title": self.title,
            "warnings": list(self.warnings),
            "items": [item.to_json() for item in self.items],
        }


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------

_NO_SECTION = 'Không tìm thấy mục "II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM ..." trong tệp.'
_NO_PERIOD = (
    "Tiêu đề mục II không ghi rõ tháng, năm của các nhiệm vụ (ví dụ “tháng tới”). "
    "Hãy chọn kỳ (tháng/năm) khi nhập báo cáo."
)

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_RUN = re.compile(f"[{_SUPERSCRIPTS}]+")
_UNIT_BEFORE_POWER = re.compile(r"(?<![^\W\d_])(?:k|c|d|h)?m$")  # m², km³ stay as they are
_MD_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
_MD_FOOTNOTE_DEF = re.compile(r"^\[\^[^\]\s]+\]:")
_SPACES = re.compile(r"[\s\u00a0\u200b\u2009\u202f]+")

_ITEM = re.compile(r"^([0-9]{1,2})\\?[.)](?:\s+(\S.*))?$")  # text may be on the next line
_SUB_NUMBER = re.compile(r"^([0-9]{1,2})\.([0-9]{1,2})\.?\s+(\S.*)$")
_BULLET = re.compile(r"^([-–—+•]|\*(?=\s))(?:\s+(?=\S)|(?=[^\W\d_]))(.*)$")
_PAGE_MARKER = re.compile(
    r"^(?:\(\s*[0-9]{1,3}\s*\)|\[[0-9]{1,3}\]|[0-9]{1,3}|[-–]\s*[0-9]{1,3}\s*[-–]"
    r"|[Tt]rang\s+[0-9]+(?:\s*/\s*[0-9]+)?)$"
)
_PLAIN_FOOTNOTE = re.compile(r"^[0-9]{1,3}\s+(?=[^\W\d_])")
_TERMINAL = re.compile(r"[.!?…][\"”’')\]*_]*$")

_HEADING = re.compile(r"^(?:phan\s+(?:thu\s+hai|ii)|ii)(?:\s*[.:)\-]\s*|\s+)(?P<rest>\S.*)$")
_BARE_HEADING = re.compile(r"^(?:mot so\s+)?(?:nhiem vu|cong tac)\b.*\b(?:trong tam|thang)\b")
_PERIOD_FULL = re.compile(
    r"thang\s*([0-9]{1,2})\s*(?:[/.\-]\s*|\s+nam\s+)([0-9]{4})(?![0-9])"
)
_PERIOD_MONTH = re.compile(r"thang\s*([0-9]{1,2})(?![0-9/.\-])")
_DOCUMENT_NUMBER = re.compile(r"(?im)^[\W_]*số\s*:\s*([0-9]+\s*/\s*[0-9A-Za-zĐđ][^\s,;]*)")
_ISSUED_ON = re.compile(
    r"(?im)(?:^|,)[\s*_]*ngày\s+([0-9]{1,2})\s+tháng\s+([0-9]{1,2})\s+năm\s+([0-9]{4})"
)
_ABBREVIATIONS = {"tp", "tt", "tx", "q", "p", "ts", "ths", "pgs", "gs", "bs", "ks", "ng", "v.v"}


def parse_report(
    text: str,
    period: tuple[int, int] | None = None,
    rules: list[RoutingRule] | None = None,
) -> ParsedReport:
    """Parse a report's section II into items with proposed field and units.

    The period comes from the section heading ("... THÁNG 03/2023"); ``period`` is used when the
    heading has none ("THÁNG TỚI") and otherwise only produces a warning if it disagrees.
    """
    rules = DEFAULT_RULES if rules is None else rules
    if period is not None:
        _check_period(*period)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.split("\n")
    warnings: list[str] = []

    found = _find_section(lines)
    if found is None:
        raise ReportParseError(_NO_SECTION)
    heading_index, body_start, heading_period, heading_month = found
    preamble = "\n".join(lines[:heading_index])
    document_number = _document_number(preamble)
    issued_on = _issued_on(preamble, warnings)
    year, month = _resolve_period(heading_period, heading_month, period, issued_on, warnings)

    builders = _split_items(lines[body_start:], warnings)
    if not builders:
        raise ReportParseError(
            "Mục II không có nhiệm vụ nào được đánh số (1., 2., ...), nên không tạo được "
            "nhiệm vụ nào."
        )
    items = [_finish(builder, rules, None, warnings) for builder in builders]
    return ParsedReport(
        year=year,
        month=month,
        items=items,
        document_number=document_number,
        issued_on=issued_on,
        title=_report_title(lines[:heading_index]),
        warnings=warnings,
    )


def _check_period(year: int, month: int) -> None:
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise ReportParseError(
            f"Kỳ không hợp lệ: {month}/{year}. Tháng phải từ 1 đến 12, năm từ 2000 đến 2100."
        )


def _heading_key(line: str) -> str:
    """A line reduced for heading tests: no Markdown markers, folded, single spaces."""
    stripped = re.sub(r"^[\s>#*_]+|[\s*_:.]+$", "", line)
    return _SPACES.sub(" ", _fold(stripped)).strip()


def _find_section(lines: list[str]) -> tuple[int, int, tuple[int, int] | None, int | None] | None:
    """Locate section II: (heading line, first body line, (year, month) or None, month only)."""
    candidates = [i for i, line in enumerate(lines) if _is_heading(_heading_key(line), line)]
    if not candidates:
        candidates = [
            i for i, line in enumerate(lines)
            if _is_bare_heading(_heading_key(line), line)
        ]
    if not candidates:
        return None
    index = candidates[0]
    key = _heading_key(lines[index])
    body_start = index + 1
    if not _PERIOD_FULL.search(key) and not _PERIOD_MONTH.search(key):
        # "... TRONG" / "THÁNG 03/2023" split over two lines by a soft line break.
        nxt = next((j for j in range(index + 1, min(index + 3, len(lines))) if lines[j].strip()),
                   None)
        if nxt is not None and re.match(r"^(?:trong\s+)?thang\s*[0-9]", _heading_key(lines[nxt])):
            key = f"{key} {_heading_key(lines[nxt])}"
            body_start = nxt + 1
    full = _PERIOD_FULL.search(key)
    if full:
        return index, body_start, (int(full.group(2)), int(full.group(1))), None
    month_only = _PERIOD_MONTH.search(key)
    return index, body_start, None, int(month_only.group(1)) if month_only else None


def _is_heading(key: str, line: str) -> bool:
    match = _HEADING.match(key)
    if not match or len(line) > 200:
        return False
    rest = match.group("rest")
    topical = any(word in rest for word in ("nhiem vu", "cong tac", "phuong huong"))
    timed = any(word in rest for word in ("trong tam", "thang", "phuong huong", "ke hoach"))
    backward = any(word in rest for word in ("ket qua", "tinh hinh", "danh gia"))
    return topical and timed and not backward


def _is_bare_heading(key: str, line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    shouting = bool(letters) and not any(ch.islower() for ch in letters)
    return shouting and len(line) <= 200 and bool(_BARE_HEADING.match(key)) and (
        "ket qua" not in key
    )


def _resolve_period(
    heading: tuple[int, int] | None,
    heading_month: int | None,
    given: tuple[int, int] | None,
    issued_on: dt.date | None,
    warnings: list[str],
) -> tuple[int, int]:
    if heading is not None and 1 <= heading[1] <= 12 and 2000 <= heading[0] <= 2100:
        if given is not None and tuple(given) != heading:
            warnings.append(
                f"Kỳ được chọn ({given[1]:02d}/{given[0]}) khác với kỳ ghi trong tiêu đề mục II "
                f"({heading[1]:02d}/{heading[0]}); đã dùng kỳ trong tiêu đề."
            )
        return heading
    if heading is not None:
        warnings.append(
            f"Tiêu đề mục II ghi kỳ không hợp lệ ({heading[1]}/{heading[0]}); đã bỏ qua."
        )
    if given is not None:
        if heading_month is not None and heading_month != given[1]:
            warnings.append(
                f"Tiêu đề mục II ghi tháng {heading_month}, khác với kỳ được chọn "
                f"({given[1]:02d}/{given[0]})."
            )
        return given[0], given[1]
    if heading_month is not None and 1 <= heading_month <= 12 and issued_on is not None:
        # "THÁNG 01" in a report dated December is next year's January.
        year = issued_on.year + (1 if heading_month < issued_on.month - 6 else 0)
        warnings.append(
            f"Tiêu đề mục II không ghi năm; đã lấy năm {year} theo ngày ban hành báo cáo."
        )
        return year, heading_month
    raise ReportParseError(_NO_PERIOD)


def _document_number(preamble: str) -> str | None:
    match = _DOCUMENT_NUMBER.search(preamble)
    if not match:
        return None
    return re.sub(r"\s+", "", match.group(1)).rstrip(".")


def _issued_on(preamble: str, warnings: list[str]) -> dt.date | None:
    match = _ISSUED_ON.search(preamble)
    if not match:
        return None
    day, month, year = (int(group) for group in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        warnings.append(f"Ngày ban hành không hợp lệ ({day:02d}/{month:02d}/{year}); đã bỏ qua.")
        return None


def _report_title(preamble: list[str]) -> str | None:
    """The trích yếu: the first line after "BÁO CÁO"."""
    lines = [line for line in preamble if line.strip()]
    for index, line in enumerate(lines[:-1]):
        if _heading_key(line) == "bao cao":
            candidate = _clean(lines[index + 1])
            if candidate and len(candidate) <= 300 and not _ITEM.match(candidate):
                return candidate
            return None
    return None


@dataclass
class _Builder:
    number: str
    parts: list[str]
    children: list[_Builder] = dataclasses.field(default_factory=list)
    child_marker: str | None = None

    def target(self) -> _Builder:
        return self.children[-1] if self.children else self

    def add_child(self, text: str) -> None:
        self.children.append(_Builder(f"{self.number}.{len(self.children) + 1}", [text]))

    def ends_sentence(self) -> bool:
        return bool(_TERMINAL.search(_clean(" ".join(self.target().parts))))


def _split_items(lines: list[str], warnings: list[str]) -> list[_Builder]:
    """The line-by-line state machine behind parse_report (see the module docstring)."""
    section = _section_lines(lines)
    numbered = any(
        (m := _ITEM.match(_unmark(line))) is not None and int(m.group(1)) <= 3 for line in section
    )
    items: list[_Builder] = []
    paragraph_start = True
    skipping = False  # inside a dropped footnote or debris paragraph, until the next blank line
    footnotes = 0
    top_marker: str | None = None  # bullet that marks items when the section is not numbered

    for line in section:
        if not line:
            paragraph_start, skipping = True, False
            continue
        unmarked = _unmark(line)
        current = items[-1] if items else None
        if _PAGE_MARKER.match(unmarked):
            continue
        if _is_footnote(unmarked, current, paragraph_start):
            footnotes += 1
            skipping, paragraph_start = True, False
            continue
        new_block = True
        item = _ITEM.match(unmarked) if numbered else None
        sub = _SUB_NUMBER.match(unmarked)
        bullet = _BULLET.match(line)
        marker = ("-" if bullet.group(1) in "-–—" else bullet.group(1)) if bullet else None
        if item and _accept_number(int(item.group(1)), items, warnings, paragraph_start):
            items.append(_Builder(item.group(1), [item.group(2) or ""]))
        elif sub and current is not None and sub.group(1) == current.number:
            current.add_child(sub.group(3))
        elif bullet and not numbered and (current is None or marker == top_marker):
            if top_marker is None:
                top_marker = marker
                warnings.append(
                    "Các nhiệm vụ trong mục II không được đánh số; mỗi gạch đầu dòng được coi "
                    "là một nhiệm vụ."
                )
            items.append(_Builder(str(len(items) + 1), [bullet.group(2)]))
        elif bullet and current is not None:
            if current.child_marker in (None, marker):
                current.child_marker = marker
                current.add_child(bullet.group(2))
            else:  # a nested bullet of another kind belongs to the current sub-item
                current.target().parts.append(bullet.group(2))
        else:
            new_block = False
        if new_block:
            skipping, paragraph_start = False, False
            continue

        if skipping or current is None:  # debris, or the intro paragraph under the heading
            paragraph_start = False
            continue
        if _starts_lowercase(unmarked) and current.ends_sentence():
            warnings.append(
                "Đã bỏ qua một đoạn không thuộc nhiệm vụ nào (có thể là phần chú thích bị ngắt "
                f"trang): «{_shorten(_clean(unmarked), 80)}»."
            )
            skipping, paragraph_start = True, False
            continue
        current.target().parts.append(unmarked)
        paragraph_start = False

    if footnotes:
        warnings.append(f"Đã bỏ qua {footnotes} dòng chú thích cuối trang trong mục II.")
    return items


def _section_lines(lines: list[str]) -> list[str]:
    """Section II's lines, stripped, up to the closing paragraph / "Nơi nhận" / signature."""
    out = []
    for raw in lines:
        line = re.sub(r"^(?:\s*>)+", "", raw).strip(" \t\u00a0\u200b\ufeff")
        if line and _is_end(_heading_key(line), _unmark(line)):
            break
        out.append(line)
    return out


def _unmark(line: str) -> str:
    """The line without bold markers around its number: "**1.** Tập trung" → "1. Tập trung"."""
    line = re.sub(r"^(?:\*\*|__)+\s*", "", line)
    return re.sub(r"^([0-9]{1,2}(?:\.[0-9]{1,2})?\\?[.)]?)(?:\*\*|__)+", r"\1", line)


def _is_footnote(line: str, current: _Builder | None, paragraph_start: bool) -> bool:
    if line[:1] in _SUPERSCRIPTS or _MD_FOOTNOTE_DEF.match(line):
        return True
    # "13 ông Lương ..." from a PDF that lost the superscript: a number and a lowercase word
    # opening a paragraph right after a finished sentence.
    plain = _PLAIN_FOOTNOTE.match(line)
    return bool(
        plain
        and paragraph_start
        and current is not None
        and line[plain.end() :][:1].islower()
        and current.ends_sentence()
    )


def _accept_number(number: int, items: list[_Builder], warnings: list[str],
                   paragraph_start: bool) -> bool:
    """Numbers must follow on: "2023. Tiếp tục" wrapped onto a line of its own is text."""
    previous = int(items[-1].number) if items else 0
    if number == previous + 1:
        return True
    if not items and number <= 3:
        warnings.append(f"Mục II bắt đầu từ nhiệm vụ số {number}, không phải số 1.")
        return True
    if paragraph_start and previous + 1 < number <= previous + 3:
        warnings.append(f"Số thứ tự nhiệm vụ nhảy từ {previous} lên {number}.")
        return True
    return False


def _is_end(key: str, line: str) -> bool:
    """The closing paragraph, "Nơi nhận:", the signature block or section III end section II."""
    if re.match(r"^(?:tren day\b|noi nhan\b)", key):
        return True
    if re.match(r"^(?:tm|kt|tl|tuq|q)\s*\.\s*(?:uy ban|chu tich|ubnd)", key):
        return True
    if key in ("chu tich", "pho chu tich", "kt chu tich"):
        return True
    return bool(re.match(r"^(?:\*\*|__|#+\s*)?(?:III|IV|PHẦN\s+III)\s*[.:)\-]\s*\S", line))


def _starts_lowercase(line: str) -> bool:
    for char in line:
        if char.isalpha():
            return char.islower()
        if char.isdigit():
            return False
    return False


def _strip_superscripts(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        before = text[max(0, match.start() - 6) : match.start()]
        if match.group() in ("²", "³") and _UNIT_BEFORE_POWER.search(before):
            return match.group()
        return ""

    return _SUPERSCRIPT_RUN.sub(replace, text)


def _clean(text: str) -> str:
    """Directive text as stored: no footnote markers, no Markdown emphasis, single spaces."""
    text = _MD_FOOTNOTE_REF.sub("", text)
    text = _strip_superscripts(text)
    text = re.sub(r"(\*\*|__)", "", text)
    text = re.sub(r"\\([.)\-*_#])", r"\1", text)  # Markdown escapes
    text = _SPACES.sub(" ", text).strip()
    text = re.sub(r"\s+([,.;:])", r"\1", text)  # space left where a marker was removed
    return unicodedata.normalize("NFC", text)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def _first_sentence(text: str) -> str:
    """Text up to the first full stop that is followed by a capitalised word."""
    for match in re.finditer(r"[.!?]\s+[\"“(]?([^\W\d_])", text):
        if not match.group(1).isupper():
            continue
        word = re.search(r"([^\s(]*)$", text[: match.start()])
        previous = word.group(1).lower() if word else ""
        if previous in _ABBREVIATIONS or (len(previous) == 1 and previous.isalpha()):
            continue  # "TP. Trà Vinh", "P. 7"
        return text[: match.start()]
    return text


def _title(text: str) -> str:
    sentence = _shorten(_first_sentence(text), TITLE_MAX_CHARS)
    return sentence.rstrip(" .;:,")


def _finish(builder: _Builder, rules: list[RoutingRule], parent_field: str | None,
            warnings: list[str]) -> ParsedItem:
    text = _clean(" ".join(builder.parts))
    field, leads, supports, has_lead = _propose(text, rules)
    if field is None:
        field = parent_field or DEFAULT_FIELD
    if not has_lead:
        warnings.append(
            f"Nhiệm vụ {builder.number}: chưa xác định được đơn vị chủ trì, tạm giao "
            f"{FALLBACK_LEAD_UNIT}."
        )
    item = ParsedItem(
        number=builder.number,
        title=_title(text),
        text=text,
        field=field,
        lead_units=leads,
        support_units=supports,
    )
    item.children = [_finish(child, rules, field, warnings) for child in builder.children]
    return item

