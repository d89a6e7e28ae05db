"""Build an administrative document (a consolidated BÁO CÁO) as DOCX, laid out per Decree 30.

Pure Python (python-docx), no Django. The layout follows Nghị định 30/2020/NĐ-CP,
Phụ lục I (see ``shared/domain/decree30.md`` §2–3):

- A4 portrait; margins top/bottom 20 mm, left 30 mm, right 15 mm; Times New Roman
  everywhere (ascii, hAnsi, eastAsia and cs fonts, so LibreOffice uses it too).
- Header: a borderless 2×2 table. Row 1: parent body (12pt, caps) and issuing body
  (12pt, caps, bold, short rule under it) | Quốc hiệu (12pt bold caps) and Tiêu ngữ
  (13pt bold, rule as long as the text). Row 2: "Số: 85/BC-UBND" (13pt) | the place and
  date line (13pt italic), both centred in their column, so they sit on one line.
- Tên loại (14pt bold caps) and trích yếu (14pt bold) centred, a short rule under them;
  optional "Kính gửi:" (14pt).
- Content: body 14pt justified, first-line indent 1.27 cm, 6pt after, 1.15 line
  spacing; the last paragraph ends with "./.". Headings: level 1 (Phần/Chương) and
  level 2 (Mục) are bold and centred, their titles in capitals; level 3 (khoản, "1.",
  "I.") bold; level 4+ (điểm "a)") italic. Headings are printed as given: the caller
  writes the numbering ("Phần I", "1.", "a)").
- Data tables: bordered, 12pt, header row bold and repeated on every page, numbers
  right-aligned (Vietnamese grouping: 1.234; 12,5), first column left-aligned, title
  bold centred above, optional italic note below.
- Closing: a borderless 2-column table: "Nơi nhận:" (12pt bold italic) and the list
  (11pt, "- …;" / last "- ….") | signature block (14pt bold caps authority and
  position, room for signature and seal, bold name).
- Page numbers: top centre, 14pt, not on page 1.
"""

from __future__ import annotations

import contextvars
import copy
import datetime
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, Twips
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

__all__ = [
    "FONT", "Header", "Heading", "Paragraph", "Signature", "TableBlock", "build_docx", "date_line", "number_line",
]

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


# --- API ------------------------------------------------------------------------------


@dataclass
class Header:
    """Ô 1–5: issuing body, number and symbol, place and date, type name and trích yếu."""

    issuer: str  # "ỦY BAN NHÂN DÂN\nQUẬN CÁI RĂNG": lines, printed upper-case bold
    issuer_parent: str = ""  # "UBND THÀNH PHỐ CẦN THƠ" above a specialised office; not bold
    number: str | None = None  # None: left blank for the clerk ("Số:      /BC-UBND")
    symbol: str = "BC-UBND"
    place: str = ""  # "Cái Răng"
    date: datetime.date | None = None  # None: "ngày     tháng     năm <year>"
    year: int | None = None  # the year printed when date is None (default: this year)
    type_name: str = "BÁO CÁO"
    subject: str = ""


@dataclass
class Signature:
    """Ô 7: authority line(s), position, signer's name."""

    authority: str = ""  # "TM. ỦY BAN NHÂN DÂN", "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH"; may be empty
    position: str = "CHỦ TỊCH"
    name: str = ""


@dataclass
class Heading:
    """A heading: 1 = Phần/Chương, 2 = Mục (bold, centred, titles in caps), 3 = "I."/"1." (bold),
    4 and deeper = điểm "a)" (italic)."""

    text: str
    level: int = 1


@dataclass
class Paragraph:
    """Body text; each line of ``text`` is its own paragraph. ``attribution`` names the
    unit that reported it: an italic "(Đơn vị: …)" opens the first paragraph."""

    text: str
    attribution: str = ""


@dataclass
class TableBlock:
    """A data table with a bold centred title above and an optional italic note below."""

    title: str
    headers: list[str]
    rows: list[list[Any]]
    widths_cm: list[float] | None = None
    note: str = ""


