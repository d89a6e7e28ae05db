"""Read an uploaded document (text, Markdown, DOCX, PDF, scans, images, .doc/.odt/.rtf)
into clean Unicode text.

API (used by ``dieuhanh parse``, the web intake and the background worker)::

    read_bytes(data, name, *, max_bytes=50 MB, ocr=False, convert=False, signatures=False,
               searchable=False, progress=None, max_pages=300, trust_roots=None) -> ReadResult
    read_path(path, **same options) -> ReadResult

* Fast by default, for a web request: a scan raises ``NeedsOCRError`` (with ``pages``),
  a .doc/.odt/.rtf raises ``NeedsConversionError``; both are ``NeedsWorkerError``, so the
  request can stage the upload and let the worker call again with ``ocr=True`` /
  ``convert=True``. ``dieuhanh parse`` does everything at once.
* ``ocr=True``: pages without a text layer are rendered at 300 dpi and read by Tesseract
  (``vanban.ocr``); ``progress(page, pages)`` is called as each page starts, for
  "Đang nhận dạng trang 2/3". ``searchable=True`` also returns ``searchable_pdf``: the
  original PDF with an invisible OCR text layer (or, for images, a PDF of the image
  with one), to store beside the original so search finds words in scans.
* ``signatures=True``: the PDF's digital signatures (``vanban.signatures``): signer,
  signing time and validity against the trust roots in ``trust_roots`` (a folder;
  default ``DIEUHANH_TRUST_ROOTS``).
* Limits: ``max_bytes`` on the file, ``max_pages`` on PDF pages (and ``ocr.MAX_OCR_PAGES``
  on pages to OCR), 10 × ``max_bytes`` unpacked for ZIP-based files, a time and memory cap
  on every external program (``vanban.tools``).

Every failure a user can cause (missing, empty, huge, scanned, encrypted, broken,
hostile or unsupported file) becomes a ``DocumentReadError`` subclass with a Vietnamese
message and a ``code`` (``vanban.errors``); no library exception escapes.
"""

from __future__ import annotations

import io
import logging
import os
import re
import stat
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dieuhanh.lib.vntext import clean
from dieuhanh.vanban import legacy
from dieuhanh.vanban.errors import (
    CorruptFileError,
    DocumentReadError,
    EmptyFileError,
    EncryptedFileError,
    FileTooLargeError,
    NeedsConversionError,
    NeedsOCRError,
    UnsupportedFormatError,
)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_PAGES = 300
# word/document.xml of a 1,000-page report is under 10 MB; parsing is ~50 bytes of
# memory per byte of XML, so this keeps one DOCX under ~1.5 GB.
MAX_DOCX_XML = 30 * 1024 * 1024
Progress = Callable[[int, int], None]

_LEGACY_NAMES = {legacy.TCVN3: "TCVN3 (ABC)", legacy.VNI: "VNI-Windows"}
_IMAGE_EXTS = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"})
_CONVERTIBLE = {".doc": "Word 97-2003 (.doc)", ".odt": "OpenDocument (.odt)", ".rtf": "RTF"}
_UNSUPPORTED_EXTS = {
    ".xls": "Excel 97-2003 (.xls)", ".xlsx": "Excel (.xlsx)",
    ".ppt": "PowerPoint 97-2003 (.ppt)", ".pptx": "PowerPoint (.pptx)",
    ".zip": "tệp nén ZIP", ".rar": "tệp nén RAR", ".7z": "tệp nén 7z",
}
_SAVE_AS_DOCX = "hãy lưu lại dưới dạng .docx hoặc .pdf"
_OCR_IMAGE = "Tệp ảnh cần nhận dạng ký tự (OCR) để đọc nội dung."
_OCR_PDF = "Tệp PDF là bản quét (không có lớp chữ); cần nhận dạng ký tự (OCR) để đọc nội dung."
_QUIET = logging.NullHandler()
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8", "utf-8"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")


