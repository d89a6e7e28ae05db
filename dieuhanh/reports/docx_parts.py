"""The building blocks of :mod:`dieuhanh.reports.decree30_docx`: page setup, fonts and runs,
fast paragraph copies, rules (short lines) and table plumbing. Pure python-docx, no Django."""

from __future__ import annotations

import contextvars
import copy
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, Twips
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph


FONT = "Times New Roman"
LANG = "vi-VN"

# Page (PL I.I): A4 portrait; margins 20/20/30/15 mm, the low ends of the decree's ranges
# (in twips rounded up, so they never fall below them).
PAGE_W, PAGE_H = Twips(11906), Twips(16838)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Twips(1134), Twips(1134), Twips(1701), Twips(851)
TEXT_WIDTH_CM = 21.0 - 3.0 - 1.5  # 16.5 cm
CELL_MARGIN_CM = 0.19  # Word's and LibreOffice's default left/right cell margin (108 twips)

# Font sizes: the decree's own sample column (PL I.V).
SIZE_QUOC_HIEU = 12
SIZE_TIEU_NGU = 13
SIZE_ISSUER = 12
SIZE_NUMBER = 13
SIZE_DATE = 13
SIZE_TYPE = 14
SIZE_SUBJECT = 14
SIZE_VV = 12  # a công văn's "V/v" trích yếu (PL I.V)
SIZE_KINH_GUI = 14
SIZE_BODY = 14
SIZE_TABLE = 12
SIZE_TABLE_TITLE = 13
SIZE_NOTE = 12
SIZE_NOI_NHAN = 12
SIZE_RECIPIENTS = 11
SIZE_SIGNATURE = 14
SIZE_PAGE_NUMBER = 14

BODY_INDENT = Cm(1.27)
BODY_LINE_SPACING = 1.15
BODY_SPACE_AFTER = Pt(6)

# Column widths of the two layout tables (16.5 cm of text width).
HEADER_COLS_CM = (6.6, 9.9)
CLOSING_COLS_CM = (7.6, 8.9)

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
END_MARK = "./."

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_LABEL = re.compile(r"^((?:Phần|PHẦN|Chương|CHƯƠNG|Mục|MỤC)\s+[IVXLCDM\d]+)\s*[.:\-–]?\s+(\S.*)$")


# --- document setup -------------------------------------------------------------------


def _setup_document(document: Any) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    _set_default_font(document)
    _add_page_numbers(section)
    props = document.core_properties
    props.language = LANG
    props.author = ""
    props.comments = ""


def _fonts_element(parent: Any) -> Any:
    fonts = parent.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        parent.insert(0, fonts)
    for attr in list(fonts.attrib):  # theme fonts win over named ones: drop them
        if attr.endswith("Theme") or attr.endswith("theme"):
            del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    return fonts


def _set_lang(rpr: Any) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), LANG)


def _set_default_font(document: Any) -> None:
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            _fonts_element(rpr)
            _set_lang(rpr)
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(SIZE_BODY)
    rpr = normal.element.get_or_add_rPr()
    _fonts_element(rpr)
    _set_lang(rpr)
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0


def _add_page_numbers(section: Any) -> None:
    """PAGE field centred in the header; page 1 has its own, empty header (w:titlePg)."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    _style_run(run, SIZE_PAGE_NUMBER)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)
    first = section.first_page_header.paragraphs[0]
    _mark_size(first, SIZE_PAGE_NUMBER)


# --- small helpers --------------------------------------------------------------------


def _clean(text: Any) -> str:
    return _CONTROL.sub("", unicodedata.normalize("NFC", "" if text is None else str(text)))


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in _clean(text).replace("\r", "\n").split("\n") if line.strip()]


def _upper(text: str) -> str:
    return text.upper()


def _style_run(run: Any, size: float, *, bold: bool = False, italic: bool = False) -> Any:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    rpr = run._r.get_or_add_rPr()
    _fonts_element(rpr)
    szcs = rpr.find(qn("w:szCs"))
    if szcs is None:
        szcs = OxmlElement("w:szCs")
        rpr.append(szcs)
    szcs.set(qn("w:val"), str(int(size * 2)))
    return run


def _mark_size(paragraph: Any, size: float) -> None:
    """Font and size of the paragraph mark (sets the height of an empty paragraph)."""
    ppr = paragraph._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        ppr.append(rpr)
    _fonts_element(rpr)
    for tag in ("w:sz", "w:szCs"):
        element = rpr.find(qn(tag))
        if element is None:
            element = OxmlElement(tag)
            rpr.append(element)
        element.set(qn("w:val"), str(int(size * 2)))


def _format(paragraph: Any, *, align: Any = WD_ALIGN_PARAGRAPH.CENTER, before: float = 0, after: float = 0,
            line: float = 1.0, first_indent: Any = None, keep_next: bool = False) -> Any:
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.line_spacing = line
    if first_indent is not None:
        fmt.first_line_indent = first_indent
    if keep_next:
        fmt.keep_with_next = True
    return paragraph


class _Prototypes:
    """Formatted paragraphs and runs of one build, by their formatting.

    Formatting a paragraph through python-docx's properties costs ~1 ms (each property
    looks its element up and places it in schema order), and adding one to the body looks
    for the body's sectPr every time. A document with thousands of paragraphs repeats a
    handful of formats, so the first paragraph of each format is built the slow way and
    copied (``deepcopy`` of its XML, text swapped) for the others; paragraphs go in before
    the sectPr found once. The XML is the same as the slow way's."""

    def __init__(self) -> None:
        self.paragraphs: dict[tuple, Any] = {}
        self.runs: dict[tuple, Any] = {}
        self.sect_prs: dict[int, Any] = {}