Block = Heading | Paragraph | TableBlock


def build_docx(
    header: Header,
    blocks: Sequence[Block],
    recipients: Sequence[str],
    signature: Signature,
    *,
    greeting: str = "",
) -> bytes:
    """The document as DOCX bytes. ``greeting`` is the optional Kính gửi (ô 9a):
    "Kính gửi: Sở Nội vụ thành phố Cần Thơ." or just the recipient; several
    recipients on separate lines become a dash list."""
    body_blocks = list(blocks)
    for block in body_blocks:
        if not isinstance(block, Heading | Paragraph | TableBlock):
            raise TypeError(f"Khối nội dung không hợp lệ: {type(block).__name__}")
    token = _PROTOTYPES.set(_Prototypes())
    try:
        document = Document()
        _setup_document(document)
        _add_header_table(document, header)
        _add_title(document, header)
        if greeting.strip():
            _add_greeting(document, greeting)
        _add_content(document, body_blocks)
        _add_closing(document, recipients, signature)
        _write(document, "", 2)  # a body must end with a paragraph, not a table
    finally:
        _PROTOTYPES.reset(token)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def number_line(number: str | None, symbol: str) -> str:
    """ "Số: 85/BC-UBND"; numbers below 10 get a leading 0; None leaves room for the clerk."""
    symbol = _clean(symbol).replace(" ", "")
    if number is None or not str(number).strip():
        return f"Số:{' ' * 6}/{symbol}" if symbol else "Số:"
    num = _clean(str(number)).replace(" ", "")
    if num.isdigit() and int(num) < 10:
        num = f"{int(num):02d}"
    return f"Số: {num}/{symbol}" if symbol else f"Số: {num}"


def date_line(place: str, date: datetime.date | None, year: int | None = None) -> str:
    """ "Cái Răng, ngày 28 tháng 4 năm 2020": day < 10 and months 1–2 padded (PL I.II.4b)."""
    place = _clean(place).strip().rstrip(",")
    if date is None:
        when = f"ngày{' ' * 5}tháng{' ' * 5}năm {year or datetime.date.today().year}"
    else:
        month = f"{date.month:02d}" if date.month <= 2 else str(date.month)
        when = f"ngày {date.day:02d} tháng {month} năm {date.year}"
    return f"{place}, {when}" if place else when


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


# --- header (ô 1–4) -------------------------------------------------------------------


def _add_header_table(document: Any, header: Header) -> None:
    table = _layout_table(document, 2, HEADER_COLS_CM)
    left_avail = HEADER_COLS_CM[0] - 2 * CELL_MARGIN_CM
    right_avail = HEADER_COLS_CM[1] - 2 * CELL_MARGIN_CM

    agency = table.cell(0, 0)
    first = True
    for line in _lines(header.issuer_parent):
        _write(agency, _upper(line), SIZE_ISSUER, reuse_first=first)
        first = False
    issuer_lines = [_upper(line) for line in _lines(header.issuer)]
    for line in issuer_lines:
        _write(agency, line, SIZE_ISSUER, bold=True, reuse_first=first)
        first = False
    if issuer_lines:
        widest = max(_text_width_cm(line, SIZE_ISSUER, bold=True) for line in issuer_lines)
        _rule(agency, 0.4 * widest, left_avail)

    national = table.cell(0, 1)
    _write(national, QUOC_HIEU, SIZE_QUOC_HIEU, bold=True, reuse_first=True)
    _write(national, TIEU_NGU, SIZE_TIEU_NGU, bold=True)
    _rule(national, _text_width_cm(TIEU_NGU, SIZE_TIEU_NGU, bold=True), right_avail)

    _write(table.cell(1, 0), number_line(header.number, header.symbol), SIZE_NUMBER, reuse_first=True, before=4)
    _write(table.cell(1, 1), date_line(header.place, header.date, header.year), SIZE_DATE, italic=True,
           reuse_first=True, before=4)


