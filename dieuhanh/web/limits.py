"""The request-body cap: refuse an oversized body before any of it is read or written.

Without it an anonymous client holding only the login page's csrftoken cookie could make
the server spool hundreds of megabytes to the temporary directory per POST (issue 9):
``CsrfViewMiddleware`` parses the multipart body, files included, before it can refuse.

- A declared ``Content-Length`` above the caller's cap is answered 413 at once, unread.
- A chunked body (no ``Content-Length``; Django would otherwise see it as empty) is read
  here, bounded by the cap, into a spooled buffer that Django then parses.
- The cap is :data:`settings.ANONYMOUS_BODY_MAX_BYTES` for a caller who is neither logged in
  nor holding a valid API token (only small forms are open to them), else one upload
  (``UPLOAD_MAX_BYTES``) plus ``REQUEST_FIELDS_MAX_BYTES`` for the form's other fields.
- :class:`BoundedUploadHandler` stops storing a file once it passes ``UPLOAD_MAX_BYTES``
  and hands the form a stand-in that reports the size, so the form says "too large".

The refused request is flagged in the WSGI environ (:data:`REFUSED_KEY`); the gunicorn hook
in :mod:`dieuhanh.server` then closes the connection instead of reading the rest of the body.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from dieuhanh.documents.intake import human_size

REFUSED_KEY = "dieuhanh.body_refused"
_READ_CHUNK = 64 * 1024


def upload_cap() -> int:
    """The largest body a logged-in user or API token may send."""
    return settings.UPLOAD_MAX_BYTES + settings.REQUEST_FIELDS_MAX_BYTES


def _has_valid_api_token(request: HttpRequest) -> bool:
    from dieuhanh.accounts.models import ApiToken
    from dieuhanh.api.auth import TOKEN_PREFIX

    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return False
    return ApiToken.objects.filter(digest=ApiToken.hash(token), revoked=False, user__is_active=True).exists()


def body_cap(request: HttpRequest) -> int:
    user = getattr(request, "user", None)
    if getattr(user, "is_authenticated", False) or _has_valid_api_token(request):
        return upload_cap()
    return settings.ANONYMOUS_BODY_MAX_BYTES


def too_large_response(request: HttpRequest, limit: int, size: int | None = None) -> HttpResponse:
    request.META[REFUSED_KEY] = True
    if size is None:
        message = _("Dữ liệu gửi lên quá lớn; giới hạn là %(limit)s.") % {"limit": human_size(limit)}
    else:
        message = (_("Dữ liệu gửi lên quá lớn (%(size)s); giới hạn là %(limit)s.")
                   % {"size": human_size(size), "limit": human_size(limit)})
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    return HttpResponse(render_to_string("413.html", {"message": message}, request=request), status=413)


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = _declared_length(request)
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if declared <= settings.ANONYMOUS_BODY_MAX_BYTES and not chunked:
            return self.get_response(request)  # small: no lookup of who is calling
        limit = body_cap(request)
        if declared > limit:
            return too_large_response(request, limit, declared)
        if chunked and not request.META.get("CONTENT_LENGTH"):
            spool = _read_bounded(request, limit)
            if spool is None:
                return too_large_response(request, limit)
            try:
                return self.get_response(request)
            finally:
                spool.close()
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # Form fields beyond DATA_UPLOAD_MAX_MEMORY_SIZE: a 413 that says so, not a bare 400.
        if isinstance(exception, RequestDataTooBig):
            return too_large_response(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return None


def _declared_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # as Django reads it: an unreadable length is an empty body


def _read_bounded(request: HttpRequest, limit: int) -> Any:
    """Read a chunked body of at most ``limit`` bytes into a spooled file that Django then parses;
    None (and nothing kept) when the body is longer."""
    source = request.META["wsgi.input"]
    spool = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE,
                                          dir=settings.FILE_UPLOAD_TEMP_DIR)
    size = 0
    while True:
        chunk = source.read(min(_READ_CHUNK, limit + 1 - size))
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            spool.close()
            return None
        spool.write(chunk)
    spool.seek(0)
    request.META["CONTENT_LENGTH"] = str(size)
    request._stream = LimitedStream(spool, size)  # type: ignore[attr-defined]
    return spool


class OversizedUpload(UploadedFile):
    """Stands in for a file refused past ``UPLOAD_MAX_BYTES``: no content, its size as received."""

    def __init__(self, name: str, content_type: str, size: int, charset: str | None) -> None:
        super().__init__(BytesIO(b""), name, content_type, size, charset)


class BoundedUploadHandler(FileUploadHandler):
    """First in ``FILE_UPLOAD_HANDLERS``: passes chunks on until a file outgrows the limit, then
    drops the partial copy the next handler holds and keeps only the count."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.too_large:
            return None
        if self.received > settings.UPLOAD_MAX_BYTES:
            self.too_large = True
            self._drop_partial_copies()
            return None
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.too_large:
            return None  # the next handler returns the file
        return OversizedUpload(self.file_name or "", self.content_type or "", self.received, self.charset)

    def _drop_partial_copies(self) -> None:
        for handler in getattr(self.request, "upload_handlers", []):
            partial = getattr(handler, "file", None) if handler is not self else None
            if partial is not None and hasattr(partial, "close"):
                partial.close()  # a TemporaryUploadedFile deletes its file on close
