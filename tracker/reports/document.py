"""Plain data describing a UBND report, shared by the .docx, .xlsx and Markdown writers.

Nothing here touches Flask or the database: the reports feature composes a
:class:`ReportDocument` from directives and progress, and the writers only lay it out. Keeping
the layout rules (Nghị định 30/2020/NĐ-CP, Phụ lục I) apart from the data means they can be
tested on hand-built documents and reused by every export format.

Footnotes: a :class:`Paragraph` carries its footnote texts in ``footnotes``. By default each
footnote is anchored at the end of the paragraph. To anchor one inside the text (the seed
report puts "¹" right after "so tháng trước"), give ``anchors``: one character offset into
``text`` per footnote, in order; the reference is placed *before* ``text[offset]`` (so
``len(text)`` means "at the end"). Offsets are structural, the text itself is never scanned
for markers, so user-supplied text can contain anything. :meth:`Paragraph.from_marked`
builds the offsets from a marker string for hand-written templates.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

PARAGRAPH_STYLES = ("body", "heading", "subheading", "note")

# Characters XML 1.0 (and therefore .docx/.xlsx) cannot hold, plus C1 controls and DEL which
# only ever appear as mojibake. Tab and newline are kept: the writers render them.
_ILLEGAL_CHARS_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS_RE = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")


@dataclass
class Footnote:
    """A footnote text; kept for callers that want to pass footnotes around as objects."""

    text: str


@dataclass
class Paragraph:
    """One paragraph of the report body.

    ``style`` is one of ``PARAGRAPH_STYLES``:

    - ``body``: justified, first-line indent (the "- ..." items are body paragraphs too);
    - ``heading``: bold, e.g. "I. KẾT QUẢ THỰC HIỆN:";
    - ``subheading``: bold, e.g. "1. Công tác chỉ đạo điều hành của Chủ tịch ...:";
    - ``note``: like body, with the words up to and including the first colon in bold
      ("* Bên cạnh những kết quả đạt được vẫn còn những mặt hạn chế, tồn tại sau: ...").

    ``anchors`` (optional) places footnotes inside the text; see the module docstring.
    """

    text: str
    footnotes: list[str] = field(default_factory=list)
    style: str = "body"
    anchors: list[int] | None = None

    def __post_init__(self) -> None:
        if self.style not in PARAGRAPH_STYLES:
            raise ValueError(f"unknown paragraph style {self.style!r}")
        self.footnotes = [f.text if isinstance(f, Footnote) else f for f in self.footnotes]
        if self.anchors is not None:
            if len(self.anchors) > len(self.footnotes):
                raise ValueError("more footnote anchors than footnotes")
            previous = 0
            for offset in self.anchors:
                if not previous <= offset <= len(self.text):
                    raise ValueError("footnote anchors must be ascending offsets into the text")
                previous = offset

    @classmethod
    def from_marked(
        cls, text: str, footnotes: list[str], style: str = "body", marker: str = "[^]"
    ) -> Paragraph:
        """Build a paragraph whose footnote positions are written as ``marker`` in ``text``.

        Meant for trusted templates only: user text must not be passed through here, since a
        marker typed by a user would become a footnote anchor.
        """
        parts = text.split(marker)
        anchors: list[int] = []
        plain = ""
        for part in parts[:-1]:
            plain += part
            anchors.append(len(plain))
        plain += parts[-1]
        if len(anchors) > len(footnotes):
            raise ValueError("more footnote markers than footnotes")
        return cls(text=plain, footnotes=list(footnotes), style=style, anchors=anchors)


@dataclass
class AppendixRow:
    """One directive in the appendix table (Phụ lục).

    ``content`` is the task as the table shows it (its title, never cut); ``text`` the whole
    task for the spreadsheet. ``days_late``: working days after the deadline in force, for a
    completion (late) or, while open, as of the report day (overdue).
    """

    number: str
    content: str
    lead_units: str
    support_units: str
    deadline: date | None
    extended_deadline: date | None
    bucket: str
    percent: int
    last_update: date | None
    completed_on: date | None = None
    days_late: int | None = None
    text: str = ""


@dataclass(kw_only=True)
class ReportDocument:
    """Everything a writer needs to lay out one report (keyword-only fields)."""

    issuer_parent: str = "ỦY BAN NHÂN DÂN"
    issuer: str = "THÀNH PHỐ TRÀ VINH"
    number: str = "Số:      /BC-UBND"
    place: str = "Trà Vinh"
    issued_on: date
    title: str = "BÁO CÁO"
    summary: str
    body: list[Paragraph] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    signer_capacity: str = "TM. ỦY BAN NHÂN DÂN"
    signer_title: str = "CHỦ TỊCH"
    signer_name: str
    appendix_title: str = "Tình hình thực hiện các nhiệm vụ được giao"
    appendix: list[AppendixRow] = field(default_factory=list)
    # The issuer as sentences name it ("UBND thành phố Trà Vinh"), for the appendix caption.
    issuer_short: str = ""


# --------------------------------------------------------------------------------------------
# Formatting helpers shared by the writers
# --------------------------------------------------------------------------------------------


def clean_text(value: object) -> str:
    """Return ``value`` as NFC text that any XML-based format can store.

    Vietnamese typed on some keyboards arrives decomposed (NFD) and renders badly in Times New
    Roman; control characters are illegal in XML and would make python-docx/openpyxl raise, so
    they are dropped (vertical tab, form feed and CR become newlines, as Word uses them).
    """
    text = "" if value is None else str(value)
    text = _LINE_BREAKS_RE.sub("\n", text)
    text = _ILLEGAL_CHARS_RE.sub("", text)
    return unicodedata.normalize("NFC", text)


def format_vn_date(d: date, place: str | None = None) -> str:
    """Date line per Nghị định 30/2020/NĐ-CP: "ngày 05 tháng 02 năm 2023", "ngày 15 tháng 3 ...".

    The decree pads the day when it is below 10 and the month only for January and February
    (so "tháng 01", "tháng 02", but "tháng 3" ... "tháng 12"). With ``place`` the result is the
    full place-and-date line, e.g. "Trà Vinh, ngày 05 tháng 4 năm 2023".
    """
    month = f"{d.month:02d}" if d.month in (1, 2) else str(d.month)
    text = f"ngày {d.day:02d} tháng {month} năm {d.year}"
    return f"{place}, {text}" if place else text


def format_dmy(d: date | None) -> str:
    """Table date format dd/mm/yyyy; empty for a missing date (e.g. a standing task)."""
    return d.strftime("%d/%m/%Y") if d is not None else ""


def format_doc_number(seq: int | None, code: str = "BC-UBND") -> str:
    """The "Số:" line; Nghị định 30 pads numbers below 10, an unknown number stays blank."""
    if seq is None:
        return f"Số:      /{code}"
    return f"Số: {seq:02d}/{code}"


def normalize_recipients(recipients: list[str]) -> list[str]:
    """Return the "Nơi nhận" lines in the decree's shape: "- X;" ... and last "- Lưu: VT.".

    Leading dashes/bullets and trailing punctuation the caller typed are dropped so every line
    ends the same way; a caller-supplied "Lưu: ..." line is kept (moved last), otherwise
    "- Lưu: VT." is added.
    """
    lines: list[str] = []
    archive = "Lưu: VT"
    for raw in recipients:
        text = " ".join(clean_text(raw).split())
        text = text.lstrip("-–—•+* ").rstrip(";.,: ").strip()
        if not text:
            continue
        if text.casefold().startswith("lưu"):
            archive = text
            continue
        lines.append(f"- {text};")
    lines.append(f"- {archive}.")
    return lines


def paragraph_runs(paragraph: Paragraph) -> list[tuple[str, bool] | int]:
    """Split a paragraph into ``(text, bold)`` runs and footnote references (``int`` = index
    into ``paragraph.footnotes``), in reading order, with the text cleaned.

    Both writers need the same split (bold lead of a "note", footnotes inside the text), so it
    lives here rather than being re-derived per format.
    """
    text = paragraph.text
    if paragraph.style in ("heading", "subheading"):
        bold_end = len(text)
    elif paragraph.style == "note":
        colon = text.find(":")
        bold_end = colon + 1 if colon >= 0 else 0
    else:
        bold_end = 0

    anchors = list(paragraph.anchors or [])
    anchors += [len(text)] * (len(paragraph.footnotes) - len(anchors))

    out: list[tuple[str, bool] | int] = []
    cuts = sorted({0, bold_end, len(text), *anchors})
    footnote_index = 0
    for start, end in zip(cuts, cuts[1:] + [None], strict=True):
        while footnote_index < len(anchors) and anchors[footnote_index] == start:
            out.append(footnote_index)
            footnote_index += 1
        if end is not None and end > start:
            piece = clean_text(text[start:end])
            if piece:
                out.append((piece, start < bold_end))
    return out


def appendix_caption(doc: ReportDocument) -> str:
    """ "(Kèm theo Báo cáo số      /BC-UBND ngày 05 tháng 4 năm 2023 của UBND thành phố Trà
    Vinh)", the line under the appendix title (a short rule goes under it)."""
    number = doc.number.strip()
    if number.casefold().startswith("số:"):
        number = number[3:]
    of = f" của {clean_text(doc.issuer_short)}" if doc.issuer_short.strip() else ""
    return f"(Kèm theo {doc.title.capitalize()} số{number} {format_vn_date(doc.issued_on)}{of})"