@dataclass
class ReadResult:
    """Text of a document, cleaned to NFC, with how it was read."""

    text: str
    format: str  # "text", "markdown", "docx", "pdf", "image", or "doc"/"odt"/"rtf" (converted)
    encoding: str | None = None  # for text files: "utf-8", "cp1258", "tcvn3", ...
    notes: list[str] = field(default_factory=list)
    name: str = field(default="", compare=False)  # the file name given (its number and symbol can help a scan)
    pages: int | None = None  # PDF pages or image frames
    ocr_pages: list[int] = field(default_factory=list)  # pages read by OCR
    pending_ocr_pages: list[int] = field(default_factory=list)  # scanned pages not read (ocr=False)
    ocr_confidence: float | None = None  # mean word confidence of the OCR'd pages, 0–100
    signatures: list[dict[str, Any]] = field(default_factory=list)
    signature_notes: list[str] = field(default_factory=list)  # visible signature notes, out of the text
    stamps: list[str] = field(default_factory=list)  # receiving stamps ("CÔNG VĂN ĐẾN …"), out of the text
    searchable_pdf: bytes | None = None

    @property
    def ocr(self) -> bool:
        return bool(self.ocr_pages)

    def summary(self) -> dict[str, Any]:
        """What the parse JSON carries about the reading (no text, no PDF bytes)."""
        return {
            "format": self.format, "encoding": self.encoding, "pages": self.pages,
            "ocr": {"pages": self.ocr_pages, "confidence": self.ocr_confidence, "engine": "tesseract-vie"}
            if self.ocr_pages else None,
            "pending_ocr_pages": self.pending_ocr_pages, "signatures": self.signatures,
            "stamps": self.stamps, "notes": self.notes,
        }


def read_path(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES, **options: Any) -> ReadResult:
    """Read the file at ``path``; raise DocumentReadError when it cannot be read."""
    target = Path(os.fsdecode(path))
    try:
        info = target.stat()
        if stat.S_ISDIR(info.st_mode):
            raise DocumentReadError(f"Đây là thư mục, không phải tệp: {target}", code="not_a_file")
        if not stat.S_ISREG(info.st_mode):  # FIFOs and devices would block or never end
            raise DocumentReadError(f"Không phải tệp thông thường: {target}", code="not_a_file")
        _check_size(info.st_size, max_bytes)
        with open(target, "rb") as handle:
            data = handle.read(max_bytes + 1)  # +1: notice a file that grew since stat()
    except FileNotFoundError:
        raise DocumentReadError(f"Không tìm thấy tệp: {target}", code="not_found") from None
    except PermissionError:
        raise DocumentReadError(f"Không có quyền đọc tệp: {target}", code="permission") from None
    except (OSError, ValueError) as exc:  # ELOOP, name too long, NUL in the path...
        raise DocumentReadError(f"Không đọc được tệp: {target}", code="unreadable") from exc
    return read_bytes(data, target.name, max_bytes=max_bytes, **options)


def read_bytes(data: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES, ocr: bool = False,
               convert: bool = False, signatures: bool = False, searchable: bool = False,
               progress: Progress | None = None, max_pages: int = DEFAULT_MAX_PAGES,
               trust_roots: str | None = None) -> ReadResult:
    """Read a document given as bytes; ``filename`` supplies the extension hint.
    See the module docstring for the options."""
    name = os.path.basename(filename or "") or "tệp"
    options = _Options(ocr, convert, signatures, searchable, progress, max_pages, trust_roots, max_bytes)
    try:
        result = _read(bytes(data), name, options)
    except DocumentReadError:
        raise
    except MemoryError as exc:
        raise FileTooLargeError(f"Tệp {name} cần quá nhiều bộ nhớ để đọc.") from exc
    except RecursionError as exc:
        raise CorruptFileError(f"Không đọc được tệp {name}: cấu trúc lồng nhau quá sâu.") from exc
    except Exception as exc:  # noqa: BLE001 - hostile files trip library bugs; the user gets a message
        raise CorruptFileError(
            f"Không đọc được tệp {name}: tệp bị hỏng hoặc có cấu trúc lạ ({type(exc).__name__}).",
        ) from exc
    result.name = name
    return result


@dataclass(frozen=True)
class _Options:
    ocr: bool
    convert: bool
    signatures: bool
    searchable: bool
    progress: Progress | None
    max_pages: int
    trust_roots: str | None
    max_bytes: int


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise FileTooLargeError(f"Tệp quá lớn ({_human(size)}); giới hạn là {_human(max_bytes)}.")


