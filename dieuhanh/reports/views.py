"""/bao-cao/: report requests, the units' reports, the consolidated report, outlines and timeliness.

The pages live in four modules (``views_requests``, ``views_submissions``,
``views_consolidation``, ``views_outlines``); this one keeps what they share.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from dieuhanh.tasks.models import TransitionError

# Errors a service raises for the user to read (never a 500).
SERVICE_ERRORS: tuple[type[Exception], ...] = (ValidationError, TransitionError)


def error_texts(exc: Exception) -> list[str]:
    """The Vietnamese messages of a service error."""
    if isinstance(exc, ValidationError):
        return [str(m) for m in exc.messages] or [_("Không thực hiện được.")]
    text = getattr(exc, "message", None) or (str(exc.args[0]) if exc.args else "")
    return [str(text) or _("Không thực hiện được.")]


def flash_errors(request: HttpRequest, exc: Exception) -> None:
    for text in error_texts(exc):
        messages.error(request, text)


def download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def slug_name(text: str, fallback: str = "bao-cao") -> str:
    """An ASCII file name from a Vietnamese title ("Báo cáo quý I" → "bao-cao-quy-i")."""
    import re
    import unicodedata

    plain = unicodedata.normalize("NFKD", (text or "").replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    plain = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:80].strip("-")
    return plain or fallback


def context_user(request: HttpRequest) -> Any:
    return request.user