# --------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------

APPENDIX_HEADERS = (
    "STT",
    "Nội dung nhiệm vụ",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
    "Thời hạn",
    "Tình trạng",
    "Tiến độ (%)",
    "Ngày hoàn thành",
    "Cập nhật lần cuối",
)


def deadline_cell(row: AppendixRow) -> str:
    """ "31/03/2023", with the approved extension under it: "(gia hạn đến 14/04/2023)"."""
    text = format_dmy(row.deadline) or "Thường xuyên"
    if row.extended_deadline is not None and row.extended_deadline != row.deadline:
        text += f"\n(gia hạn đến {format_dmy(row.extended_deadline)})"
    return text


def appendix_cells(row: AppendixRow) -> list[str]:
    """The appendix row as display strings, in ``APPENDIX_HEADERS`` order."""
    return [
        clean_text(row.number),
        clean_text(row.content),
        clean_text(row.lead_units),
        clean_text(row.support_units),
        deadline_cell(row),
        clean_text(row.bucket),
        str(row.percent),
        format_dmy(row.completed_on),
        format_dmy(row.last_update),
    ]


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def to_markdown(doc: ReportDocument) -> str:
    """Render the report as plain text/Markdown (preview, e-mail, diffing drafts).

    Footnotes become ``[^n]`` references numbered through the document with their definitions
    at the end. Body text is emitted as written (a "- " item reads as a list item, which is
    what it is); only appendix table cells are escaped, since "|" would break the table.
    """
    lines: list[str] = [
        f"**{clean_text(doc.issuer_parent)}**  ",
        f"**{clean_text(doc.issuer)}**  ",
        clean_text(doc.number),
        "",
        "**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**  ",
        "**Độc lập - Tự do - Hạnh phúc**",
        "",
        f"*{format_vn_date(doc.issued_on, clean_text(doc.place))}*",
        "",
        f"**{clean_text(doc.title)}**  ",
        f"**{clean_text(doc.summary)}**",
        "",
    ]

    definitions: list[str] = []
    for paragraph in doc.body:
        parts: list[str] = []
        for item in paragraph_runs(paragraph):
            if isinstance(item, int):
                definitions.append(clean_text(paragraph.footnotes[item]))
                parts.append(f"[^{len(definitions)}]")
            else:
                text, bold = item
                parts.append(f"**{text}**" if bold and text.strip() else text)
        lines += ["".join(parts), ""]

    lines.append("**Nơi nhận:**  ")
    recipients = normalize_recipients(doc.recipients)
    lines += [f"{line}  " for line in recipients[:-1]] + [recipients[-1], ""]
    lines += [
        f"**{clean_text(doc.signer_capacity)}**  ",
        f"**{clean_text(doc.signer_title)}**",
        "",
        f"**{clean_text(doc.signer_name)}**",
        "",
    ]

    if doc.appendix:
        lines += [
            "---",
            "",
            "**PHỤ LỤC**  ",
            f"**{clean_text(doc.appendix_title)}**  ",
            f"*{appendix_caption(doc)}*",
            "",
            "| " + " | ".join(APPENDIX_HEADERS) + " |",
            "|" + "---|" * len(APPENDIX_HEADERS),
        ]
        for row in doc.appendix:
            lines.append("| " + " | ".join(_md_cell(c) for c in appendix_cells(row)) + " |")
        lines.append("")

    for number, text in enumerate(definitions, start=1):
        body = text.replace("\n", "\n    ")
        lines.append(f"[^{number}]: {body}")
    return "\n".join(lines).rstrip("\n") + "\n"
