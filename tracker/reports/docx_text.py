"""Runs of text in the report's .docx: Times New Roman, black, formatted by copying one
w:rPr per combination, the text appended as python-docx's ``run.text`` would append it.

A report has thousands of runs and ~500,000 characters: going through python-docx's property
setters for each run, and its per-character text loop, was most of the export.
"""

from __future__ import annotations

import re
from copy import deepcopy

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.oxml.text.run import CT_R
from docx.shared import Length, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from tracker.reports.document import clean_text

FONT = "Times New Roman"
BLACK = RGBColor(0, 0, 0)
BODY_SIZE = Pt(14)


def set_rfonts(rpr: CT_RPr) -> None:
    """Name Times New Roman for every script slot; theme fonts would otherwise win."""
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FONT)


def _run_properties(size: Length, bold: bool, italic: bool, underline: bool) -> CT_RPr:
    """The w:rPr of a run in Times New Roman, black, at `size`, built through python-docx."""
    scratch = Run(OxmlElement("w:r"), None)  # type: ignore[arg-type]
    scratch.font.name = FONT
    set_rfonts(scratch._r.get_or_add_rPr())
    scratch.font.size = size
    if bold:
        scratch.font.bold = True
    if italic:
        scratch.font.italic = True
    if underline:
        scratch.font.underline = True
    scratch.font.color.rgb = BLACK
    return scratch._r.rPr


_RUN_PROPERTIES: dict[tuple[int, bool, bool, bool], CT_RPr] = {}


def format_run(
    run: Run,
    size: Length = BODY_SIZE,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
) -> Run:
    """Give a new run its formatting: a copy of one w:rPr per combination (a report has
    thousands of runs, and setting each property through python-docx dominated the export)."""
    key = (int(size), bold, italic, underline)
    template = _RUN_PROPERTIES.get(key)
    if template is None:
        template = _RUN_PROPERTIES[key] = _run_properties(size, bold, italic, underline)
    existing = run._r.rPr
    if existing is not None:
        run._r.remove(existing)
    run._r.insert(0, deepcopy(template))
    return run


_BREAKS = re.compile(r"([\t\r\n])")
_PRESERVE = qn("xml:space")


def append_text(r: CT_R, text: str) -> None:
    """What python-docx's ``run.text = text`` appends to an empty run (a w:t per stretch of
    text, xml:space="preserve" when it starts or ends with a space, w:tab for "\t", w:br for
    "\r" and "\n"), without its loop over every character (a report sets ~500,000). These
    children have no required order in w:r, so python-docx appends them too."""
    for piece in _BREAKS.split(text):
        if piece == "\t":
            r.append(OxmlElement("w:tab"))
        elif piece in ("\r", "\n"):
            r.append(OxmlElement("w:br"))
        elif piece:
            t = OxmlElement("w:t")
            t.text = piece
            if len(piece.strip()) < len(piece):
                t.set(_PRESERVE, "preserve")
            r.append(t)


def add_text(
    paragraph: DocxParagraph,
    text: str,
    size: Length = BODY_SIZE,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
) -> Run:
    # "\t" becomes w:tab and "\n" w:br, as run.text does; clean_text removed what XML forbids.
    r = OxmlElement("w:r")
    paragraph._p.append(r)  # paragraph.add_run(): runs have no required place among w:r
    run = Run(r, paragraph)  # type: ignore[arg-type]
    append_text(r, clean_text(text))
    return format_run(run, size, bold=bold, italic=italic, underline=underline)
