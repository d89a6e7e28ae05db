"""OCR of scanned pages and images, offline: poppler renders, Tesseract reads.

Pipeline for each page (pages run in parallel, one Tesseract thread each, which is
faster than Tesseract's own threads on a small machine):

1. ``pdftoppm -r 300 -gray -hide-annotations``: the page as a 300 dpi grey image.
   Annotations are hidden so the visible note of a digital signature is not read
   as part of the letter; text that was stamped into widgets is taken from the PDF's
   own text layer instead (``extra_words``) and merged by position.
2. Deskew: the angle (±5°) whose rotated rows give the sharpest projection profile.
3. ``tesseract -l vie`` (Debian ``tesseract-ocr-vie``) writing TSV (words with boxes
   and confidences) and, on request, a text-only PDF layer.
4. Orientation: when a page reads badly (mean confidence under 50), Tesseract's OSD
   tells whether it lies on its side or upside down; the page is turned and read again.
5. The words go through ``layout.page_blocks`` (the same reading order as text PDFs);
   the receiving stamp ("CÔNG VĂN ĐẾN", "Số: … Ngày: … Chuyển: …") is taken out of
   the text and kept as a note.

Why not OCRmyPDF: it does 1–4 and grafts a text layer too, but it hands back a PDF,
not the words with boxes and confidences that the reading order, the receiving-stamp
filter and the unreadable-field check need, so Tesseract would run twice; it also
pulls in pikepdf, pdfminer.six, img2pdf and Ghostscript for PDF/A, and it cannot report
progress per page to our worker. The four steps here are short and each is bounded
(``tools.run``).

``make_searchable_pdf`` / ``OcrDocument.searchable_pdf``: the original PDF with an
invisible text layer on each OCR'd page (the original pages, colours and images are
kept; only text is added), so full-text search finds words in scans.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from dieuhanh.vanban import tools
from dieuhanh.vanban.errors import CorruptFileError, FileTooLargeError, NoTextFoundError
from dieuhanh.vanban.layout import Word, page_blocks
from dieuhanh.vanban.pdf import split_signature_notes

DPI = 300
LANG = "vie"
PAGE_TIMEOUT = 120.0
MAX_OCR_PAGES = 60
MAX_IMAGE_PIXELS = 80_000_000  # an A3 page at 600 dpi is 70 million
_LOW_CONFIDENCE = 50.0
_DESKEW_LIMIT = 5.0
_MIN_WORDS = 3
Progress = Callable[[int, int], None]
# "CÔNG VĂN ĐẾN / Số: 1016 / Ngày: 05/9/25 / Chuyển: … / Lưu hồ sơ số: …" stamped by the
# receiving office; its "Số"/"Ngày" are not the document's.
_RECEIVED = re.compile(r"(?i)\bĐ[ẾÊE]N\b|c[ôo]ng\s+v[ăa]n\s+đ[ếe]n|chuy[ểe]n\s*:|l[ưu]u\s+h[ồo]\s+s[ơo]|k[ýy]\s+hi[ệe]u\s+hs")

# A line that only a receiving stamp writes: "CÔNG VĂN ĐẾN", "ĐẾN Số: … Ngày: …",
# "Chuyển: …", "Lưu hồ sơ số", "Số và ký hiệu HS".
_STAMP_LINE = re.compile(r"(?i)c[ôo]ng\s+v[ăa]n\s+đ[ếe]n|^\W*(?:cv\W*)?đ[ếe]n\W*(?:s[ốo]|$)|chuy[ểe]n\s*:"
                         r"|l[ưu]u\s+h[ồo]\s+s[ơo]\s+s[ốo]|k[ýy]\s+hi[ệe]u\s+hs")


@dataclass
class OcrPage:
    number: int
    text: str
    confidence: float  # mean word confidence, 0–100
    words: int
    rotated: int = 0  # degrees turned before reading (orientation)
    skew: float = 0.0  # degrees straightened
    stamps: list[str] = field(default_factory=list)  # receiving-stamp text taken out
    signature_notes: list[str] = field(default_factory=list)  # visible signature notes taken out
    layer: bytes | None = None  # text-only PDF page (for the searchable PDF)
    low_confidence_words: list[str] = field(default_factory=list)


@dataclass
class OcrDocument:
    pages: list[OcrPage]
    searchable_pdf: bytes | None = None

    @property
    def confidence(self) -> float:
        total = sum(p.words for p in self.pages)
        return round(sum(p.confidence * p.words for p in self.pages) / total, 1) if total else 0.0


def available() -> bool:
    return tools.which("tesseract") is not None and tools.which("pdftoppm") is not None


def ocr_pdf(path: str, numbers: Sequence[int], *, progress: Progress | None = None,
            extra_words: dict[int, list[Word]] | None = None, searchable: bool = False,
            workers: int | None = None) -> OcrDocument:
    """Read pages ``numbers`` (from 1) of the PDF at ``path`` by OCR."""
    if len(numbers) > MAX_OCR_PAGES:
        raise FileTooLargeError(
            f"Bản quét có {len(numbers)} trang cần nhận dạng, vượt giới hạn {MAX_OCR_PAGES} trang.",
            code="too_many_pages")
    extra = extra_words or {}
    with tempfile.TemporaryDirectory(prefix="dieuhanh-ocr-") as work:
        def one(index_number: tuple[int, int]) -> OcrPage:
            index, number = index_number
            if progress:
                progress(index + 1, len(numbers))
            image = _render(path, number, work)
            return _read_page(image, number, work, extra.get(number, []), searchable)

        pages = _parallel(one, list(enumerate(numbers)), workers)
    result = OcrDocument(pages=pages)
    if searchable:
        result.searchable_pdf = _graft(path, pages)
    return result


def ocr_image(data: bytes, *, progress: Progress | None = None, searchable: bool = False,
              max_pages: int = MAX_OCR_PAGES) -> OcrDocument:
    """Read an image file (PNG, JPEG, TIFF with several pages, …) by OCR."""
    frames = _frames(data, max_pages)
    with tempfile.TemporaryDirectory(prefix="dieuhanh-ocr-") as work:
        paths = []
        for number, frame in enumerate(frames, start=1):
            target = Path(work) / f"page-{number}.png"
            frame.save(target, dpi=(frame.info.get("dpi") or (DPI, DPI)))
            paths.append(str(target))

        def one(index_path: tuple[int, str]) -> OcrPage:
            index, image = index_path
            if progress:
                progress(index + 1, len(paths))
            return _read_page(image, index + 1, work, [], searchable, full_pdf=searchable)

        pages = _parallel(one, list(enumerate(paths)), None)
    result = OcrDocument(pages=pages)
    if searchable:
        result.searchable_pdf = _unite([p.layer for p in pages if p.layer])
    return result


def _parallel(task, items, workers):  # type: ignore[no-untyped-def]
    workers = workers or max(1, min(len(items), os.cpu_count() or 1))
    if workers == 1 or len(items) == 1:
        return [task(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(task, items))


def _frames(data: bytes, max_pages: int) -> list:  # type: ignore[type-arg]
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        image = Image.open(io.BytesIO(data))
        count = getattr(image, "n_frames", 1)
        if count > max_pages:
            raise FileTooLargeError(f"Tệp ảnh có {count} trang, vượt giới hạn {max_pages} trang.",
                                    code="too_many_pages")
        frames = []
        for index in range(count):
            image.seek(index)
            frame = ImageOps.exif_transpose(image.copy()).convert("L")
            frame.info["dpi"] = image.info.get("dpi")
            frames.append(frame)
        return frames
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise FileTooLargeError("Ảnh quá lớn (quá nhiều điểm ảnh), không nhận dạng được.") from exc
    except (UnidentifiedImageError, OSError, ValueError, EOFError, SyntaxError) as exc:
        raise CorruptFileError("Tệp ảnh bị hỏng hoặc không đúng định dạng, không đọc được.") from exc


# --- one page -----------------------------------------------------------------------------


def _render(path: str, number: int, work: str) -> str:
    prefix = Path(work) / f"page-{number}"
    done = tools.run(["pdftoppm", "-r", str(DPI), "-gray", "-hide-annotations", "-f", str(number), "-l",
                      str(number), "-singlefile", "-png", path, str(prefix)],
                     timeout=PAGE_TIMEOUT, what=f"Dựng ảnh trang {number}")
    image = f"{prefix}.png"
    if done.returncode != 0 or not os.path.exists(image):
        raise CorruptFileError(f"Không dựng được ảnh trang {number} của tệp PDF (tệp hỏng).")
    return image


def _read_page(image: str, number: int, work: str, extra: list[Word], searchable: bool,
               *, full_pdf: bool = False) -> OcrPage:
    from PIL import Image

    with Image.open(image) as opened:
        picture = opened.convert("L")
    picture, skew = deskew(picture)
    straight = f"{image[:-4]}-straight.png"
    picture.save(straight, dpi=(DPI, DPI))
    words, layer = _tesseract(straight, work, searchable, full_pdf)
    rotated = 0
    if _mean(words) < _LOW_CONFIDENCE or len(words) < _MIN_WORDS:
        rotated = _orientation(straight)
        if rotated:
            picture = picture.rotate(-rotated, expand=True)
            picture.save(straight, dpi=(DPI, DPI))
            words, _ = _tesseract(straight, work, False, False)
            layer = None  # a text layer of the turned image would not fit the original page
            extra = []  # the text layer's positions no longer match a turned page
    words += _merge_extra(words, extra, picture.size, skew)
    blocks = page_blocks(words, picture.size[1])
    kept, stamps = split_receiving_stamps(blocks)
    kept, notes = split_signature_notes(kept)
    return OcrPage(number=number, text="\n\n".join("\n".join(b) for b in kept), confidence=round(_mean(words), 1),
                   words=len(words), rotated=rotated, skew=round(skew, 2), stamps=stamps, signature_notes=notes, layer=layer,
                   low_confidence_words=[w.text for w in words if w.conf < _LOW_CONFIDENCE])


def _tesseract(image: str, work: str, searchable: bool, full_pdf: bool) -> tuple[list[Word], bytes | None]:
    base = f"{image[:-4]}-ocr"
    argv = ["tesseract", image, base, "-l", LANG, "--dpi", str(DPI), "--psm", "3"]
    if searchable and not full_pdf:
        argv += ["-c", "textonly_pdf=1"]
    argv += ["tsv", "pdf"] if searchable else ["tsv"]
    done = tools.run(argv, timeout=PAGE_TIMEOUT, what="Nhận dạng ký tự", cwd=work, memory_mb=2048,
                     env={"OMP_THREAD_LIMIT": "1"})
    if done.returncode != 0 or not os.path.exists(f"{base}.tsv"):
        raise CorruptFileError("Không nhận dạng được ảnh trang (Tesseract báo lỗi).")
    with open(f"{base}.tsv", encoding="utf-8", errors="replace") as handle:
        words = parse_tsv(handle.read())
    layer = Path(f"{base}.pdf").read_bytes() if searchable and os.path.exists(f"{base}.pdf") else None
    return words, layer


def parse_tsv(tsv: str) -> list[Word]:
    words: list[Word] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        try:
            left, top, width, height = (int(row[k]) for k in ("left", "top", "width", "height"))
            conf = float(row["conf"])
            int(row.get("block_num") or 0), int(row.get("par_num") or 0), int(row.get("line_num") or 0)
        except (KeyError, TypeError, ValueError):
            continue
        line = (int(row.get("page_num") or 0), int(row.get("block_num") or 0), int(row.get("par_num") or 0),
                int(row.get("line_num") or 0))
        words.append(Word(left, top, left + width, top + height, text, conf, line))
    return words


def _mean(words: Sequence[Word]) -> float:
    weight = sum(len(w.text) for w in words)
    return sum(w.conf * len(w.text) for w in words) / weight if weight else 0.0


def _orientation(image: str) -> int:
    """Degrees clockwise the page must turn to stand upright (0 when unsure)."""
    done = tools.run(["tesseract", image, "-", "--psm", "0"], timeout=60, what="Xác định hướng trang")
    text = done.stdout.decode("utf-8", errors="replace")
    rotate = re.search(r"Rotate:\s*(\d+)", text)
    confidence = re.search(r"Orientation confidence:\s*([\d.]+)", text)
    if not rotate or not confidence or float(confidence.group(1)) < 1.5:
        return 0
    return int(rotate.group(1)) % 360


def deskew(picture):  # type: ignore[no-untyped-def]
    """The page turned straight, and the angle turned (degrees, counter-clockwise).

    The angle maximises the variance of the row sums of a small binarised copy:
    text lines parallel to the rows give sharp peaks and valleys."""
    small = picture.copy()
    small.thumbnail((700, 700))
    ink = small.point(lambda v: 255 if v < 160 else 0)

    def score(angle: float) -> float:
        turned = ink.rotate(angle, resample=0, fillcolor=0)
        rows = turned.resize((1, turned.size[1]), resample=2)  # BOX: one mean per row
        values = list(rows.tobytes())
        mean = sum(values) / len(values)
        return sum((v - mean) ** 2 for v in values)

    best = max((a / 2 for a in range(-10, 11)), key=score)
    best = max((best + a / 10 for a in range(-5, 6)), key=score)
    if abs(best) < 0.15 or abs(best) > _DESKEW_LIMIT:
        return picture, 0.0
    return picture.rotate(best, resample=3, fillcolor=255), best


def _merge_extra(words: list[Word], extra: list[Word], size: tuple[int, int], skew: float) -> list[Word]:
    """Text-layer words (points, e.g. a number stamped at signing) placed on the page
    image (pixels) where no OCR word already is."""
    scale = DPI / 72.0
    cx, cy = size[0] / 2, size[1] / 2
    cos, sin = math.cos(math.radians(skew)), math.sin(math.radians(skew))

    def place(x: float, y: float) -> tuple[float, float]:
        dx, dy = x * scale - cx, y * scale - cy
        return cx + dx * cos + dy * sin, cy - dx * sin + dy * cos

    added: list[Word] = []
    for word in extra:
        x0, y0 = place(word.x0, word.y0)
        x1, y1 = place(word.x1, word.y1)
        box = Word(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1), word.text, 100.0)
        if not any(_overlap(box, other) > 0.3 for other in words):
            added.append(box)
    return added


def _overlap(a: Word, b: Word) -> float:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    if width <= 0 or height <= 0:
        return 0.0
    return width * height / max((a.x1 - a.x0) * (a.y1 - a.y0), 1.0)


def split_receiving_stamps(blocks: list[list[str]]) -> tuple[list[list[str]], list[str]]:
    """Blocks (or, inside longer blocks, lines) without the receiving office's stamp,
    and the stamps' text."""
    kept: list[list[str]] = []
    stamps: list[str] = []
    for block in blocks:
        text = " ".join(block)
        if len(block) <= 6 and len(text) <= 200 and _RECEIVED.search(text):
            stamps.append(text)
            continue
        lines = [line for line in block if not _STAMP_LINE.search(line)]
        stamps += [line for line in block if _STAMP_LINE.search(line)]
        if lines:
            kept.append(lines)
    return kept, stamps


