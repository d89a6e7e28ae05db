"""Reading order of a page from its words' boxes (PDF text layers and OCR alike).

A Decree 30 page is laid out in blocks side by side: issuer | Quốc hiệu, "Số: …" |
"…, ngày … tháng … năm …" at the top, "Nơi nhận" | signer at the bottom. A reader
that goes line by line across the page interleaves them ("ỦY BAN NHÂN DÂN CỘNG HÒA
XÃ HỘI…"); one that follows the content stream puts text stamped at signing time
last. This module orders words the way a person reads: a recursive XY cut. The page
is cut across at wide horizontal gaps (more than ``ROW_GAP`` word heights), each
band is cut down at wide vertical gaps (``COLUMN_GAP``) and each part again, until
nothing splits; the leaves are read top to bottom, the columns of a band left to
right, so an issuer stays whole and comes before the motto, as in a Word table.

A band that splits into three or more columns over several lines is a table: it is
read row by row, cells joined with " | " (the DOCX reader writes tables the same way).

Coordinates are in any unit with y growing downwards (PDF points from pdftotext,
pixels from Tesseract). Words drawn twice at almost the same place (fake bold,
text overlaid on a stamp) are read once; a line holding only a page number near the
top or bottom edge is dropped, so sentences run on across pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import median

ROW_GAP = 0.8  # a horizontal gap wider than this many word heights separates bands
COLUMN_GAP = 1.2  # a vertical gap wider than this many word heights separates columns
MIN_TABLE_COLUMNS = 3
_MAX_DEPTH = 40  # enough for any real page; bounds the recursion on hostile ones
_PAGE_NUMBER = re.compile(r"^[-–—\s]*\d{1,4}[-–—\s]*$")


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    conf: float = 100.0  # OCR confidence 0–100; text layers are certain
    line: tuple[int, ...] | None = None  # the OCR engine's own line, when it gives one

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 0.1)


def page_text(words: Sequence[Word], page_height: float | None = None) -> str:
    """The words of one page as text in reading order: lines joined by newlines,
    blocks separated by a blank line."""
    return "\n\n".join("\n".join(block) for block in page_blocks(words, page_height))


def page_blocks(words: Sequence[Word], page_height: float | None = None) -> list[list[str]]:
    """The page's blocks in reading order, each a list of lines."""
    words = _dedupe([w for w in words if w.text.strip()])
    if not words:
        return []
    unit = median(w.height for w in words)
    blocks: list[list[str]] = []
    _cut(words, unit, blocks, 0)
    if page_height:
        blocks = _drop_page_numbers(blocks, words, page_height)
    return [block for block in blocks if block]


def join_line(line: Sequence[Word]) -> str:
    """A line's words with single spaces, except that a number stamped at signing
    time joins the symbol printed after it ("706" + "/UBND-VP7" → "706/UBND-VP7")."""
    parts: list[str] = []
    for index, word in enumerate(line):
        if index and not (word.text.startswith("/") and line[index - 1].text.isdigit()):
            parts.append(" ")
        parts.append(word.text)
    return "".join(parts)


def lines_of(words: Iterable[Word]) -> list[list[Word]]:
    """Words grouped into lines, top to bottom, each sorted left to right. OCR words
    keep the engine's lines; others join the line they overlap most vertically, if
    of a similar height (a tall stamp word must not swallow three lines of text)."""
    groups: dict[object, list[Word]] = {}
    loose: list[Word] = []
    for word in words:
        if word.line is not None:
            groups.setdefault(word.line, []).append(word)
        else:
            loose.append(word)
    lines = list(groups.values()) + _geometric_lines(loose)
    lines.sort(key=lambda line: min((w.y0 + w.y1) / 2 for w in line))
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def _geometric_lines(words: list[Word]) -> list[list[Word]]:
    lines: list[list[Word]] = []
    bands: list[tuple[float, float]] = []
    for word in sorted(words, key=lambda w: (w.y0 + w.y1) / 2):
        middle = (word.y0 + word.y1) / 2
        best = -1
        for index in range(len(lines) - 1, max(len(lines) - 4, -1), -1):  # recent lines only
            top, bottom = bands[index]
            height = bottom - top
            if top <= middle <= bottom and 0.5 * word.height <= height <= 2 * word.height:
                best = index
                break
        if best < 0:
            lines.append([word])
            bands.append((word.y0, word.y1))
        else:
            lines[best].append(word)
    return lines


def _dedupe(words: list[Word]) -> list[Word]:
    seen: dict[tuple[str, int, int], Word] = {}
    for word in words:
        grid = max(word.height / 2, 0.5)
        key = (word.text, round(word.x0 / grid), round(word.y0 / grid))
        if key not in seen:
            seen[key] = word
    return list(seen.values())


def _gaps(intervals: list[tuple[float, float]], minimum: float) -> list[float]:
    """Cut positions: middles of the gaps wider than ``minimum`` in a union of intervals."""
    cuts: list[float] = []
    intervals.sort()
    reach = intervals[0][1]
    for start, end in intervals[1:]:
        if start - reach > minimum:
            cuts.append((start + reach) / 2)
        reach = max(reach, end)
    return cuts


def _split(words: list[Word], cuts: list[float], key) -> list[list[Word]]:  # type: ignore[no-untyped-def]
    parts: list[list[Word]] = [[] for _ in range(len(cuts) + 1)]
    for word in words:
        position = key(word)
        index = sum(position > cut for cut in cuts)
        parts[index].append(word)
    return [part for part in parts if part]


def _cut(words: list[Word], unit: float, blocks: list[list[str]], depth: int) -> None:
    rows = _gaps([(w.y0, w.y1) for w in words], ROW_GAP * unit) if depth < _MAX_DEPTH else []
    if rows:
        for band in _split(words, rows, lambda w: (w.y0 + w.y1) / 2):
            _cut(band, unit, blocks, depth + 1)
        return
    columns = _gaps([(w.x0, w.x1) for w in words], COLUMN_GAP * unit) if depth < _MAX_DEPTH else []
    if not columns:
        blocks.append([join_line(line) for line in lines_of(words)])
        return
    parts = _split(words, columns, lambda w: (w.x0 + w.x1) / 2)
    lines = lines_of(words)
    if len(parts) >= MIN_TABLE_COLUMNS and len(lines) >= 2:
        blocks.append([_table_row(line, columns) for line in lines])
        return
    for part in parts:
        _cut(part, unit, blocks, depth + 1)


def _table_row(line: list[Word], columns: list[float]) -> str:
    cells: list[list[str]] = [[] for _ in range(len(columns) + 1)]
    for word in line:
        cells[sum((word.x0 + word.x1) / 2 > cut for cut in columns)].append(word.text)
    return "| " + " | ".join(" ".join(cell).replace("|", "\\|") for cell in cells) + " |"


def _drop_page_numbers(blocks: list[list[str]], words: list[Word], page_height: float) -> list[list[str]]:
    """Drop a first or last block that is only a page number in the page's margin."""
    top = min(w.y0 for w in words)
    bottom = max(w.y1 for w in words)
    margin = 0.12 * page_height
    kept = list(blocks)
    if kept and len(kept[0]) == 1 and _PAGE_NUMBER.match(kept[0][0]) and top < margin:
        kept = kept[1:]
    if kept and len(kept[-1]) == 1 and _PAGE_NUMBER.match(kept[-1][0]) and bottom > page_height - margin:
        kept = kept[:-1]
    return kept