def _human(size: int) -> str:
    return f"{size / 1048576:.1f} MB" if size >= 1048576 else f"{size / 1024:.1f} KB"


def _read(data: bytes, name: str, options: _Options) -> ReadResult:
    if not data:
        raise EmptyFileError(f"Tệp rỗng: {name}")
    _check_size(len(data), options.max_bytes)
    ext = os.path.splitext(name)[1].lower()
    kind = _sniff(data, ext, name, options.max_bytes)
    if kind == "pdf":
        return _read_pdf(data, name, options)
    if kind == "docx":
        return _read_docx(data, name)
    if kind == "image":
        return _read_image(data, options)
    if kind in _CONVERTIBLE.values():
        return _read_converted(data, kind, name, options)
    return _read_text(data, kind, name)


def _unsupported(what: str) -> DocumentReadError:
    return UnsupportedFormatError(f"Định dạng {what} chưa được hỗ trợ, {_SAVE_AS_DOCX}.")


def _is_image(data: bytes) -> bool:
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")):
        return True
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return True
    # "BM" alone is too common a text start; also require the header's own file size.
    return data[:2] == b"BM" and len(data) >= 26 and int.from_bytes(data[2:6], "little") == len(data)


def _sniff(data: bytes, ext: str, name: str, max_bytes: int) -> str:
    """Format from magic bytes first, then from the extension; raise for unsupported ones."""
    if data.startswith(b"%PDF-") or (ext == ".pdf" and b"%PDF-" in data[:1024]):
        return "pdf"  # readers tolerate junk before the header; trust that only for .pdf
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _sniff_zip(data, ext, max_bytes)
    if data.startswith(_OLE_MAGIC):
        return _sniff_ole(data, ext)
    if _is_image(data) or ext in _IMAGE_EXTS:
        return "image"
    if data.lstrip()[:5] == b"{\\rtf":
        return _CONVERTIBLE[".rtf"]
    if ext == ".pdf":
        raise CorruptFileError(f"Tệp PDF bị hỏng (không có phần đầu %PDF): {name}")
    if ext == ".docx":
        raise CorruptFileError(f"Tệp DOCX bị hỏng (không phải gói ZIP của Word): {name}")
    if ext in _CONVERTIBLE:
        raise CorruptFileError(f"Tệp {_CONVERTIBLE[ext]} bị hỏng hoặc không đúng định dạng: {name}")
    if ext in _UNSUPPORTED_EXTS:
        raise _unsupported(_UNSUPPORTED_EXTS[ext])
    return "markdown" if ext in (".md", ".markdown") else "text"


def _sniff_zip(data: bytes, ext: str, max_bytes: int) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = [info.filename for info in infos]
            unpacked = sum(info.file_size for info in infos)
            body = max((i.file_size for i in infos if i.filename == "word/document.xml"), default=0)
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names and len(infos) < 10000 else b""
    except Exception as exc:  # noqa: BLE001 - zipfile raises many types on broken archives
        what = "DOCX" if ext == ".docx" else "ZIP"
        raise CorruptFileError(f"Tệp {what} bị hỏng, không mở được.") from exc
    # A zip bomb declares its true sizes; python-docx would inflate them all.
    if unpacked > 10 * max(max_bytes, 1024 * 1024) or len(infos) > 10000 or body > MAX_DOCX_XML:
        raise FileTooLargeError("Tệp nén giải ra quá lớn (có thể là tệp độc hại), không đọc được.")
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        raise _unsupported(_UNSUPPORTED_EXTS[".xlsx"])
    if any(n.startswith("ppt/") for n in names):
        raise _unsupported(_UNSUPPORTED_EXTS[".pptx"])
    if mimetype.startswith(b"application/vnd.oasis.opendocument.text"):
        return _CONVERTIBLE[".odt"]
    if "mimetype" in names:
        raise _unsupported("OpenDocument")
    if ext == ".docx":
        raise CorruptFileError("Tệp DOCX bị hỏng (thiếu phần nội dung word/document.xml).")
    raise _unsupported("tệp nén ZIP")


