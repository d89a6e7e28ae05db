"""Checks of an upload and the register fields a parse pre-fills (nothing is saved here).

``preview_intake`` checks the size and the type, lets ``vanban`` read and parse
the text, and returns the parse with the fields a review form starts from. Every
refusal is a ``ValidationError`` with a Vietnamese message.
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dieuhanh.documents.models import Document, Urgency, normalize_mark
from dieuhanh.documents.storage import sha256
from dieuhanh.vanban import DocumentReadError, NeedsOCRError, parse_text

ALLOWED_EXTENSIONS = (".txt", ".md", ".docx", ".pdf", ".doc", ".odt", ".rtf")
# Scans as images are read by OCR in the worker, like scanned PDFs.
_IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"})
PASTED_NAME = "van-ban-dan.txt"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_INT = 2_147_483_647

# Document fields a clerk reviews; the same names are accepted by the services.
TEXT_FIELDS = ("doc_type", "symbol", "number_symbol", "issuer", "issuer_parent", "place", "subject",
               "signer_authority", "signer_position", "signer_name", "urgency", "secrecy", "body",
               "sender")
LIST_FIELDS = ("recipients", "distribution")
DATE_FIELDS = ("issued_on", "arrived_on", "due_on")
FIELDS = ("doc_type", "number", "symbol", "number_symbol", "issuer", "issuer_parent", "place", "issued_on",
          "subject", "recipients", "distribution", "signer_authority", "signer_position", "signer_name",
          "urgency", "secrecy", "due_on", "arrived_on", "sender", "body")


@dataclass(frozen=True)
class IntakeFile:
    """An uploaded file's bytes and the name it was uploaded under.

    ``content_type`` is what the client declared: kept for callers, never stored nor served
    (the stored type is read from the bytes: ``dieuhanh.lib.filetypes``)."""

    data: bytes
    filename: str
    content_type: str = ""

    @property
    def checksum(self) -> str:
        return sha256(self.data)


def safe_filename(filename: str | None) -> str:
    """The last path component, without control characters, at most 255 characters."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = _CONTROL.sub("", name).strip().strip(".") or "tep"
    stem, ext = os.path.splitext(name)
    return stem[: 255 - len(ext[:20])] + ext[:20]


def human_size(size: int) -> str:
    return f"{size / 1048576:.1f} MB" if size >= 1048576 else f"{size / 1024:.1f} KB"


def check_size(size: int) -> None:
    limit = settings.UPLOAD_MAX_BYTES
    if size > limit:
        raise ValidationError(_("Tệp quá lớn (%(size)s); giới hạn là %(limit)s.")
                              % {"size": human_size(size), "limit": human_size(limit)}, code="too_large")


def _check_extension(name: str) -> None:
    ext = os.path.splitext(name)[1].lower()
    if ext in ALLOWED_EXTENSIONS or ext in _IMAGE_EXTENSIONS:
        return
    raise ValidationError(
        _("Không nhận loại tệp này (%(name)s). Chỉ nhận tệp .txt, .md, .docx, .doc, .odt, .rtf, .pdf "
          "hoặc ảnh quét.") % {"name": name},
        code="wrong_type")


def _raw_source(data: bytes | None, filename: str | None, text: str | None) -> tuple[bytes, str, str]:
    if (data is None) == (text is None):
        raise ValidationError(_("Hãy tải lên một tệp hoặc dán nội dung văn bản (chỉ một trong hai)."),
                              code="source")
    if text is not None:
        if not text.strip():
            raise ValidationError(_("Nội dung dán vào đang trống."), code="empty")
        return text.encode("utf-8"), PASTED_NAME, "text"
    name = safe_filename(filename)
    _check_extension(name)
    if not data:
        raise ValidationError(_("Tệp %(name)s rỗng, không có nội dung.") % {"name": name}, code="empty")
    return bytes(data), name, "file"


def preview_intake(*, data: bytes | None = None, filename: str | None = None,
                   text: str | None = None) -> dict[str, Any]:
    """Read and parse an upload (``data`` + ``filename``) or pasted ``text``; save nothing.

    Returns ``{"kind": "file"|"text", "filename", "size", "checksum", "format",
    "encoding", "notes": [str], "parsed": vanban dict, "fields": review initial values}``.
    Raises ``ValidationError`` (Vietnamese message) for an empty, huge, unsupported,
    corrupt or unreadable source.
    """
    from dieuhanh.vanban.readers import read_bytes

    raw, name, kind = _raw_source(data, filename, text)
    check_size(len(raw))
    try:
        read = read_bytes(raw, name, max_bytes=settings.UPLOAD_MAX_BYTES)
    except NeedsOCRError as exc:
        raise ValidationError(exc.message, code="needs_ocr") from exc
    except DocumentReadError as exc:
        raise ValidationError(exc.message, code=exc.code) from exc
    parsed = parse_text(read.text, source=name)
    return {
        "kind": kind, "filename": name if kind == "file" else None, "size": len(raw), "checksum": sha256(raw),
        "format": read.format, "encoding": read.encoding, "notes": list(read.notes),
        "parsed": parsed, "fields": fields_from_parse(parsed),
    }


def iso_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _text(value: Any, field: str) -> str:
    limit = Document._meta.get_field(field).max_length
    text = " ".join(str(value).split()) if field != "body" and value else str(value or "")
    return text[:limit] if limit else text


def fields_from_parse(parsed: dict[str, Any] | None) -> dict[str, Any]:
    """Initial register fields from a vanban parse (texts cut to the column sizes)."""
    parsed = parsed or {}
    fields: dict[str, Any] = {name: _text(parsed.get(name), name) for name in TEXT_FIELDS if name != "sender"}
    number = parsed.get("number")
    fields["number"] = number if isinstance(number, int) and 0 < number <= _MAX_INT else None
    for name in LIST_FIELDS:
        fields[name] = [" ".join(str(item).split()) for item in parsed.get(name) or [] if str(item).strip()]
    fields["issued_on"] = iso_date(parsed.get("date"))
    fields["urgency"] = normalize_mark(fields.get("urgency"), Urgency)
    # A deadline set for another body (a Bộ's deadline for the Sở) is not the receiving unit's.
    deadlines = sorted(filter(None, (iso_date(d.get("date")) for d in parsed.get("deadlines") or []
                                     if isinstance(d, dict) and not d.get("for_other_body"))))
    fields["due_on"] = deadlines[0] if deadlines else None
    return fields
