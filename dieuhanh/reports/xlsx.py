"""Tables to an XLSX workbook (openpyxl), one worksheet per table. Pure Python, no Django.

Each sheet: an optional caption row (bold, merged across the table), a bold header
row that stays frozen while scrolling, column widths fitted to the content, numbers
kept as numbers and dates as dates. Sheet names are made legal for Excel (≤ 31
characters, none of []:*?/\\, unique regardless of case). Text that starts with "="
is stored as text, never as a formula.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from lxml import etree
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

__all__ = ["Sheet", "build_xlsx", "sheet_title"]

MAX_TITLE = 31
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
_RESERVED = {"history"}  # Excel reserves this name
MIN_WIDTH, MAX_WIDTH = 6, 60
FONT_NAME = "Times New Roman"
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9D9D9")


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: list[list[Any]]
    caption: str = ""


def sheet_title(title: str, taken: set[str], index: int) -> str:
    """A legal, unique worksheet name for ``title`` (``taken`` holds lower-cased names)."""
    text = unicodedata.normalize("NFC", str(title or ""))
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    text = _BAD_TITLE.sub("-", text)
    text = " ".join(text.split()).strip("'").strip()
    if not text or text.lower() in _RESERVED:
        text = f"{text} ({index})".strip() if text else f"Trang {index}"
    base = text[:MAX_TITLE].rstrip().rstrip("'")
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        suffix = f" ({n})"
        name = base[:MAX_TITLE - len(suffix)].rstrip().rstrip("'") + suffix
    taken.add(name.lower())
    return name


def _value(value: Any) -> Any:
    """What to store: numbers, dates and booleans as themselves, the rest as clean text."""
    if value is None or isinstance(value, bool | int | float | Decimal | datetime.date | datetime.time):
        if isinstance(value, float) and value != value:  # NaN has no cell form
            return None
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            return value.replace(tzinfo=None)  # Excel has no time zones; keep the wall time
        return value
    text = unicodedata.normalize("NFC", str(value))
    return ILLEGAL_CHARACTERS_RE.sub("", text)


_DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
_DATE_FORMAT = "DD/MM/YYYY"
_TIME_FORMAT = "h:mm:ss"  # what openpyxl gives a time value by default
_PAPERSIZE_A4 = "9"


class _Styles:
    """The workbook's few cell styles, each registered once; cells share the style arrays
    (so writing a cell costs no font/border lookups)."""

    def __init__(self, ws: Any) -> None:
        centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
        body = dict(font=Font(name=FONT_NAME, size=12), border=_BORDER)
        bases = {
            "caption": dict(font=Font(name=FONT_NAME, bold=True, size=13), alignment=centred),
            "head": dict(font=Font(name=FONT_NAME, bold=True, size=12), alignment=centred, fill=_HEAD_FILL,
                         border=_BORDER),
            "body": body,
            "wrap": dict(body, alignment=Alignment(vertical="top", wrap_text=True)),
        }
        number_formats = {datetime.datetime: _DATETIME_FORMAT, datetime.date: _DATE_FORMAT,
                          datetime.time: _TIME_FORMAT}
        self.formats: dict[tuple[str, type], Any] = {}
        for base, attrs in bases.items():
            setattr(self, base, self._make(ws, **attrs))
            for kind, number_format in number_formats.items():
                self.formats[base, kind] = self._make(ws, number_format=number_format, **attrs)

    @staticmethod
    def _make(ws: Any, **attrs: Any) -> Any:
        cell = WriteOnlyCell(ws)
        for name, value in attrs.items():
            setattr(cell, name, value)
        return cell._style


def _cell(ws: Any, value: Any, styles: _Styles, base: str) -> Any:
    """A write-only cell holding ``value`` (as ``_value`` stores it) in style ``base``."""
    value = _value(value)
    cell = WriteOnlyCell(ws, value)
    if cell.data_type == "f":  # "=1+1" typed by a user is text, not a formula
        cell.data_type = "s"
    cell._style = styles.formats.get((base, _date_kind(value))) or getattr(styles, base)
    return cell


def _display_len(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    if isinstance(value, float):
        return len(f"{value:.2f}")
    return max((len(line) for line in str(value).split("\n")), default=0)


def build_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """The workbook as XLSX bytes; an empty sequence gives one empty sheet.

    Written in openpyxl's write-only mode, the body rows rendered here (see
    ``_render_body``): 2 M cells take seconds rather than minutes."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    styles = None
    for index, sheet in enumerate(sheets, start=1):
        ws = workbook.create_sheet(sheet_title(sheet.title, taken, index))
        if styles is None:
            styles = _Styles(ws)
        _fill(ws, sheet, styles)
    if not workbook.worksheets:
        workbook.create_sheet("Trang 1")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _fill(ws: Any, sheet: Sheet, styles: _Styles) -> None:
    headers = list(sheet.headers)
    rows = sheet.rows
    width = max([len(headers)] + [len(row) for row in rows]) if (headers or rows) else 0
    headers += [""] * (width - len(headers))
    caption = " ".join(str(sheet.caption or "").split())
    head_row = 2 if caption else 1

    # The body is rendered first: the column widths must be set before any row is written.
    lengths = [_display_len(_value(text)) for text in headers]
    chunks = _render_body(ws, rows, head_row + 1, width, styles, lengths)
    for col, length in enumerate(lengths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(max(length + 2, MIN_WIDTH), MAX_WIDTH)
    if width:
        ws.freeze_panes = f"A{head_row + 1}"
        ws.print_title_rows = f"{head_row}:{head_row}"
        if len(rows):
            ws.auto_filter.ref = f"A{head_row}:{get_column_letter(width)}{head_row + len(rows)}"
    ws.page_setup.paperSize = _PAPERSIZE_A4

    if caption:
        ws.append([_cell(ws, caption, styles, "caption")])
        if width > 1:
            ws.merged_cells.add(f"A1:{get_column_letter(width)}1")
    if width:
        ws.append([_cell(ws, text, styles, "head") for text in headers])
    if chunks:
        # Hand the rendered rows to openpyxl's stream: each append() carries one chunk
        # (a parsed <rows> wrapper whose children are the <row> elements), no Cell objects.
        # This uses write-only internals of openpyxl 3.1 (pinned in pyproject.toml);
        # tests/reports/test_decree30_docx.py reads the cells back.
        ws._values_to_row = lambda row, row_idx: row
        ws._get_writer()
        ws._writer.write_row = _write_chunk
        for xml in chunks:
            ws.append((etree.fromstring(f"<rows>{xml}</rows>"),))


_ROWS_PER_CHUNK = 500
_EXACT_INT = 10**15
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def _render_body(ws: Any, rows: Sequence[Sequence[Any]], first_row: int, width: int, styles: _Styles,
                 lengths: list[int]) -> list[str]:
    """The body rows as ``<row>`` XML text, in chunks; ``lengths`` (the widest text of each
    column) is raised to the body's.

    openpyxl's write-only writer spends ~20 µs on each cell (a Cell object, its value
    checks, a style lookup, an lxml element); here each cell is one f-string. The markup is
    the one openpyxl writes (inline strings, dates as serial numbers with a date style, the
    values stored as ``_value`` gives them, every cell of the table bordered)."""
    if not rows:
        return []
    workbook = ws.parent
    cell_styles = workbook._cell_styles
    body = cell_styles.add(styles.body)
    wrap = cell_styles.add(styles.wrap)
    dated = {kind: cell_styles.add(styles.formats["body", kind])
             for kind in (datetime.datetime, datetime.date, datetime.time)}
    epoch = workbook.epoch
    letters = [get_column_letter(col) for col in range(1, width + 1)]
    columns = range(width)
    illegal = ILLEGAL_CHARACTERS_RE.sub
    normalize = unicodedata.normalize

    def render(row_idx: int, row: Sequence[Any]) -> str:
        parts = [f'<row r="{row_idx}">']
        append = parts.append
        short = len(row) < width
        for col in columns:
            value = row[col] if not short or col < len(row) else None
            kind = type(value)
            if kind is int and -_EXACT_INT < value < _EXACT_INT:  # "%.16g" of it is its digits
                append(f'<c r="{letters[col]}{row_idx}" s="{body}" t="n"><v>{value}</v></c>')
                continue  # widths of numbers: from the column's extremes, below
            if kind is float and value - value == 0:  # finite
                append(f'<c r="{letters[col]}{row_idx}" s="{body}" t="n"><v>{value:.16g}</v></c>')
                continue
            if value is None:
                append(f'<c r="{letters[col]}{row_idx}" s="{body}" t="n"/>')
                continue
            if kind is str:
                if not value.isascii():
                    value = normalize("NFC", value)
                value = illegal("", value)
            else:
                value = _value(value)
                if value is None:  # NaN
                    append(f'<c r="{letters[col]}{row_idx}" s="{body}" t="n"/>')
                    continue
            length = _display_len(value)
            if length > lengths[col]:
                lengths[col] = length
            ref = f"{letters[col]}{row_idx}"
            if isinstance(value, str):
                style = wrap if "\n" in value or len(value) > MAX_WIDTH else body
                if not value:
                    append(f'<c r="{ref}" s="{style}" t="inlineStr"/>')
                    continue
                space = ' xml:space="preserve"' if value != value.strip() else ""
                append(f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{value.translate(_XML_TEXT)}'
                       f"</t></is></c>")
            elif isinstance(value, bool):
                append(f'<c r="{ref}" s="{body}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float | Decimal):  # big, infinite, Decimal: as openpyxl writes them
                append(f'<c r="{ref}" s="{body}" t="n"><v>{safe_string(value)}</v></c>')
            else:
                kind = _date_kind(value)
                append(f'<c r="{ref}" s="{dated[kind]}" t="n"><v>{safe_string(to_excel(value, epoch))}</v></c>')
        append("</row>")
        return "".join(parts)

    chunks = []
    for start in range(0, len(rows), _ROWS_PER_CHUNK):
        chunk = rows[start:start + _ROWS_PER_CHUNK]
        chunks.append("".join(render(first_row + start + i, row) for i, row in enumerate(chunk)))

    # Finite ints and floats were skipped above: the longest "%d" / "%.2f" of a column is
    # that of its largest or its smallest value.
    for col in columns:
        column = [row[col] for row in rows if col < len(row)]
        ints = [v for v in column if type(v) is int]
        floats = [v for v in column if type(v) is float and v - v == 0]
        best = lengths[col]
        if ints:
            best = max(best, len(str(max(ints))), len(str(min(ints))))
        if floats:
            best = max(best, _display_len(max(floats)), _display_len(min(floats)))
        lengths[col] = best
    return chunks


def _write_chunk(xf: Any, row: Any, row_idx: int) -> None:
    for element in row[0]:
        xf.write(element)


def _date_kind(value: Any) -> type | None:
    for kind in (datetime.datetime, datetime.date, datetime.time):
        if isinstance(value, kind):
            return kind
    return None
