"""Read an uploaded document (text, Markdown, DOCX, PDF) into clean Unicode text.

Every failure a user can cause (missing, empty, huge, scanned, encrypted, broken
or unsupported file) becomes a ``DocumentReadError`` with a Vietnamese message;
no library exception escapes ``read_bytes`` or ``read_path``.
"""

from __future__ import annotations

import io
import logging
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dieuhanh.lib.vntext import clean
from dieuhanh.vanban import legacy
from dieuhanh.vanban.errors import DocumentReadError, NeedsOCRError

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

_LEGACY_NAMES = {legacy.TCVN3: "TCVN3 (ABC)", legacy.VNI: "VNI-Windows"}
_IMAGE_EXTS = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"})
_UNSUPPORTED_EXTS = {
    ".doc": ".doc (Word 97-2003)", ".xls": "Excel 97-2003 (.xls)", ".xlsx": "Excel (.xlsx)",
    ".ppt": "PowerPoint 97-2003 (.ppt)", ".pptx": "PowerPoint (.pptx)", ".odt": "OpenDocument (.odt)",
    ".rtf": "RTF", ".zip": "tệp nén ZIP", ".rar": "tệp nén RAR", ".7z": "tệp nén 7z",
}
_SAVE_AS_DOCX = "hãy lưu lại dưới dạng .docx hoặc .pdf"
_OCR_IMAGE = "Tệp ảnh cần nhận dạng ký tự (OCR) để đọc nội dung; chức năng này chưa có."
_OCR_PDF = "Tệp PDF là bản quét (không có lớp văn bản); cần nhận dạng ký tự (OCR), chức năng này chưa có."
# Average letters per page below which a PDF is taken to be a scan.
_MIN_LETTERS_PER_PAGE = 20
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


@dataclass(frozen=True)
class ReadResult:
    """Text of a document, cleaned to NFC, with how it was read."""

    text: str
    format: str  # "text", "markdown", "docx" or "pdf"
    encoding: str | None = None  # for text files: "utf-8", "cp1258", "tcvn3", ...
    notes: list[str] = field(default_factory=list)


