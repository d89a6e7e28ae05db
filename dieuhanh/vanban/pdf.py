"""PDF text layers through poppler (``pdfinfo``, ``pdftotext -bbox``, ``pdfimages``).

Why poppler: Vietnamese offices sign PDFs with the Ban Cơ yếu tools (vSignPDF and
its kin), which stamp the number and the day into signature widgets at signing time
("Số: 706 /UBND-VP7", "ngày 04 tháng 11"). Poppler's text output draws widget and
annotation appearances; pypdf, pdfminer.six/pdfplumber and PyMuPDF's ``get_text`` read
the page content only and lose exactly those fields (see ``bench/pdf_libs.py``).
Poppler is also the fastest of them, runs as a separate process (so a hostile file
costs a bounded child, not the web worker: ``tools.run``), and is GPL software we call,
not link. Words come with boxes (``-bbox``) and ``layout.page_text`` puts them in
reading order.

``inspect(path)`` returns the pages with their words, sizes and how much of each is
covered by pictures; ``needs_ocr(page)`` tells a scanned page (a picture with, at most,
the visible note of a digital signature) from a page with a text layer.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from dieuhanh.vanban import tools
from dieuhanh.vanban.errors import CorruptFileError, EmptyFileError, EncryptedFileError, FileTooLargeError
from dieuhanh.vanban.layout import Word, page_blocks

DEFAULT_MAX_PAGES = 300
TEXT_TIMEOUT = 60.0
# A page with fewer letters than this outside signature notes, and mostly picture,
# is a scan.
_MIN_LETTERS = 40
_MIN_PICTURE_COVER = 0.3
_PAGE_RE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD_RE = re.compile(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">(.*?)</word>', re.S)
# The visible note of a Vietnamese digital signature: "Ký bởi: …", "Thời gian ký: …",
# or the signer's name, e-mail and "04.04.2018 14:21:14 +07:00".
_SIGNATURE_NOTE = re.compile(
    r"(?i)\b(?:ký\s+bởi|người\s+ký|thời\s+gian\s+ký|ngày\s+ký|signed\s+by|signature\s+valid)\s*:?"
    r"|\d{1,2}[./-]\d{1,2}[./-]\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s*[+-]\d{2}:?\d{2}"
)


@dataclass
class PdfPage:
    number: int  # from 1
    width: float  # points
    height: float
    words: list[Word] = field(default_factory=list)
    picture_cover: float = 0.0  # share of the page area drawn by images (0–1+)
    blocks: list[list[str]] = field(default_factory=list)  # reading order, notes removed
    signature_notes: list[str] = field(default_factory=list)

    @property
    def letters(self) -> int:
        return sum(ch.isalpha() for block in self.blocks for line in block for ch in line)

    @property
    def text(self) -> str:
        return "\n\n".join("\n".join(block) for block in self.blocks)


@dataclass
class PdfDocument:
    pages: list[PdfPage]
    page_count: int
    encrypted: bool = False


def inspect(path: str, *, max_pages: int = DEFAULT_MAX_PAGES, timeout: float = TEXT_TIMEOUT) -> PdfDocument:
    """Pages, words and picture cover of the PDF at ``path``; DocumentReadError if it
    cannot be opened, is locked, has no page or more than ``max_pages``."""
    count, encrypted = _info(path, timeout)
    if count == 0:
        raise EmptyFileError("Tệp PDF không có trang nào.")
    if count > max_pages:
        raise FileTooLargeError(
            f"Tệp PDF có {count} trang, vượt giới hạn {max_pages} trang; hãy tách phần cần xử lý.",
            code="too_many_pages")
    done = tools.run(["pdftotext", "-bbox", "-enc", "UTF-8", "-q", path, "-"], timeout=timeout,
                     what="Đọc lớp chữ của tệp PDF")
    if done.returncode != 0:
        raise CorruptFileError("Tệp PDF bị hỏng, không đọc được lớp chữ.")
    pages = _pages(done.stdout.decode("utf-8", errors="replace"))
    for number, cover in _picture_cover(path, pages, timeout).items():
        pages[number - 1].picture_cover = cover
    for page in pages:
        page.blocks, page.signature_notes = split_signature_notes(page_blocks(page.words, page.height))
    return PdfDocument(pages=pages, page_count=count, encrypted=encrypted)


def needs_ocr(page: PdfPage) -> bool:
    """A scanned page: mostly picture, and hardly any text besides a signature note."""
    return page.letters < _MIN_LETTERS and (page.picture_cover >= _MIN_PICTURE_COVER or not page.words)


def split_signature_notes(blocks: list[list[str]]) -> tuple[list[list[str]], list[str]]:
    """Blocks without the visible digital-signature notes, and the notes as one line each."""
    kept: list[list[str]] = []
    notes: list[str] = []
    for block in blocks:
        text = " ".join(block)
        if len(block) <= 8 and len(text) <= 400 and _SIGNATURE_NOTE.search(text):
            notes.append(text)
        else:
            kept.append(block)
    return kept, notes


def _info(path: str, timeout: float) -> tuple[int, bool]:
    done = tools.run(["pdfinfo", path], timeout=min(timeout, 30), what="Mở tệp PDF")
    out = done.stdout.decode("utf-8", errors="replace")
    err = done.stderr.decode("utf-8", errors="replace")
    if done.returncode != 0:
        if "password" in err.lower():
            raise EncryptedFileError("Tệp PDF được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại.")
        raise CorruptFileError("Tệp PDF bị hỏng, không mở được.")
    pages = re.search(r"^Pages:\s+(\d+)", out, re.M)
    if not pages:
        raise CorruptFileError("Tệp PDF bị hỏng (không đọc được danh sách trang).")
    return int(pages.group(1)), bool(re.search(r"^Encrypted:\s+yes", out, re.M))


def _pages(xhtml: str) -> list[PdfPage]:
    pages: list[PdfPage] = []
    for number, match in enumerate(_PAGE_RE.finditer(xhtml), start=1):
        page = PdfPage(number=number, width=float(match.group(1)), height=float(match.group(2)))
        for x0, y0, x1, y1, text in _WORD_RE.findall(match.group(3)):
            word = html.unescape(text).strip()
            if word:
                page.words.append(Word(float(x0), float(y0), float(x1), float(y1), word))
        pages.append(page)
    return pages


def _picture_cover(path: str, pages: list[PdfPage], timeout: float) -> dict[int, float]:
    """Share of each page's area drawn by its images, from ``pdfimages -list``
    (pixel size over resolution gives the drawn size in inches)."""
    done = tools.run(["pdfimages", "-list", path], timeout=min(timeout, 30), what="Đọc ảnh trong tệp PDF")
    cover: dict[int, float] = {}
    for line in done.stdout.decode("utf-8", errors="replace").splitlines()[2:]:
        cols = line.split()
        if len(cols) < 14 or cols[2] not in ("image", "stencil") or not cols[0].isdigit():
            continue
        number = int(cols[0])
        try:
            width, height, xppi, yppi = int(cols[3]), int(cols[4]), float(cols[12]), float(cols[13])
        except ValueError:
            continue
        if not (1 <= number <= len(pages)) or xppi <= 0 or yppi <= 0:
            continue
        page = pages[number - 1]
        drawn = (width / xppi * 72) * (height / yppi * 72)
        cover[number] = cover.get(number, 0.0) + drawn / max(page.width * page.height, 1.0)
    return cover
