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

The low-level parts (page setup, runs, fast paragraph copies, rules, table plumbing) are in
:mod:`dieuhanh.reports.docx_parts`; this module composes the document from them.
"""

from __future__ import annotations

import copy
import datetime
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell

from dieuhanh.reports.docx_parts import (  # noqa: F401  (FONT and the sizes are part of this API)
    FONT, TEXT_WIDTH_CM, CELL_MARGIN_CM, SIZE_QUOC_HIEU, SIZE_TIEU_NGU, SIZE_ISSUER, SIZE_NUMBER,
    SIZE_DATE, SIZE_TYPE, SIZE_SUBJECT, SIZE_KINH_GUI, SIZE_BODY, SIZE_TABLE,
    SIZE_TABLE_TITLE, SIZE_NOTE, SIZE_NOI_NHAN, SIZE_RECIPIENTS, SIZE_SIGNATURE, BODY_INDENT,
    SIZE_VV, BODY_LINE_SPACING, HEADER_COLS_CM, CLOSING_COLS_CM, QUOC_HIEU, TIEU_NGU, END_MARK,
    _LABEL, _setup_document, _clean, _lines, _upper, _Prototypes,
    _PROTOTYPES, _write, _styled_run, _rule, _text_width_cm, _table_borders,
    _fixed_widths, _layout_table, _cant_split, _repeat_header,
)

__all__ = [
    "FONT", "Appendix", "Header", "Heading", "Paragraph", "Signature", "TableBlock", "build_docx", "date_line", "number_line",
]


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
    vv: str = ""  # a công văn's trích yếu ("V/v …", 12pt, centred under the number; ô 5b)


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


@dataclass
class Appendix:
    """A Phụ lục after the signature (Decree 30 puts appendices after the body, ./., Nơi nhận and
    the signature): its own page, "PHỤ LỤC I" and its title centred, then its blocks; a landscape
    page when its tables are too wide for portrait."""

    title: str
    blocks: list[Block]
    landscape: bool = False


def build_docx(
    header: Header,
    blocks: Sequence[Block],
    recipients: Sequence[str],
    signature: Signature,
    *,
    greeting: str = "",
    appendices: Sequence[Appendix] = (),
) -> bytes:
    """The document as DOCX bytes. ``greeting`` is the optional Kính gửi (ô 9a):
    "Kính gửi: Sở Nội vụ thành phố Cần Thơ." or just the recipient; several
    recipients on separate lines become a dash list. ``appendices`` follow the signature,
    numbered I, II, … in the order given."""
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
        for number, appendix in enumerate(appendices, start=1):
            _add_appendix(document, number, appendix)
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
    for i, line in enumerate(_lines(f"V/v {header.vv}" if header.vv.strip() else "")):
        _write(table.cell(1, 0), line, SIZE_VV, before=6 if i == 0 else 0)
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


def _add_blocks(document: Any, blocks: Sequence[Block], text_width: float = TEXT_WIDTH_CM) -> Any:
    """The blocks in order; returns the last paragraph when the blocks end with one."""
    last_paragraph = None
    for block in blocks:
        last_paragraph = None
        if isinstance(block, Heading):
            _add_heading(document, block)
        elif isinstance(block, Paragraph):
            last_paragraph = _add_paragraph(document, block)
        else:
            _add_data_table(document, block, text_width)
    return last_paragraph


ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")


def _add_appendix(document: Any, number: int, appendix: Appendix) -> None:
    section = document.add_section(WD_SECTION.NEW_PAGE)
    portrait_w, portrait_h = min(section.page_width, section.page_height), max(section.page_width, section.page_height)
    if appendix.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = portrait_h, portrait_w
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = portrait_w, portrait_h
    text_width = (section.page_width - section.left_margin - section.right_margin) / 360000  # EMU → cm
    label = ROMAN[number - 1] if number <= len(ROMAN) else str(number)
    _write(document, f"PHỤ LỤC {label}", SIZE_TABLE_TITLE + 1, bold=True, keep_next=True)
    for line in _lines(appendix.title):
        _write(document, line, SIZE_TABLE_TITLE, bold=True, keep_next=True, after=0)
    _write(document, "", 6, keep_next=True)
    if not _add_blocks(document, appendix.blocks, text_width) and appendix.blocks:
        _write(document, "", 2)


def _add_content(document: Any, blocks: list[Block]) -> None:
    last_paragraph = _add_blocks(document, blocks)
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


def _auto_widths(headers: Sequence[str], rows: Sequence[Sequence[str]],
                 text_width: float = TEXT_WIDTH_CM) -> list[float]:
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
    minimum = [min(max(m, 1.0), text_width / len(headers)) for m in minimum]
    total = sum(natural)
    if total <= text_width:
        return [text_width * n / total for n in natural]
    spare = text_width - sum(minimum)
    wants = [max(n - m, 0.0) for n, m in zip(natural, minimum, strict=True)]
    total_wants = sum(wants) or 1.0
    return [m + spare * w / total_wants for m, w in zip(minimum, wants, strict=True)]


def _add_data_table(document: Any, block: TableBlock, text_width: float = TEXT_WIDTH_CM) -> None:
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
        widths = _auto_widths(headers, [[text for text, _ in row] for row in cells], text_width)
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