# --- tên loại, trích yếu, kính gửi (ô 5a, 9a) -------------------------------------------


def _add_title(document: Any, header: Header) -> None:
    type_lines = [_upper(line) for line in _lines(header.type_name)]
    subject_lines = _lines(header.subject)
    for i, line in enumerate(type_lines):
        _write(document, line, SIZE_TYPE, bold=True, before=18 if i == 0 else 0, keep_next=True)
    for i, line in enumerate(subject_lines):
        _write(document, line, SIZE_SUBJECT, bold=True, before=0 if type_lines or i else 18, keep_next=True)
    if type_lines or subject_lines:
        widest = max(_text_width_cm(line, SIZE_SUBJECT, bold=True) for line in (subject_lines or type_lines))
        rule = _rule(document, min(max(0.4 * min(widest, TEXT_WIDTH_CM), 2.0), 4.0), TEXT_WIDTH_CM)
        rule.paragraph_format.space_after = Pt(12)


def _add_greeting(document: Any, greeting: str) -> None:
    lines = _lines(greeting)
    first = re.sub(r"^kính\s*gửi\s*:?\s*", "", lines[0], flags=re.I)
    rest = lines[1:]
    if not first and not rest:
        return
    if not rest:
        text = first if first.endswith((".", ";", ":")) else first + "."
        _write(document, f"Kính gửi: {text}", SIZE_KINH_GUI, after=6, keep_next=True)
        return
    entries = [re.sub(r"^[-–•+]\s*", "", line).rstrip(" ;.,") for line in ([first] if first else []) + rest]
    entries = [e for e in entries if e]
    head = _write(document, "Kính gửi:", SIZE_KINH_GUI, align=WD_ALIGN_PARAGRAPH.LEFT, keep_next=True)
    head.paragraph_format.left_indent = Cm(3.0)
    for i, entry in enumerate(entries):
        end = "." if i == len(entries) - 1 else ";"
        paragraph = _write(document, f"- {entry}{end}", SIZE_KINH_GUI, align=WD_ALIGN_PARAGRAPH.LEFT,
                           after=6 if end == "." else 0, keep_next=True)
        paragraph.paragraph_format.left_indent = Cm(5.2)


# --- content (ô 6) ----------------------------------------------------------------------


def _add_content(document: Any, blocks: list[Block]) -> None:
    last_paragraph = None
    for block in blocks:
        last_paragraph = None
        if isinstance(block, Heading):
            _add_heading(document, block)
        elif isinstance(block, Paragraph):
            last_paragraph = _add_paragraph(document, block)
        else:
            _add_data_table(document, block)
    if last_paragraph is not None:
        run = last_paragraph.runs[-1]
        text = run.text.rstrip()
        if not text.endswith(END_MARK):
            run.text = (text[:-1] if text.endswith(".") else text.rstrip(" ;,:")) + END_MARK
    else:
        _write(document, END_MARK, SIZE_BODY, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_indent=BODY_INDENT,
               after=6, line=BODY_LINE_SPACING)


def _add_heading(document: Any, heading: Heading) -> None:
    lines = _lines(heading.text)
    if not lines:
        return
    level = max(1, int(heading.level))
    if level <= 2:
        label = _LABEL.match(lines[0]) if len(lines) == 1 else None
        if label:
            lines = [label.group(1), label.group(2)]
        if len(lines) > 1:  # "Phần I" / "KẾT QUẢ THỰC HIỆN": the label as written, the title in caps
            lines = [lines[0]] + [_upper(line) for line in lines[1:]]
        else:
            lines = [_upper(lines[0])]
        for i, line in enumerate(lines):
            _write(document, line, SIZE_BODY, bold=True, before=12 if i == 0 else 0,
                   after=6 if i == len(lines) - 1 else 0, line=BODY_LINE_SPACING, keep_next=True)
        return
    for line in lines:
        _write(document, line, SIZE_BODY, bold=level == 3, italic=level >= 4, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
               first_indent=BODY_INDENT, before=6 if level == 3 else 0, after=6, line=BODY_LINE_SPACING,
               keep_next=True)


