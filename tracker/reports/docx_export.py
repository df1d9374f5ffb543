"""Word (.docx) writer for a :class:`ReportDocument` in the Nghị định 30/2020/NĐ-CP layout.

python-docx covers most of the layout; two things it lacks are done on the XML directly:
real footnotes (a ``word/footnotes.xml`` part plus ``w:footnoteReference`` runs) and a few
table/paragraph properties (borders, repeated header rows). All text goes through
:func:`clean_text` and ``docx_text.append_text`` (python-docx's ``run.text`` elements: w:t,
w:tab, w:br), so it is escaped, never interpreted.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from copy import deepcopy

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_LINE_SPACING, WD_PARAGRAPH_ALIGNMENT
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.text.font import CT_RPr
from docx.oxml.text.parfmt import CT_PPr
from docx.oxml.text.run import CT_R
from docx.section import Section
from docx.shared import Cm, Emu, Length, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from tracker.reports.document import (
    APPENDIX_HEADERS,
    Paragraph,
    ReportDocument,
    appendix_caption,
    appendix_cells,
    clean_text,
    format_vn_date,
    normalize_recipients,
    paragraph_runs,
)
from tracker.reports.docx_text import (
    BLACK,
    BODY_SIZE,
    FONT,
    add_text,
    append_text,
    format_run,
    set_rfonts,
)

PAGE_SHORT, PAGE_LONG = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(20), Mm(20), Mm(30), Mm(15)
PORTRAIT_TEXT_WIDTH = Mm(210 - 30 - 15)
LANDSCAPE_TEXT_WIDTH = Mm(297 - 30 - 15)
CELL_PADDING = Mm(1.9)  # Word's default left + right cell margin is 0.19 cm each

BODY_INDENT = Cm(1.27)
BODY_SPACE_AFTER = Pt(6)
BODY_LINE_SPACING = 1.2
FOOTNOTE_SIZE = Pt(11)
TABLE_SIZE = Pt(12)

HEADER_COLUMNS = (Mm(62), Mm(103))
CLOSING_COLUMNS = (Mm(70), Mm(95))
# STT, Nội dung, Chủ trì, Phối hợp, Thời hạn, Tình trạng, Tiến độ, Hoàn thành, Cập nhật = 252 mm;
# a dd/mm/yyyy date at 12 pt needs about 25 mm with the cell padding.
APPENDIX_COLUMNS = tuple(Mm(w) for w in (12, 62, 30, 30, 26, 32, 14, 25, 21))

FOOTNOTE_TEXT_STYLE = "Footnote Text"
FOOTNOTE_REF_STYLE = "Footnote Reference"
_SETTINGS_AFTER_FOOTNOTEPR = (
    "w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema",
    "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions", "w:readModeInkLockDown",
    "w:smartTagType", "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags",
    "w:decimalSymbol", "w:listSeparator",
)  # fmt: skip
_TBLPR_AFTER_BORDERS = (
    "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription",
    "w:tblPrChange",
)  # fmt: skip
_PPR_AFTER_BORDERS = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)  # fmt: skip


def build_docx(doc: ReportDocument) -> bytes:
    """Lay out ``doc`` as an official report (.docx bytes) ready to sign and issue.

    The secretariat edits the draft in Word before issuing it, so the file uses real Word
    structures (footnotes, section headers, repeated table headers) rather than look-alikes.
    """
    document = Document()
    _setup_styles(document)
    properties = document.core_properties
    # python-docx refuses core properties longer than 255 characters
    properties.title = clean_text(doc.summary)[:255]
    properties.subject = clean_text(doc.title)[:255]
    properties.author = clean_text(f"{doc.issuer_parent} {doc.issuer}")[:255]
    properties.last_modified_by = properties.author
    properties.language = "vi-VN"
    footnotes = _FootnoteWriter(document)

    section = document.sections[0]
    _setup_page(section, landscape=False)
    _setup_page_numbers(section)

    _add_header_block(document, doc)
    _add_title_block(document, doc)
    for paragraph in doc.body:
        _add_body_paragraph(document, paragraph, footnotes)
    _add_closing_block(document, doc)

    if doc.appendix:
        appendix_section = document.add_section(WD_SECTION.NEW_PAGE)
        _setup_page(appendix_section, landscape=True)
        # Number every appendix page; the page-number header is inherited from section 1.
        appendix_section.different_first_page_header_footer = False
        _add_appendix(document, doc)
    else:
        # Word wants a paragraph after a table that ends the document.
        _compact(document.add_paragraph())

    footnotes.finish()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Styles, fonts and page setup
# --------------------------------------------------------------------------------------------


def _setup_styles(document: DocxDocument) -> None:
    styles_el = document.styles.element
    rpr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_rfonts(rpr_default)
    for child in rpr_default.findall(qn("w:sz")) + rpr_default.findall(qn("w:szCs")):
        child.set(qn("w:val"), str(int(BODY_SIZE.pt * 2)))
    lang = rpr_default.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "vi-VN")

    normal = document.styles["Normal"]
    normal.font.name = FONT
    set_rfonts(normal.element.get_or_add_rPr())
    normal.font.size = BODY_SIZE
    normal.font.color.rgb = BLACK
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0

    for name in ("Header", "Footer"):
        style = document.styles[name]
        style.font.name = FONT
        set_rfonts(style.element.get_or_add_rPr())

    text_style = document.styles.add_style(FOOTNOTE_TEXT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    text_style.base_style = normal
    text_style.font.name = FONT
    set_rfonts(text_style.element.get_or_add_rPr())
    text_style.font.size = FOOTNOTE_SIZE
    text_style.paragraph_format.alignment = WD_PARAGRAPH_ALIGNMENT.JUSTIFY
    text_style.paragraph_format.space_after = Pt(0)
    text_style.paragraph_format.line_spacing = 1.0

    ref_style = document.styles.add_style(FOOTNOTE_REF_STYLE, WD_STYLE_TYPE.CHARACTER)
    ref_style.font.superscript = True


def _setup_page(section: Section, *, landscape: bool) -> None:
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = PAGE_LONG, PAGE_SHORT
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = PAGE_SHORT, PAGE_LONG
    section.top_margin = MARGIN_TOP
    section.bottom_margin = MARGIN_BOTTOM
    section.left_margin = MARGIN_LEFT
    section.right_margin = MARGIN_RIGHT
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)


def _setup_page_numbers(section: Section) -> None:
    """Page number top centre from page 2: empty first-page header, PAGE in the default one."""
    section.different_first_page_header_footer = True
    first = section.first_page_header
    first.is_linked_to_previous = False
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_PARAGRAPH_ALIGNMENT.CENTER
    _compact(paragraph)
    _add_field(paragraph, "PAGE", placeholder="2", size=Pt(13))


def _add_field(paragraph: DocxParagraph, instruction: str, placeholder: str, size: Length) -> None:
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None),
                       ("result", placeholder), ("end", None)):  # fmt: skip
        run = format_run(paragraph.add_run(), size)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
            run._r.append(instr)
        elif kind == "result":
            run.text = text or ""
        else:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)


def _compact(paragraph: DocxParagraph, *, align: WD_PARAGRAPH_ALIGNMENT | None = None) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    fmt.first_line_indent = Pt(0)
    if align is not None:
        paragraph.alignment = align


def _add_rule(container: DocxDocument | _Cell, rule: Length, container_width: Length) -> None:
    """Short solid rule centred under the line above (the decree's "đường kẻ ngang, nét liền").

    Drawn as the bottom border of an almost empty paragraph whose indents shorten the border
    to ``rule``; Word and LibreOffice both render it, and it never wraps or moves the text.
    """
    paragraph = container.add_paragraph()
    _compact(paragraph)
    side = Emu(max(0, (int(container_width) - int(rule)) // 2))
    paragraph.paragraph_format.left_indent = side
    paragraph.paragraph_format.right_indent = side
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph.paragraph_format.line_spacing = Pt(2)
    paragraph.paragraph_format.space_before = Pt(2)
    ppr = paragraph._p.get_or_add_pPr()
    borders = parse_xml(
        f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="1" '
        'w:color="000000"/></w:pBdr>'
    )
    ppr.insert_element_before(borders, *_PPR_AFTER_BORDERS)


def _estimated_width(text: str, size: Length, *, caps: bool) -> Length:
    """Rough rendered width of a line of Times New Roman (for sizing the short rules)."""
    per_char = 0.68 if caps else 0.5  # average advance in em, bold
    return Emu(int(len(text) * per_char * int(size)))


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def _set_table_borders(table: Table, value: str) -> None:
    tbl_pr = table._tbl.tblPr
    existing = tbl_pr.find(qn("w:tblBorders"))
    if existing is not None:
        tbl_pr.remove(existing)
    sides = "".join(
        f'<w:{side} w:val="{value}" w:sz="{4 if value == "single" else 0}" w:space="0" '
        f'w:color="{"000000" if value == "single" else "auto"}"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    borders = parse_xml(f"<w:tblBorders {nsdecls('w')}>{sides}</w:tblBorders>")
    tbl_pr.insert_element_before(borders, *_TBLPR_AFTER_BORDERS)


def _new_table(document: DocxDocument, rows: int, widths: Iterable[Length], borders: str) -> Table:
    widths = list(widths)
    table = document.add_table(rows=rows, cols=len(widths))
    table.autofit = False  # fixed layout: Word keeps the widths we give
    _set_table_borders(table, borders)
    tbl_w = table._tbl.tblPr.find(qn("w:tblW"))
    if tbl_w is not None:
        tbl_w.set(qn("w:type"), "dxa")
        tbl_w.set(qn("w:w"), str(sum(int(w) for w in widths) // 635))
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    return table


def _cell_paragraph(cell: _Cell, first: bool) -> DocxParagraph:
    return cell.paragraphs[0] if first else cell.add_paragraph()


def _add_header_block(document: DocxDocument, doc: ReportDocument) -> None:
    """Issuing body / Quốc hiệu-Tiêu ngữ, then Số / place and date, in a borderless table."""
    table = _new_table(document, 2, HEADER_COLUMNS, "nil")
    left, right = table.rows[0].cells
    left_inner = Emu(int(HEADER_COLUMNS[0]) - int(CELL_PADDING))

    p = _cell_paragraph(left, True)
    _compact(p, align=WD_PARAGRAPH_ALIGNMENT.CENTER)
    add_text(p, doc.issuer_parent.upper(), Pt(13))
    p = _cell_paragraph(left, False)
    _compact(p, align=WD_PARAGRAPH_ALIGNMENT.CENTER)
    add_text(p, doc.issuer.upper(), Pt(13), bold=True)
    issuer_width = min(_estimated_width(doc.issuer, Pt(13), caps=True), left_inner)
    _add_rule(left, Emu(int(issuer_width * 0.4)), left_inner)

    p = _cell_paragraph(right, True)
    _compact(p, align=WD_PARAGRAPH_ALIGNMENT.CENTER)
    add_text(p, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", Pt(13), bold=True)
    p = _cell_paragraph(right, False)
    _compact(p, align=WD_PARAGRAPH_ALIGNMENT.CENTER)
    add_text(p, "Độc lập - Tự do - Hạnh phúc", Pt(14), bold=True, underline=True)

    number_cell, date_cell = table.rows[1].cells
    p = _cell_paragraph(number_cell, True)
    _compact(p, align=WD_PARAGRAPH_ALIGNMENT.CENTER)
    p.paragraph_format.space_before = Pt(6)
    add_text(p, doc.number, Pt(13))
    p = _cell_paragraph(date_cell, True)
    _compact(p, align=WD_PARAGRAPH_ALIGNMENT.CENTER)
    p.paragraph_format.space_before = Pt(6)
    add_text(p, format_vn_date(doc.issued_on, clean_text(doc.place)), Pt(14), italic=True)


def _add_title_block(document: DocxDocument, doc: ReportDocument) -> None:
    p = document.add_paragraph()
    _compact(p, align=WD_PARAGRAPH_ALIGNMENT.CENTER)
    p.paragraph_format.space_before = Pt(18)
    p.paragraph_format.keep_with_next = True
    add_text(p, doc.title.upper(), Pt(14), bold=True)

    p = document.add_paragraph()
    _compact(p, align=WD_PARAGRAPH_ALIGNMENT.CENTER)
    p.paragraph_format.keep_with_next = True
    add_text(p, doc.summary, Pt(14), bold=True)

    line = min(_estimated_width(doc.summary, Pt(14), caps=False), PORTRAIT_TEXT_WIDTH)
    rule = Emu(max(int(Mm(25)), int(line) * 2 // 5))
    _add_rule(document, rule, PORTRAIT_TEXT_WIDTH)
    spacer = document.add_paragraph()
    _compact(spacer)
    spacer.paragraph_format.space_after = Pt(6)


def _body_properties(keep_with_next: bool) -> CT_PPr:
    """The w:pPr of a body paragraph, set through python-docx."""
    scratch = DocxParagraph(OxmlElement("w:p"), None)  # type: ignore[arg-type]
    fmt = scratch.paragraph_format
    scratch.alignment = WD_PARAGRAPH_ALIGNMENT.JUSTIFY
    fmt.first_line_indent = BODY_INDENT
    fmt.space_before = Pt(0)
    fmt.space_after = BODY_SPACE_AFTER
    fmt.line_spacing = BODY_LINE_SPACING
    if keep_with_next:
        fmt.keep_with_next = True
    return scratch._p.pPr  # type: ignore[return-value]


_BODY_PROPERTIES: dict[bool, CT_PPr] = {}


def _add_body_paragraph(
    document: DocxDocument, paragraph: Paragraph, footnotes: _FootnoteWriter
) -> None:
    # a copy of one w:pPr per kind, as format_run does for runs (~850 paragraphs a report)
    keep = paragraph.style in ("heading", "subheading")
    template = _BODY_PROPERTIES.get(keep)
    if template is None:
        template = _BODY_PROPERTIES[keep] = _body_properties(keep)
    p = document.add_paragraph()
    p._p.insert(0, deepcopy(template))
    for item in paragraph_runs(paragraph):
        if isinstance(item, int):
            footnotes.reference(p, paragraph.footnotes[item])
        else:
            text, bold = item
            add_text(p, text, BODY_SIZE, bold=bold)


def _add_closing_block(document: DocxDocument, doc: ReportDocument) -> None:
    """Nơi nhận (left) and signature (right), borderless, kept on one page."""
    table = _new_table(document, 1, CLOSING_COLUMNS, "nil")
    row = table.rows[0]
    cant_split = OxmlElement("w:cantSplit")
    row._tr.get_or_add_trPr().append(cant_split)
    left, right = row.cells
    left.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    right.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP

    p = _cell_paragraph(left, True)
    _compact(p, align=WD_PARAGRAPH_ALIGNMENT.LEFT)
    p.paragraph_format.space_before = Pt(6)
    add_text(p, "Nơi nhận:", Pt(12), bold=True, italic=True)
    for line in normalize_recipients(doc.recipients):
        p = _cell_paragraph(left, False)
        _compact(p, align=WD_PARAGRAPH_ALIGNMENT.LEFT)
        add_text(p, line, Pt(11))

    p = _cell_paragraph(right, True)
    _compact(p, align=WD_PARAGRAPH_ALIGNMENT.CENTER)
    p.paragraph_format.space_before = Pt(6)
    add_text(p, doc.signer_capacity.upper(), Pt(14), bold=True)
    p = _cell_paragraph(right, False)
    _compact(p, align=WD_PARAGRAPH_ALIGNMENT.CENTER)
    add_text(p, doc.signer_title.upper(), Pt(14), bold=True)
    for _ in range(4):  # room for the signature and the seal
        p = _cell_paragraph(right, False)
        _compact(p)
        add_text(p, "", Pt(14))
    p = _cell_paragraph(right, False)
    _compact(p, align=WD_PARAGRAPH_ALIGNMENT.CENTER)
    add_text(p, doc.signer_name, Pt(14), bold=True)


def _add_appendix(document: DocxDocument, doc: ReportDocument) -> None:
    p = document.add_paragraph()
    _compact(p, align=WD_PARAGRAPH_ALIGNMENT.CENTER)
    add_text(p, "PHỤ LỤC", Pt(14), bold=True)
    p = document.add_paragraph()
    _compact(p, align=WD_PARAGRAPH_ALIGNMENT.CENTER)
    add_text(p, doc.appendix_title, Pt(14), bold=True)
    p = document.add_paragraph()
    _compact(p, align=WD_PARAGRAPH_ALIGNMENT.CENTER)
    caption = appendix_caption(doc)
    add_text(p, caption, Pt(13), italic=True)
    line = min(_estimated_width(caption, Pt(13), caps=False), LANDSCAPE_TEXT_WIDTH)
    _add_rule(document, Emu(max(int(Mm(25)), int(line) // 3)), LANDSCAPE_TEXT_WIDTH)
    spacer = document.add_paragraph()
    _compact(spacer)
    spacer.paragraph_format.space_after = Pt(6)

    table = _new_table(document, 1, APPENDIX_COLUMNS, "single")
    header = table.rows[0]
    tr_pr = header._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    tr_pr.append(OxmlElement("w:tblHeader"))  # repeat on every page
    for cell, label in zip(header.cells, APPENDIX_HEADERS, strict=True):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        p = cell.paragraphs[0]
        _compact(p, align=WD_PARAGRAPH_ALIGNMENT.CENTER)
        add_text(p, label, TABLE_SIZE, bold=True)

    # Formatting every cell through python-docx costs ~0.6 ms a cell; format one row, then
    # copy its XML for each directive and only set the texts (1,000 rows: ~6 s -> ~0.5 s).
    centred = {0, 4, 6, 7, 8}
    template_row = table.add_row()
    template_row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    for index, cell in enumerate(template_row.cells):
        p = cell.paragraphs[0]
        align = WD_PARAGRAPH_ALIGNMENT.CENTER if index in centred else WD_PARAGRAPH_ALIGNMENT.LEFT
        _compact(p, align=align)
        add_text(p, "", TABLE_SIZE)
    template = template_row._tr
    tbl = table._tbl
    tbl.remove(template)
    for entry in doc.appendix:
        tr = deepcopy(template)
        tbl.append(tr)
        for tc, text in zip(tr.tc_lst, appendix_cells(entry), strict=True):
            append_text(tc.p_lst[0].r_lst[0], text)  # the template's run holds no text
    trailing = document.add_paragraph()
    _compact(trailing)


# --------------------------------------------------------------------------------------------
# Footnotes
# --------------------------------------------------------------------------------------------


class _FootnoteWriter:
    """Collects footnotes while the body is written and adds ``word/footnotes.xml`` at the end.

    python-docx has no footnote API. Word needs: the part (content type and relationship from
    the document part), the separator (-1) and continuation separator (0) footnotes, one
    ``w:footnote`` per note starting with a ``w:footnoteRef`` mark, a superscript
    ``w:footnoteReference`` run in the body, and ``w:footnotePr`` in settings naming -1 and 0.
    """

    def __init__(self, document: DocxDocument) -> None:
        self._document = document
        self._root = parse_xml(
            f"<w:footnotes {nsdecls('w', 'r')}>"
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr>'
            '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
            "<w:r><w:separator/></w:r></w:p></w:footnote>"
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr>'
            '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
            "<w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"
            "</w:footnotes>"
        )
        self._count = 0
        self._marks: dict[int, CT_RPr] = {}
        self._style_ids = (
            document.styles[FOOTNOTE_TEXT_STYLE].style_id,
            document.styles[FOOTNOTE_REF_STYLE].style_id,
        )

    def reference(self, paragraph: DocxParagraph, text: str) -> None:
        """Add the next footnote with ``text`` and its reference mark at the end of
        ``paragraph`` (the caller adds the text runs around it in order)."""
        self._count += 1
        note_id = str(self._count)
        text_style = self._style_ids[0]

        ref = OxmlElement("w:footnoteReference")
        ref.set(qn("w:id"), note_id)
        self._mark_run(paragraph, BODY_SIZE).append(ref)

        note = OxmlElement("w:footnote")
        note.set(qn("w:id"), note_id)
        self._root.append(note)
        p_el = OxmlElement("w:p")
        note.append(p_el)
        p = DocxParagraph(p_el, self._document.part)
        p_el.get_or_add_pPr().style = text_style
        self._mark_run(p, FOOTNOTE_SIZE).append(OxmlElement("w:footnoteRef"))
        add_text(p, " " + clean_text(text), FOOTNOTE_SIZE)

    def _mark_run(self, paragraph: DocxParagraph, size: Length) -> CT_R:
        """A new run in the footnote reference style, superscript, at ``size``: a copy of one
        w:rPr per size (set through python-docx once)."""
        template = self._marks.get(int(size))
        if template is None:
            scratch = format_run(Run(OxmlElement("w:r"), None), size)  # type: ignore[arg-type]
            scratch._r.get_or_add_rPr().style = self._style_ids[1]
            scratch.font.superscript = True
            template = self._marks[int(size)] = scratch._r.rPr
        r = paragraph._p.add_r()
        r.insert(0, deepcopy(template))
        return r

    def finish(self) -> None:
        """Attach the footnotes part, if any footnote was written."""
        if not self._count:
            return
        doc_part = self._document.part
        part = XmlPart(
            PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, self._root, doc_part.package
        )
        doc_part.relate_to(part, RT.FOOTNOTES)
        settings = self._document.settings.element
        if settings.find(qn("w:footnotePr")) is None:
            footnote_pr = parse_xml(
                f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/>'
                "</w:footnotePr>"
            )
            settings.insert_element_before(footnote_pr, *_SETTINGS_AFTER_FOOTNOTEPR)


__all__ = ["build_docx"]