_PROTOTYPES: contextvars.ContextVar[_Prototypes | None] = contextvars.ContextVar("decree30_prototypes",
                                                                                  default=None)
_SPECIAL_CHARS = re.compile(r"[\t\n\r]")  # python-docx turns these into w:tab / w:br
_W_P, _W_R, _W_T, _W_SECT_PR, _XML_SPACE = qn("w:p"), qn("w:r"), qn("w:t"), qn("w:sectPr"), qn("xml:space")


def _set_run_text(r: Any, text: str) -> bool:
    """Put ``text`` in the single w:t of run ``r`` as python-docx would; False if it cannot."""
    t = r.find(_W_T)
    if t is None or _SPECIAL_CHARS.search(text):
        return False
    t.text = text
    if len(text.strip()) < len(text):
        t.set(_XML_SPACE, "preserve")
    elif _XML_SPACE in t.attrib:
        del t.attrib[_XML_SPACE]
    return True


def _story_element(container: Any) -> Any:
    """The element paragraphs go into: the document body or the cell's w:tc."""
    if isinstance(container, _Cell):
        return container._element
    if hasattr(container, "element") and hasattr(container.element, "body"):
        return container.element.body
    return None


def _write(container: Any, text: str, size: float, *, bold: bool = False, italic: bool = False,
           reuse_first: bool = False, **fmt: Any) -> Any:
    """Add one paragraph with one run to a document or a table cell."""
    protos = _PROTOTYPES.get()
    parent = _story_element(container) if protos is not None else None
    if parent is None:
        return _write_slow(container, text, size, bold=bold, italic=italic, reuse_first=reuse_first, **fmt)
    key = (size, bold, italic, bool(text), tuple(sorted(fmt.items())))
    proto = protos.paragraphs.get(key)
    reuse = None
    if reuse_first:
        first = parent.find(_W_P)
        if first is not None and len(first) == 0:  # a bare <w:p/>
            reuse = first
        elif first is not None:  # not a bare paragraph: let python-docx decide
            proto = None
    if proto is None:
        paragraph = _write_slow(container, text, size, bold=bold, italic=italic, reuse_first=reuse_first, **fmt)
        if reuse_first and reuse is None:
            return paragraph
        protos.paragraphs[key] = copy.deepcopy(paragraph._p)
        return paragraph
    p = copy.deepcopy(proto)
    if text:
        runs = p.findall(_W_R)
        if len(runs) != 1 or not _set_run_text(runs[0], text):
            return _write_slow(container, text, size, bold=bold, italic=italic, reuse_first=reuse_first, **fmt)
    if reuse is not None:
        reuse.addnext(p)
        parent.remove(reuse)
    elif isinstance(container, _Cell):
        parent.append(p)
    else:
        sect_pr = protos.sect_prs.get(id(parent))
        if sect_pr is None or sect_pr.getparent() is not parent:
            sect_pr = parent.find(_W_SECT_PR)
            protos.sect_prs[id(parent)] = sect_pr
        if sect_pr is not None:
            sect_pr.addprevious(p)
        else:
            parent.append(p)
    return DocxParagraph(p, container)


def _styled_run(paragraph: Any, text: str, size: float, *, bold: bool = False, italic: bool = False) -> Any:
    """Append a run styled by ``_style_run`` (copied from a prototype run when possible)."""
    protos = _PROTOTYPES.get()
    if protos is None or not text or _SPECIAL_CHARS.search(text):
        return _style_run(paragraph.add_run(text), size, bold=bold, italic=italic)._r
    key = (size, bold, italic)
    proto = protos.runs.get(key)
    if proto is None:
        r = _style_run(paragraph.add_run(text), size, bold=bold, italic=italic)._r
        protos.runs[key] = copy.deepcopy(r)
        return r
    r = copy.deepcopy(proto)
    _set_run_text(r, text)
    paragraph._p.append(r)
    return r


