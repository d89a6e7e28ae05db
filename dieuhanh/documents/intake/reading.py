"""The chain's reading step, run inside the sandbox child: bytes → text → parse.

The steps themselves are ``vanban``'s (``readers.read_bytes`` then ``files.parse_read``),
the same ones ``dieuhanh parse`` calls, so the web intake, the API, the worker and the
CLI read a file the same way. Two modes:

* ``fast`` (in a web request): text, Markdown, DOCX and PDFs with a text layer; a scan
  or a .doc/.odt/.rtf stops with ``needs`` = "ocr" / "convert" for the worker, and a
  signed PDF is read but its signatures are left to the worker ("signatures": pyHanko
  alone takes most of a second).
* ``full`` (in the worker): OCR, conversion and signatures, with a progress message per
  OCR'd page.

The result is JSON: ``{"parsed": {…without body…}, "body": str, "needs": str}`` or,
when the fast mode cannot finish, ``{"needs": "ocr"|"convert", "pages": n}``.
"""

from __future__ import annotations

from typing import Any

from dieuhanh.documents.intake.sandbox import Emit
# Imported here, in the parent, so each forked child starts with them loaded (~150 ms saved per upload).
from dieuhanh.vanban.errors import NeedsConversionError, NeedsOCRError
from dieuhanh.vanban.files import parse_read
from dieuhanh.vanban.readers import read_bytes
from dieuhanh.vanban.signatures import has_signatures

FAST = "fast"
FULL = "full"


def read_and_parse(data: bytes, filename: str, mode: str, max_bytes: int, layer_dir: str = "", *,
                   emit: Emit) -> dict[str, Any]:
    """See the module docstring. ``layer_dir``: where the full mode writes the searchable
    PDF of an OCR'd file (named by its SHA-256, returned as ``layer``)."""
    full = mode == FULL

    def progress(page: int, pages: int) -> None:
        emit({"page": page, "pages": pages})

    try:
        read = read_bytes(data, filename, max_bytes=max_bytes, ocr=full, convert=full, signatures=full,
                          searchable=full and bool(layer_dir), progress=progress)
    except NeedsOCRError as exc:
        return {"needs": "ocr", "pages": exc.pages}
    except NeedsConversionError:
        return {"needs": "convert", "pages": 0}
    parsed = parse_read(read, source=filename)
    body = parsed.pop("body", "") or ""
    _evidence_lines(parsed.get("evidence"), read.text)
    needs = "signatures" if not full and read.format == "pdf" and has_signatures(data) else ""
    return {"parsed": parsed, "body": body, "needs": needs, "layer": _write_layer(read.searchable_pdf, layer_dir)}


def _evidence_lines(evidence: Any, text: str) -> None:
    """Spans point into the text as read, which is not kept: note each field's source line now."""
    if not isinstance(evidence, dict):
        return
    for items in evidence.values():
        for item in items if isinstance(items, list) else [items]:
            if not isinstance(item, dict) or isinstance(item.get("line"), str):
                continue
            span = item.get("span")
            try:
                start = int(span[0])  # type: ignore[index]
            except (TypeError, ValueError, IndexError, KeyError):
                continue
            if 0 <= start < len(text):
                begin, end = text.rfind("\n", 0, start) + 1, text.find("\n", start)
                item["line"] = " ".join(text[begin:end if end >= 0 else len(text)].split())[:300]


def _write_layer(pdf: bytes | None, folder: str) -> str:
    if not pdf or not folder:
        return ""
    import hashlib
    import os

    checksum = hashlib.sha256(pdf).hexdigest()
    os.makedirs(folder, exist_ok=True)
    temp = os.path.join(folder, f".part-{checksum}")
    with open(temp, "wb") as out:
        out.write(pdf)
    os.replace(temp, os.path.join(folder, checksum))
    return checksum