# --- searchable PDF -------------------------------------------------------------------------


def _graft(path: str, pages: list[OcrPage]) -> bytes | None:
    """The original PDF with each OCR'd page's invisible text laid over it."""
    import logging

    from pypdf import PdfReader, PdfWriter, Transformation

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        writer = PdfWriter(clone_from=PdfReader(path))
        for page in pages:
            if not page.layer:
                continue
            layer = PdfReader(io.BytesIO(page.layer)).pages[0]
            target = writer.pages[page.number - 1]
            box = target.cropbox
            sx = float(box.width) / float(layer.mediabox.width)
            sy = float(box.height) / float(layer.mediabox.height)
            op = Transformation().scale(sx, sy).translate(float(box.left), float(box.bottom))
            target.merge_transformed_page(layer, op, over=True)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except Exception:  # noqa: BLE001 - the text is read already; only the copy for search is lost
        return None


def _unite(layers: list[bytes]) -> bytes | None:
    from pypdf import PdfReader, PdfWriter

    if not layers:
        return None
    writer = PdfWriter()
    for layer in layers:
        writer.add_page(PdfReader(io.BytesIO(layer)).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def require_text(document: OcrDocument) -> None:
    """NoTextFoundError when OCR found nothing that reads as text (a photo, a blank page)."""
    letters = sum(ch.isalpha() for page in document.pages for ch in page.text)
    if letters < 20 * len(document.pages) or document.confidence < 30:
        raise NoTextFoundError(
            "Không nhận dạng được chữ trong tệp (ảnh không phải văn bản, trang trắng, hoặc bản quét quá mờ).")
