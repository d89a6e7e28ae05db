"""The content type a stored file is served with: read from its bytes, from a short whitelist.

A client's declared type (``Content-Type`` of a multipart part) is never trusted: an
"image/svg+xml" or "text/html" upload served back as such runs script in the site's origin.
The type comes from the file's first bytes (its magic number), the name's extension only
telling apart formats that share a container (DOCX / XLSX / ODT are ZIP files, DOC / XLS are
OLE2 files). Anything else is ``application/octet-stream``. Text is served as text/plain or
text/csv only when it has no NUL byte and does not open like HTML or XML markup.

Plain Python (no Django): the documents, tasks and reports apps call it on upload and on
download (:func:`served_type` re-checks a stored type, for rows stored before this rule).
"""

from __future__ import annotations

import os

OCTET_STREAM = "application/octet-stream"
SNIFF_BYTES = 8192

PDF = "application/pdf"
ZIP_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".zip": "application/zip",
}
OLE_TYPES = {".doc": "application/msword", ".xls": "application/vnd.ms-excel",
             ".ppt": "application/vnd.ms-powerpoint"}
IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
WEBP, BMP = "image/webp", "image/bmp"
TEXT_TYPES = {".txt": "text/plain", ".md": "text/plain", ".csv": "text/csv"}
# Markup a browser could render if it ever ignored the declared type (old engines sniffed).
MARKUP_OPENINGS = (b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml", b"<iframe", b"<!--")

SAFE_TYPES = frozenset({PDF, *ZIP_TYPES.values(), *OLE_TYPES.values(), *(t for _m, t in IMAGE_MAGIC), WEBP, BMP,
                        *TEXT_TYPES.values(), OCTET_STREAM})


def _extension(name: str) -> str:
    return os.path.splitext(name or "")[1].lower()


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    opening = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return not opening.startswith(MARKUP_OPENINGS)


def sniff(head: bytes, name: str = "") -> str:
    """The safe content type of a file whose first bytes are ``head`` (name: for containers)."""
    ext = _extension(name)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return ZIP_TYPES.get(ext, OCTET_STREAM)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE_TYPES.get(ext, OCTET_STREAM)
    for magic, content_type in IMAGE_MAGIC:
        if head.startswith(magic):
            return content_type
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"BM") and ext == ".bmp":
        return BMP
    if ext in TEXT_TYPES and _looks_like_text(head[:SNIFF_BYTES]):
        return TEXT_TYPES[ext]
    return OCTET_STREAM


def sniff_file(handle: object, name: str = "") -> str:
    """:func:`sniff` on an open binary file (its position is put back)."""
    tell, seek, read = (getattr(handle, attr, None) for attr in ("tell", "seek", "read"))
    if read is None:
        return OCTET_STREAM
    start = tell() if tell is not None else None
    head = read(SNIFF_BYTES) or b""
    if seek is not None and start is not None:
        seek(start)
    return sniff(head if isinstance(head, bytes) else b"", name)


def served_type(stored: str | None) -> str:
    """A stored type if it is one of ours, else ``application/octet-stream``."""
    value = (stored or "").split(";")[0].strip().lower()
    return value if value in SAFE_TYPES else OCTET_STREAM
