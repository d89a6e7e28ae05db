"""Where document files live.

Attachments go through Django's default storage (``STORAGES["default"]``, the
filesystem under ``MEDIA_ROOT`` unless configured otherwise), named by their
SHA-256: the same file is stored once however often it is registered, and an
uploaded name never becomes a path.

Between the intake steps (upload → review → save) the upload waits in
``MEDIA_ROOT/tmp/<sha256>``; a file left there by an abandoned review is swept
after a day.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage

_HEX64 = re.compile(r"[0-9a-f]{64}")
STAGE_MAX_AGE = 24 * 3600


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _storage() -> Storage:
    from dieuhanh.documents.models import Attachment

    return Attachment._meta.get_field("file").storage


def blob_name(checksum: str) -> str:
    return f"attachments/{checksum[:2]}/{checksum}"


def store_blob(data: bytes, checksum: str, created: list[str]) -> str:
    """Store ``data`` under its checksum (once); names written now are appended to ``created``."""
    storage = _storage()
    name = blob_name(checksum)
    if storage.exists(name):
        return name
    saved = storage.save(name, ContentFile(data))
    created.append(saved)
    return saved


def discard(names: Iterable[str]) -> None:
    """Remove files written by a failed registration (best effort)."""
    storage = _storage()
    for name in names:
        with contextlib.suppress(OSError):
            storage.delete(name)


# --- staging between the intake steps -------------------------------------------------


def stage_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "tmp"


def _stage_path(checksum: str) -> Path:
    if not _HEX64.fullmatch(checksum or ""):
        raise ValueError("not a sha256 checksum")
    return stage_dir() / checksum


def stage(data: bytes) -> str:
    """Keep ``data`` for the review step; returns its checksum (the file's name)."""
    checksum = sha256(data)
    target = _stage_path(checksum)
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_stage()
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return checksum


def staged(checksum: str) -> bytes | None:
    """The staged bytes, or ``None`` when gone (swept, already saved) or altered."""
    try:
        data = _stage_path(checksum).read_bytes()
    except (OSError, ValueError):
        return None
    return data if sha256(data) == checksum else None


def unstage(checksum: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        _stage_path(checksum).unlink()


def sweep_stage(max_age: int = STAGE_MAX_AGE) -> None:
    """Delete staged files older than ``max_age`` seconds."""
    limit = time.time() - max_age
    with contextlib.suppress(OSError):
        for entry in os.scandir(stage_dir()):
            with contextlib.suppress(OSError):
                if entry.is_file() and entry.stat().st_mtime < limit:
                    os.unlink(entry.path)