def _sniff_ole(data: bytes, ext: str) -> str:
    """Old Office files share one container; the stream names tell them apart."""
    def has(stream: str) -> bool:
        return stream.encode("utf-16-le") in data

    if has("EncryptedPackage"):
        raise EncryptedFileError("Tệp Office được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại.")
    if has("Workbook") or (has("Book") and ext == ".xls"):
        raise _unsupported(_UNSUPPORTED_EXTS[".xls"])
    if has("PowerPoint Document"):
        raise _unsupported(_UNSUPPORTED_EXTS[".ppt"])
    if has("WordDocument") or ext == ".doc":
        return _CONVERTIBLE[".doc"]
    raise _unsupported("Office 97-2003")


def _read_converted(data: bytes, kind: str, name: str, options: _Options) -> ReadResult:
    """.doc/.odt/.rtf: LibreOffice makes a DOCX, the DOCX reader reads it."""
    ext = next(e for e, label in _CONVERTIBLE.items() if label == kind)
    if not options.convert:
        raise NeedsConversionError(f"Tệp {kind} cần được chuyển sang DOCX (bằng LibreOffice) trước khi đọc.")
    from dieuhanh.vanban.convert import to_docx

    converted = to_docx(data, ext)
    result = _read_docx(converted, name)
    result.format = ext[1:]
    result.notes.insert(0, f"Đã chuyển tệp {kind} sang DOCX bằng LibreOffice để đọc.")
    return result


def _read_image(data: bytes, options: _Options) -> ReadResult:
    if not options.ocr:
        raise NeedsOCRError(_OCR_IMAGE, pages=1)
    from dieuhanh.vanban import ocr

    document = ocr.ocr_image(data, progress=options.progress, searchable=options.searchable)
    ocr.require_text(document)
    return ReadResult(
        text=clean("\n\n".join(page.text for page in document.pages)), format="image", pages=len(document.pages),
        ocr_pages=[page.number for page in document.pages], ocr_confidence=document.confidence,
        stamps=[s for page in document.pages for s in page.stamps],
        signature_notes=[n for page in document.pages for n in page.signature_notes],
        searchable_pdf=document.searchable_pdf, notes=_ocr_notes(document))


def _ocr_notes(document: Any) -> list[str]:
    notes = [f"Đã nhận dạng ký tự (OCR) {len(document.pages)} trang; độ tin cậy trung bình "
             f"{document.confidence:.0f}/100."]
    turned = [str(p.number) for p in document.pages if p.rotated]
    if turned:
        notes.append("Đã xoay trang bị ngược hoặc nằm ngang: " + ", ".join(turned) + ".")
    return notes


# --- plain text -------------------------------------------------------------------


