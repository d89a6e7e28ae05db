"""``dieuhanh backup``: the database and the media files in one tar archive.

The archive holds ``database.sqlite3`` (SQLite's online backup API: a consistent copy while
the site keeps running) or ``database.pgdump`` (``pg_dump --format=custom``), every file under
``MEDIA_ROOT`` as ``media/…``, and last ``manifest.json``: the SHA-256 and size of every member,
the versions (dieuhanh, Django, Python, database server, pg_dump) and the last migration of each
app. The archive is written next to ``--out`` and renamed into place only when complete.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.db import connection
from django.utils import timezone

from dieuhanh import __version__
from dieuhanh.ops import Refused

FORMAT = "dieuhanh-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
MEDIA_PREFIX = "media/"
CHUNK = 1 << 20


@dataclass
class BackupResult:
    path: Path
    size: int
    files: int
    seconds: float


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def pg_environment(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore from Django's settings; the password goes by
    environment, never on the command line (``ps`` shows arguments to every user)."""
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def tool_version(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        raise Refused(f"không tìm thấy chương trình {program} (Debian: apt install postgresql-client) "
                      f"({program} not found)")
    out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=False)
    return out.stdout.strip()


def server_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return str(cursor.fetchone()[0])


def applied_migrations() -> dict[str, str]:
    """The last applied migration of each app (by name order, which is how they are numbered)."""
    from django.db.migrations.recorder import MigrationRecorder

    last: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if name > last.get(app, ""):
            last[app] = name
    return dict(sorted(last.items()))


def _dump_database(work: Path) -> tuple[Path, dict[str, Any]]:
    db = settings.DATABASES["default"]
    info: dict[str, Any] = {"vendor": connection.vendor, "server_version": server_version()}
    if connection.vendor == "sqlite":
        target = work / SQLITE_MEMBER
        source = sqlite3.connect(str(db["NAME"]), timeout=30)
        try:
            copy = sqlite3.connect(str(target))
            with copy:
                source.backup(copy, pages=4096)  # in steps: writers are not held off for the whole copy
            copy.close()
        finally:
            source.close()
    elif connection.vendor == "postgresql":
        target = work / PG_MEMBER
        info["pg_dump_version"] = tool_version("pg_dump")
        args, env = pg_environment(db)
        done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target),
                               *args], env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise Refused(f"pg_dump thất bại (pg_dump failed): {done.stderr.strip()[:500]}")
    else:
        raise Refused(f"chưa hỗ trợ sao lưu CSDL loại {connection.vendor} (unsupported database)")
    info["file"] = target.name
    return target, info


def media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _member(tar: tarfile.TarFile, path: Path, name: str, manifest: dict[str, Any]) -> None:
    manifest["files"][name] = {"sha256": sha256_of(path), "size": path.stat().st_size}
    tar.add(str(path), arcname=name, recursive=False)


def make_backup(out: str | os.PathLike[str]) -> BackupResult:
    started = time.perf_counter()
    target = Path(out).expanduser().resolve()
    if target.is_dir():
        raise Refused(f"{target} là thư mục; hãy cho tên tệp, ví dụ {target}/dieuhanh-2026-12-08.tar.gz "
                      "(--out is a directory)")
    if not target.parent.is_dir():
        raise Refused(f"thư mục {target.parent} không tồn tại (no such directory)")
    media_root = Path(settings.MEDIA_ROOT)
    manifest: dict[str, Any] = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "created": timezone.now().isoformat(),
        "versions": {"dieuhanh": __version__, "django": django.get_version(), "python": platform.python_version()},
        "migrations": applied_migrations(), "files": {},
    }
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(fd)
    try:
        with tempfile.TemporaryDirectory(prefix="dieuhanh-backup-") as scratch:
            dump, manifest["database"] = _dump_database(Path(scratch))
            files = media_files(media_root)
            with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
                _member(tar, dump, dump.name, manifest)
                for path in files:
                    _member(tar, path, MEDIA_PREFIX + path.relative_to(media_root).as_posix(), manifest)
                body = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(body), int(time.time()), 0o600
                tar.addfile(info, io.BytesIO(body))
        os.chmod(partial, 0o600)  # the archive holds every document and the password hashes
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return BackupResult(target, target.stat().st_size, len(files), time.perf_counter() - started)
