"""vanban: read Vietnamese administrative documents (pure Python, no Django).

``parse_file(path)`` and ``parse_text(text)`` return one dict in the schema of the
labelled corpus (header fields, Kính gửi, Nơi nhận, signature, references,
deadlines) plus ``tasks`` (obligations), ``warnings`` (Decree 30 findings) and
``body``. Spans are character offsets into the document text as read (NFC).

``parse_file``/``parse_bytes`` also read scans (OCR), .doc/.odt/.rtf (LibreOffice) and
PDF signatures unless told not to, and add ``signatures``, ``reading``, ``unreadable``
… (``vanban.files``). The reader's own API is in ``vanban.readers``.
"""

from __future__ import annotations

import os
from typing import Any

from dieuhanh.vanban.errors import DocumentReadError, NeedsConversionError, NeedsOCRError, NeedsWorkerError
from dieuhanh.vanban.parser import parse_text

__all__ = ["DocumentReadError", "NeedsConversionError", "NeedsOCRError", "NeedsWorkerError", "parse_bytes",
           "parse_file", "parse_text"]
_FULL = {"ocr": True, "convert": True, "signatures": True}


def parse_file(path: str | os.PathLike[str], **options: Any) -> dict[str, Any]:
    """Read a file of any supported kind and parse it. Raises DocumentReadError.
    ``options`` go to ``readers.read_bytes`` (default: OCR, conversion and signatures on)."""
    from dieuhanh.vanban.files import parse_read
    from dieuhanh.vanban.readers import read_path

    read = read_path(path, **{**_FULL, **options})
    return parse_read(read, source=os.fspath(path))


def parse_bytes(data: bytes, filename: str, **options: Any) -> dict[str, Any]:
    """Parse an uploaded file's bytes. Raises DocumentReadError."""
    from dieuhanh.vanban.files import parse_read
    from dieuhanh.vanban.readers import read_bytes

    read = read_bytes(data, filename, **{**_FULL, **options})
    return parse_read(read, source=filename)