def _write_slow(container: Any, text: str, size: float, *, bold: bool = False, italic: bool = False,
                reuse_first: bool = False, **fmt: Any) -> Any:
    if reuse_first and container.paragraphs and not container.paragraphs[0].runs and not container.paragraphs[0].text:
        paragraph = container.paragraphs[0]
    else:
        paragraph = container.add_paragraph()
    _format(paragraph, **fmt)
    _mark_size(paragraph, size)
    if text:
        _style_run(paragraph.add_run(text), size, bold=bold, italic=italic)
    return paragraph


def _rule(container: Any, length_cm: float, avail_cm: float, *, reuse_first: bool = False) -> Any:
    """A centred solid line ``length_cm`` long: the bottom border of a tiny empty
    paragraph, narrowed by equal left and right indents (renders in Word and LibreOffice)."""
    paragraph = _write(container, "", 2, reuse_first=reuse_first)
    length_cm = max(0.5, min(length_cm, avail_cm))
    side = max(0.0, (avail_cm - length_cm) / 2)
    fmt = paragraph.paragraph_format
    fmt.left_indent = Cm(side)
    fmt.right_indent = Cm(side)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(2)
    fmt.space_before = Pt(2)  # clear of the dots below "Ặ", "Ậ" and of descenders
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attr, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(attr), value)
    border.append(bottom)
    # pBdr must come before spacing/ind/jc in CT_PPr's sequence.
    anchor = None
    for tag in ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
                "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
                "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"):
            anchor = ppr.find(qn(tag))
            if anchor is not None:
                break
    if anchor is not None:
        anchor.addprevious(border)
    else:
        ppr.append(border)
    return paragraph


# Rough advance widths (em) of Times New Roman, enough to size rules under headings.
_NARROW = set("fijlrtI.,;:'!|()[]-/ ")
_WIDE = set("mwMW")


def _text_width_cm(text: str, size: float, *, bold: bool = False) -> float:
    ems = 0.0
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            continue
        if ch in _WIDE:
            ems += 0.9
        elif ch == " ":
            ems += 0.25
        elif ch in _NARROW:
            ems += 0.3
        elif ch.isupper():
            ems += 0.7
        elif ch.isdigit():
            ems += 0.5
        else:
            ems += 0.47
    if bold:
        ems *= 1.05
    return ems * size / 72 * 2.54


# --- tables ---------------------------------------------------------------------------


_TBL_PR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
                 "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
                 "tblCaption", "tblDescription", "tblPrChange")


def _tbl_pr_child(tbl_pr: Any, name: str) -> Any:
    """The ``w:<name>`` child of tblPr, created in its schema position (Word rejects others)."""
    element = tbl_pr.find(qn(f"w:{name}"))
    if element is not None:
        return element
    element = OxmlElement(f"w:{name}")
    later = _TBL_PR_ORDER[_TBL_PR_ORDER.index(name) + 1:]
    for child in tbl_pr.iterchildren():
        if isinstance(child.tag, str) and child.tag.split("}")[-1] in later:
            child.addprevious(element)
            return element
    tbl_pr.append(element)
    return element


def _table_borders(table: Any, value: str) -> None:
    borders = _tbl_pr_child(table._tbl.tblPr, "tblBorders")
    for child in list(borders):
        borders.remove(child)
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), value)
        if value != "nil":
            element.set(qn("w:sz"), "4")
            element.set(qn("w:space"), "0")
            element.set(qn("w:color"), "000000")
        borders.append(element)


def _fixed_widths(table: Any, widths_cm: Sequence[float]) -> None:
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    _tbl_pr_child(tbl_pr, "tblLayout").set(qn("w:type"), "fixed")
    width = _tbl_pr_child(tbl_pr, "tblW")
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(int(round(sum(widths_cm) * 567))))
    for grid, cm in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm, strict=False):
        grid.set(qn("w:w"), str(int(round(cm * 567))))
    for row in table.rows:
        for cell, cm in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(cm)


def _layout_table(document: Any, rows: int, widths_cm: Sequence[float]) -> Any:
    table = document.add_table(rows=rows, cols=len(widths_cm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _table_borders(table, "nil")
    _fixed_widths(table, widths_cm)
    for row in table.rows:
        _cant_split(row)
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    return table


def _cant_split(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    if tr_pr.find(qn("w:cantSplit")) is None:
        tr_pr.append(OxmlElement("w:cantSplit"))


def _repeat_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    if tr_pr.find(qn("w:tblHeader")) is None:
        tr_pr.append(OxmlElement("w:tblHeader"))