def _attribution_text(attribution: str) -> str:
    text = " ".join(_clean(attribution).split()).strip()
    if not text:
        return ""
    if text.startswith("(") and text.endswith(")"):
        return text
    text = re.sub(r"^đơn\s*vị\s*:\s*", "", text, flags=re.I)
    return f"(Đơn vị: {text})"


def _add_paragraph(document: Any, block: Paragraph) -> Any:
    lines = _lines(block.text)
    prefix = _attribution_text(block.attribution)
    if not lines and not prefix:
        return None
    last = None
    for i, line in enumerate(lines or [""]):
        paragraph = _write(document, "", SIZE_BODY, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_indent=BODY_INDENT,
                           after=6, line=BODY_LINE_SPACING)
        if i == 0 and prefix:
            _styled_run(paragraph, prefix + (" " if line else ""), SIZE_BODY, italic=True)
        if line:
            _styled_run(paragraph, line, SIZE_BODY)
        last = paragraph
    return last


_NUMERIC_TEXT = re.compile(r"^[+\-−]?\d{1,3}(?:[.\s]\d{3})*(?:,\d+)?\s*%?$|^[+\-−]?\d+(?:[.,]\d+)?\s*%?$")


def format_cell(value: Any) -> tuple[str, bool]:
    """Text of a table cell and whether it is a number (right-aligned).

    Numbers use Vietnamese grouping: 1.234 and 12,5 (two decimals at most)."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("Có" if value else "Không"), False
    if isinstance(value, int):
        return f"{value:,}".replace(",", "."), True
    if isinstance(value, float | Decimal):
        if isinstance(value, float) and value != value:  # NaN
            return "", False
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
        return text.replace(",", "\x00").replace(".", ",").replace("\x00", "."), True
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M"), False
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y"), False
    text = _clean(value).strip()
    return text, bool(_NUMERIC_TEXT.match(text))


def _auto_widths(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[float]:
    """Fill the text width: every column at least as wide as its longest word, the
    rest shared in proportion to how much more each column's longest line needs."""
    pad = 2 * CELL_MARGIN_CM + 0.1
    natural, minimum = [], []
    for c, head in enumerate(headers):
        texts = [(head, True)] + [(row[c], False) for row in rows if c < len(row)]
        lines = [(line, bold) for text, bold in texts for line in text.split("\n")]
        words = [(word, bold) for line, bold in lines for word in line.split()]
        natural.append(max((_text_width_cm(t, SIZE_TABLE, bold=b) for t, b in lines), default=0) + pad)
        minimum.append(max((_text_width_cm(w, SIZE_TABLE, bold=b) for w, b in words), default=0) + pad)
    natural = [max(n, 1.0) for n in natural]
    minimum = [min(max(m, 1.0), TEXT_WIDTH_CM / len(headers)) for m in minimum]
    total = sum(natural)
    if total <= TEXT_WIDTH_CM:
        return [TEXT_WIDTH_CM * n / total for n in natural]
    spare = TEXT_WIDTH_CM - sum(minimum)
    wants = [max(n - m, 0.0) for n, m in zip(natural, minimum, strict=True)]
    total_wants = sum(wants) or 1.0
    return [m + spare * w / total_wants for m, w in zip(minimum, wants, strict=True)]