def read_path(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> ReadResult:
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
    return read_bytes(data, target.name, max_bytes=max_bytes)


def read_bytes(data: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ReadResult:
    """Read a document given as bytes; ``filename`` supplies the extension hint."""
    name = os.path.basename(filename or "") or "tệp"
    try:
        return _read(bytes(data), name, max_bytes)
    except DocumentReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - hostile files trip library bugs; the user gets a message
        raise DocumentReadError(
            f"Không đọc được tệp {name}: tệp bị hỏng hoặc có cấu trúc lạ ({type(exc).__name__}).",
            code="corrupt",
        ) from exc


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise DocumentReadError(f"Tệp quá lớn ({_human(size)}); giới hạn là {_human(max_bytes)}.", code="too_large")


def _human(size: int) -> str:
    return f"{size / 1048576:.1f} MB" if size >= 1048576 else f"{size / 1024:.1f} KB"


def _read(data: bytes, name: str, max_bytes: int) -> ReadResult:
    if not data:
        raise DocumentReadError(f"Tệp rỗng: {name}", code="empty")
    _check_size(len(data), max_bytes)
    ext = os.path.splitext(name)[1].lower()
    kind = _sniff(data, ext, name, max_bytes)
    if kind == "pdf":
        return _read_pdf(data, name)
    if kind == "docx":
        return _read_docx(data, name)
    if kind == "image":
        raise NeedsOCRError(_OCR_IMAGE)
    return _read_text(data, kind, name)


def _unsupported(what: str) -> DocumentReadError:
    return DocumentReadError(f"Định dạng {what} chưa được hỗ trợ, {_SAVE_AS_DOCX}.", code="unsupported")


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
        raise _sniff_ole(data, ext)
    if _is_image(data) or ext in _IMAGE_EXTS:
        return "image"
    if data.lstrip()[:5] == b"{\\rtf":
        raise _unsupported("RTF")
    if ext == ".pdf":
        raise DocumentReadError(f"Tệp PDF bị hỏng (không có phần đầu %PDF): {name}", code="corrupt")
    if ext == ".docx":
        raise DocumentReadError(f"Tệp DOCX bị hỏng (không phải gói ZIP của Word): {name}", code="corrupt")
    if ext in _UNSUPPORTED_EXTS:
        raise _unsupported(_UNSUPPORTED_EXTS[ext])
    return "markdown" if ext in (".md", ".markdown") else "text"


def _sniff_zip(data: bytes, ext: str, max_bytes: int) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
    except Exception as exc:  # noqa: BLE001 - zipfile raises many types on broken archives
        what = "DOCX" if ext == ".docx" else "ZIP"
        raise DocumentReadError(f"Tệp {what} bị hỏng, không mở được.", code="corrupt") from exc
    if unpacked > 10 * max(max_bytes, 1024 * 1024):
        raise DocumentReadError("Tệp nén giải ra quá lớn, không đọc được.", code="too_large")
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        raise _unsupported(_UNSUPPORTED_EXTS[".xlsx"])
    if any(n.startswith("ppt/") for n in names):
        raise _unsupported(_UNSUPPORTED_EXTS[".pptx"])
    if "mimetype" in names:
        raise _unsupported("OpenDocument")
    if ext == ".docx":
        raise DocumentReadError("Tệp DOCX bị hỏng (thiếu phần nội dung word/document.xml).", code="corrupt")
    raise _unsupported("tệp nén ZIP")


def _sniff_ole(data: bytes, ext: str) -> DocumentReadError:
    """Old Office files share one container; the stream names tell them apart."""
    def has(stream: str) -> bool:
        return stream.encode("utf-16-le") in data

    if has("EncryptedPackage"):
        return DocumentReadError("Tệp Office được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại.", code="encrypted")
    if has("Workbook") or (has("Book") and ext == ".xls"):
        return _unsupported(_UNSUPPORTED_EXTS[".xls"])
    if has("PowerPoint Document"):
        return _unsupported(_UNSUPPORTED_EXTS[".ppt"])
    if has("WordDocument"):
        return _unsupported(_UNSUPPORTED_EXTS[".doc"])
    return _unsupported(_UNSUPPORTED_EXTS.get(ext, _UNSUPPORTED_EXTS[".doc"]))


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
        raise DocumentReadError(f"Tệp không có nội dung văn bản: {name}", code="empty")
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
        raise DocumentReadError(f"Tệp DOCX bị hỏng, không đọc được: {name}", code="corrupt") from exc
    text, encoding, notes = _fix_mojibake("\n\n".join(blocks), fonts)
    if not text.strip():
        raise DocumentReadError(f"Tệp DOCX không có nội dung văn bản: {name}", code="empty")
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


def _read_pdf(data: bytes, name: str) -> ReadResult:
    from pypdf import PdfReader

    # pypdf logs every repair it makes; without a handler Python would print them
    # to stderr. The application's own logging configuration still receives them.
    logging.getLogger("pypdf").addHandler(_QUIET)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _decrypt(reader, name)
        pages = list(reader.pages)
    except DocumentReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on broken files
        raise DocumentReadError(f"Tệp PDF bị hỏng, không đọc được: {name}", code="corrupt") from exc
    if not pages:
        raise DocumentReadError(f"Tệp PDF không có trang nào: {name}", code="empty")
    texts, notes, broken = _page_texts(pages)
    letters = sum(ch.isalpha() for text in texts for ch in text)
    if letters < _MIN_LETTERS_PER_PAGE * len(pages):
        # No text layer: a scan has page images; without any, the file is damaged.
        if broken or not any(map(_looks_scanned, pages)):
            raise DocumentReadError(f"Tệp PDF bị hỏng hoặc không có chữ đọc được: {name}", code="corrupt")
        raise NeedsOCRError(_OCR_PDF)
    text, encoding, legacy_notes = _fix_mojibake("\n".join(texts), set())
    return ReadResult(text=text, format="pdf", encoding=encoding, notes=notes + legacy_notes)


def _decrypt(reader: Any, name: str) -> None:
    try:
        opened = reader.decrypt("")  # many "protected" PDFs only restrict printing
    except Exception as exc:  # noqa: BLE001 - e.g. AES without the cryptography package
        raise DocumentReadError(f"Tệp PDF được mã hoá, không giải mã được: {name}", code="encrypted") from exc
    if not opened:
        raise DocumentReadError(f"Tệp PDF được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại: {name}", code="encrypted")


def _looks_scanned(page: Any) -> bool:
    """A page drawn from pictures: image or form XObjects, or an inline image."""
    try:
        found = page["/Resources"].get_object().get("/XObject")
        xobjects = found.get_object() if found is not None else {}
        if any(xobjects[key].get_object().get("/Subtype") in ("/Image", "/Form") for key in xobjects):
            return True
        contents = page.get_contents()
        data = contents.get_data() if contents is not None else b""
        return b"BI" in data and b"ID" in data
    except Exception:  # noqa: BLE001 - damaged resources: nothing usable either
        return False


def _page_texts(pages: list[Any]) -> tuple[list[str], list[str], list[int]]:
    texts: list[str] = []
    broken: list[int] = []
    for number, page in enumerate(pages, start=1):
        try:
            texts.append(page.extract_text() or "")
        except Exception:  # noqa: BLE001 - one bad page should not lose the others
            texts.append("")
            broken.append(number)
    empty = [n for n, text in enumerate(texts, start=1) if not text.strip() and n not in broken]
    notes = []
    if broken:
        notes.append("Không đọc được trang " + ", ".join(map(str, broken)) + ".")
    if empty:
        notes.append("Trang không có lớp văn bản (có thể là ảnh quét): " + ", ".join(map(str, empty)) + ".")
    return texts, notes, broken
