"""Parse a file end to end: read (convert, OCR, signatures) → parse → check scan fields.

``parse_read(read)`` is the one place where a ``ReadResult`` meets the text parser, so
``dieuhanh parse``, the web intake and the worker give the same JSON: the parser's
fields plus

* ``signatures``: the PDF's digital signatures (``vanban.signatures``);
* ``reading``: format, pages, OCR pages and confidence, pages still to OCR, receiving
  stamps and reader notes (``ReadResult.summary``);
* ``handwritten``, ``unreadable``, ``filled_from``, ``review_notes``: for OCR'd files,
  the number and date fields that were handwritten, left empty, or taken from the file
  name or the issuer's signature (``vanban.scanfields``); empty otherwise.
"""

from __future__ import annotations

from typing import Any

from dieuhanh.vanban.parser import parse_text
from dieuhanh.vanban.readers import ReadResult


def parse_read(read: ReadResult, source: str | None = None) -> dict[str, Any]:
    parsed = parse_text(read.text, source=source if source is not None else read.name)
    parsed["signatures"] = read.signatures
    parsed["reading"] = read.summary()
    if read.ocr:
        from dieuhanh.vanban.scanfields import review

        review(parsed, read.text, filename=read.name, signatures=read.signatures)
    else:
        parsed.update(handwritten=[], unreadable=[], filled_from={}, review_notes=[])
    return parsed