def _add_data_table(document: Any, block: TableBlock) -> None:
    headers = [_clean(h).strip() for h in block.headers]
    width = max([len(headers)] + [len(row) for row in block.rows]) if (headers or block.rows) else 0
    if width == 0:
        return
    headers += [""] * (width - len(headers))
    cells = [[format_cell(v) for v in list(row) + [None] * (width - len(row))] for row in block.rows]
    title_lines = _lines(block.title)
    for i, line in enumerate(title_lines):
        _write(document, line, SIZE_TABLE_TITLE, bold=True, before=6 if i == 0 else 0,
               after=6 if i == len(title_lines) - 1 else 0, keep_next=True)
    if block.widths_cm and len(block.widths_cm) == width:
        widths = [float(w) for w in block.widths_cm]
    else:
        widths = _auto_widths(headers, [[text for text, _ in row] for row in cells])
    # The header row and one body row are built by python-docx; the other body rows are
    # copies of that row's XML before it was filled (python-docx's row.cells walks the whole
    # table, which made big tables quadratic).
    table = document.add_table(rows=1 + min(len(cells), 1), cols=width)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _table_borders(table, "single")
    _fixed_widths(table, widths)
    head = table.rows[0]
    _repeat_header(head)
    _cant_split(head)
    for cell, text in zip(head.cells, headers, strict=False):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _fill_cell(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    if not cells:
        template = None
    else:
        first = table.rows[1]
        _cant_split(first)
        for cell in first.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        template = copy.deepcopy(first._tr)
    tbl = table._tbl
    for r, values in enumerate(cells):
        if r == 0:
            tr = table.rows[1]._tr
        else:
            tr = copy.deepcopy(template)
            tbl.append(tr)
        for c, (tc, (text, numeric)) in enumerate(zip(tr.findall(qn("w:tc")), values, strict=False)):
            if c == 0:
                align = WD_ALIGN_PARAGRAPH.LEFT
            elif numeric:
                align = WD_ALIGN_PARAGRAPH.RIGHT
            else:
                align = WD_ALIGN_PARAGRAPH.LEFT
            _fill_cell(_Cell(tc, table), text, align=align)
    note = _lines(block.note)
    for i, line in enumerate(note):
        _write(document, line, SIZE_NOTE, italic=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
               before=3 if i == 0 else 0, after=6 if i == len(note) - 1 else 0)
    if not note:
        _write(document, "", 6)  # keeps the next block (or the closing table) off the table


def _fill_cell(cell: Any, text: str, *, bold: bool = False, align: Any) -> None:
    lines = text.split("\n") if text else [""]
    for i, line in enumerate(lines):
        _write(cell, line.strip(), SIZE_TABLE, bold=bold, align=align, before=2 if i == 0 else 0,
               after=2 if i == len(lines) - 1 else 0, reuse_first=i == 0)


# --- closing (ô 7, 9b) ------------------------------------------------------------------


def _recipient_entries(recipients: Sequence[str]) -> list[str]:
    entries = []
    for item in recipients:
        for line in _lines(item):
            entry = re.sub(r"^[-–•+]\s*", "", line).rstrip(" ;.,").strip()
            if entry:
                entries.append(entry)
    return entries


def _add_closing(document: Any, recipients: Sequence[str], signature: Signature) -> None:
    _write(document, "", SIZE_BODY, keep_next=True)
    table = _layout_table(document, 1, CLOSING_COLS_CM)
    left, right = table.cell(0, 0), table.cell(0, 1)
    entries = _recipient_entries(recipients)
    if entries:
        _write(left, "Nơi nhận:", SIZE_NOI_NHAN, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT,
               reuse_first=True)
        for i, entry in enumerate(entries):
            end = "." if i == len(entries) - 1 else ";"
            _write(left, f"- {entry}{end}", SIZE_RECIPIENTS, align=WD_ALIGN_PARAGRAPH.LEFT)
    first = True
    for line in _lines(signature.authority) + _lines(signature.position):
        _write(right, _upper(line), SIZE_SIGNATURE, bold=True, reuse_first=first)
        first = False
    for _ in range(4):  # room for the signature and the seal
        _write(right, "", SIZE_SIGNATURE, reuse_first=first)
        first = False
    name = " ".join(_clean(signature.name).split())
    if name:
        _write(right, name, SIZE_SIGNATURE, bold=True)