def _read_text(data: bytes, kind: str, name: str) -> ReadResult:
    text, encoding, notes = _decode_text(data, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    control = len(_CONTROL.findall(text))
    if control > 0.1 * len(text):
        raise DocumentReadError(f"Tệp không phải văn bản: {name}", code="binary")
    if control:
        text = _CONTROL.sub("", text)
        notes.append(f"Đã bỏ {control} ký tự điều khiển hoặc ký tự hỏng.")
    text = clean(text)
    if not text.strip():
        raise EmptyFileError(f"Tệp không có nội dung văn bản: {name}")
    return ReadResult(text=text, format=kind, encoding=encoding, notes=notes)


def _decode_text(data: bytes, name: str) -> tuple[str, str, list[str]]:
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            return _decode_unicode(data[len(bom):], codec, label)
    utf16 = _guess_utf16(data)
    if utf16:
        text, label, notes = _decode_unicode(data, utf16, "utf-16")
        return text, label, [*notes, "Tệp UTF-16 không có BOM."]
    if b"\x00" in data:
        raise DocumentReadError(f"Tệp không phải văn bản: {name}", code="binary")
    try:
        return _decode_unicode(data, "utf-8", "utf-8", strict=True)
    except UnicodeDecodeError:
        pass
    text, encoding = legacy.decode_8bit(data)
    if encoding in _LEGACY_NAMES:
        return text, encoding, [f"Đã chuyển từ bảng mã {_LEGACY_NAMES[encoding]} sang Unicode."]
    return text, encoding, [f"Tệp không phải UTF-8; đã đọc theo bảng mã {encoding}."]


def _decode_unicode(data: bytes, codec: str, label: str, *, strict: bool = False) -> tuple[str, str, list[str]]:
    notes: list[str] = []
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        if strict:
            raise
        text = data.decode(codec, errors="replace")
        notes.append(f"Tệp {label} có byte lỗi; đã thay bằng ký tự �.")
    # Legacy text that was once mis-read as cp1252 and re-saved as Unicode.
    text, encoding = legacy.fix_legacy(text)
    if encoding:
        notes.append(f"Văn bản {label} chứa mã {_LEGACY_NAMES[encoding]}; đã chuyển sang Unicode.")
        return text, encoding, notes
    return text, label, notes


def _guess_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM: NUL high bytes on one side of most ASCII characters."""
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0::2].count(0) / pairs
    odd = sample[1::2].count(0) / pairs
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


# --- DOCX ---------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _R, _TBL, _TR, _TC, _T = (f"{_W}{tag}" for tag in ("p", "r", "tbl", "tr", "tc", "t"))
_SDT, _SDT_CONTENT, _TXBX = f"{_W}sdt", f"{_W}sdtContent", f"{_W}txbxContent"
_INLINE_TEXT = {f"{_W}tab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}
# Skipped subtrees: deleted text of tracked changes, field codes, and the
# fallback copy of text boxes that Word writes for old readers.
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_SKIP = frozenset({f"{_W}del", f"{_W}instrText", f"{_W}delText", f"{_MC}Fallback"})
# A table with at most this many rows and two filled columns is page layout
# (header block, signature block), not data.
_LAYOUT_MAX_ROWS = 4


def _read_docx(data: bytes, name: str) -> ReadResult:
    import docx  # python-docx; imported here so text-only callers need not load lxml

    fonts: set[str] = set()
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = _blocks(document.element.body, fonts)
    except Exception as exc:  # noqa: BLE001 - zip, XML, and package errors all mean "broken"
        raise CorruptFileError(f"Tệp DOCX bị hỏng, không đọc được: {name}") from exc
    text, encoding, notes = _fix_mojibake("\n\n".join(blocks), fonts)
    if not text.strip():
        raise EmptyFileError(f"Tệp DOCX không có nội dung văn bản: {name}")
    return ReadResult(text=text, format="docx", encoding=encoding, notes=notes)


def _fix_mojibake(text: str, fonts: set[str]) -> tuple[str, str | None, list[str]]:
    """Legacy-font text left after run-level conversion (fonts set in styles, or PDFs)."""
    text, encoding = legacy.fix_legacy(text)
    found = sorted(fonts | ({encoding} if encoding else set()))
    notes = [f"Đã chuyển chữ phông {_LEGACY_NAMES[code]} sang Unicode." for code in found]
    return clean(text), (found[0] if found else None), notes


def _run_text(run: Any, boxes: list[Any], fonts: set[str]) -> str:
    """A run's text; runs in legacy fonts (.VnTime → TCVN3, VNI-Times → VNI) converted."""
    parts: list[str] = []
    _walk_paragraph(run, parts, boxes, fonts)
    text = "".join(parts)
    props = run.find(f"{_W}rPr/{_W}rFonts")
    font = "" if props is None else (props.get(f"{_W}ascii") or props.get(f"{_W}hAnsi") or "")
    encoding = {".VN": legacy.TCVN3, "VNI": legacy.VNI}.get(font[:3].upper())
    if encoding is None or not text.strip():
        return text
    fonts.add(encoding)
    text = legacy.decode_legacy(text, encoding)
    # .VnTimeH and its kin draw capitals with the lower-case codes.
    return text.upper() if encoding == legacy.TCVN3 and font.endswith("H") else text


def _blocks(container: Any, fonts: set[str]) -> list[str]:
    """Text blocks of a body, cell or text box, in document order; empty ones skipped.
    ``fonts`` collects the legacy encodings met in run fonts."""
    blocks: list[str] = []
    for child in container.iterchildren():
        if child.tag == _P:
            parts: list[str] = []
            boxes: list[Any] = []
            _walk_paragraph(child, parts, boxes, fonts)
            text = "".join(parts).strip()
            if text:
                blocks.append(text)
            for box in boxes:
                blocks.extend(_blocks(box, fonts))
        elif child.tag == _TBL:
            blocks.extend(_table_blocks(child, fonts))
        elif child.tag == _SDT:
            for content in child.iterchildren(_SDT_CONTENT):
                blocks.extend(_blocks(content, fonts))
    return blocks


def _walk_paragraph(element: Any, parts: list[str], boxes: list[Any], fonts: set[str]) -> None:
    for child in element.iterchildren():
        tag = child.tag
        if tag == _T:
            parts.append(child.text or "")
        elif tag in _INLINE_TEXT:
            parts.append(_INLINE_TEXT[tag])
        elif tag == _R:
            parts.append(_run_text(child, boxes, fonts))
        elif tag == _TXBX:
            boxes.append(child)  # a text box: its own paragraphs, read after this one
        elif isinstance(tag, str) and tag not in _SKIP:
            _walk_paragraph(child, parts, boxes, fonts)


def _table_blocks(table: Any, fonts: set[str]) -> list[str]:
    rows = [["\n".join(_blocks(cell, fonts)) for cell in row.iterchildren(_TC)] for row in table.iterchildren(_TR)]
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        return []
    width = max(len(row) for row in rows)
    filled = [i for i in range(width) if any(i < len(row) and row[i].strip() for row in rows)]
    if len(filled) <= 2 and len(rows) <= _LAYOUT_MAX_ROWS:
        # Layout table (Decree 30 header or signature block): cells read left to
        # right, row by row, each as its own lines, the way the page is read.
        return [cell for row in rows for cell in row if cell.strip()]
    cells = [[" ".join(cell.split()).replace("|", "\\|") for cell in row] for row in rows]
    return ["\n".join("| " + " | ".join(row) + " |" for row in cells)]


# --- PDF ----------------------------------------------------------------------------


def _read_pdf(data: bytes, name: str, options: _Options) -> ReadResult:
    from dieuhanh.vanban import pdf

    with tempfile.TemporaryDirectory(prefix="dieuhanh-pdf-") as work:
        path = os.path.join(work, "input.pdf")
        with open(path, "wb") as handle:
            handle.write(data)
        document = pdf.inspect(path, max_pages=options.max_pages)
        scanned = [page.number for page in document.pages if pdf.needs_ocr(page)]
        if scanned and not options.ocr and len(scanned) == len(document.pages):
            raise NeedsOCRError(_OCR_PDF, pages=len(scanned))
        texts = {page.number: page.text for page in document.pages if page.number not in scanned}
        result = ReadResult(text="", format="pdf", pages=document.page_count,
                            signature_notes=[n for page in document.pages for n in page.signature_notes])
        if scanned and options.ocr:
            _ocr_pdf_pages(path, document, scanned, options, texts, result)
        elif scanned:
            result.pending_ocr_pages = scanned
            result.notes.append("Trang là ảnh quét, chưa nhận dạng ký tự: " + ", ".join(map(str, scanned)) + ".")
        if options.signatures:
            from dieuhanh.vanban.signatures import has_signatures, read_signatures

            if has_signatures(data):
                result.signatures = read_signatures(path, trust_roots=options.trust_roots)
    joined = "\n\n".join(texts[number] for number in sorted(texts) if texts[number].strip())
    if not joined.strip():
        raise EmptyFileError(f"Tệp PDF không có chữ đọc được: {name}")
    text, encoding, legacy_notes = _fix_mojibake(joined, set())
    result.text, result.encoding = text, encoding
    result.notes += legacy_notes
    if document.encrypted:
        result.notes.append("Tệp PDF có đặt quyền hạn chế (mã hoá không cần mật khẩu để đọc).")
    return result


def _ocr_pdf_pages(path: str, document: Any, scanned: list[int], options: _Options, texts: dict[int, str],
                   result: ReadResult) -> None:
    from dieuhanh.vanban import ocr

    extra = {page.number: page.words for page in document.pages if page.number in scanned}
    done = ocr.ocr_pdf(path, scanned, progress=options.progress, extra_words=extra, searchable=options.searchable)
    ocr.require_text(done)
    for page in done.pages:
        texts[page.number] = page.text
    result.ocr_pages = [page.number for page in done.pages]
    result.ocr_confidence = done.confidence
    result.stamps = [stamp for page in done.pages for stamp in page.stamps]
    result.signature_notes += [note for page in done.pages for note in page.signature_notes]
    result.searchable_pdf = done.searchable_pdf
    result.notes += _ocr_notes(done)
