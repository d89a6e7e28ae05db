"""One way to send a stored file to a browser (document, progress-note and report files).

Always a download (``Content-Disposition: attachment`` with the name made safe for a header),
with a type from :mod:`dieuhanh.lib.filetypes` (a stored type is re-checked against the
whitelist; ``None`` → read from the file's first bytes), ``nosniff`` and no shared caching.
With no HTML or SVG type ever sent, a browser has nothing to render in the site's origin
(the site-wide Content-Security-Policy applies as well).
"""

from __future__ import annotations

import re
from typing import Any

from django.http import FileResponse

from dieuhanh.lib.filetypes import served_type, sniff_file

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\\/]+")


def header_filename(name: str | None, fallback: str = "tep") -> str:
    """The last path component without control characters (a header cannot carry a newline)."""
    cleaned = _UNSAFE_NAME.sub(" ", (name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip().strip(".")
    return cleaned[:255] or fallback


def file_download(handle: Any, name: str | None, content_type: str | None = None) -> FileResponse:
    """``handle`` (an open binary file) as a download named ``name``.

    ``content_type``: the type stored at upload; ``None`` reads it from the file itself."""
    filename = header_filename(name)
    kind = served_type(content_type) if content_type is not None else sniff_file(handle, filename)
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=kind)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
