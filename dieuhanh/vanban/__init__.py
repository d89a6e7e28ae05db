"""vanban: read Vietnamese administrative documents (pure Python, no Django).

``parse_file(path)`` and ``parse_text(text)`` return one dict in the schema of the
labelled corpus (header fields, Kính gửi, Nơi nhận, signature, references,
deadlines) plus ``tasks`` (obligations), ``warnings`` (Decree 30 findings) and
``body``. Spans are character offsets into the document text as read (NFC).
"""

from __future__ import annotations

import os
from typing import Any

from dieuhanh.vanban.errors import DocumentReadError, NeedsOCRError
from dieuhanh.vanban.parser import parse_text

__all__ = ["DocumentReadError", "NeedsOCRError", "parse_bytes", "parse_file", "parse_text"]


def parse_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a .txt/.md/.docx/.pdf file and parse it. Raises DocumentReadError."""
    from dieuhanh.vanban.readers import read_path

    read = read_path(path)
    return parse_text(read.text, source=os.fspath(path))


def parse_bytes(data: bytes, filename: str) -> dict[str, Any]:
    """Parse an uploaded file's bytes. Raises DocumentReadError."""
    from dieuhanh.vanban.readers import read_bytes

    read = read_bytes(data, filename)
    return parse_text(read.text, source=filename)
