"""``dieuhanh restore FILE``: put a ``dieuhanh backup`` archive back into an EMPTY installation.

Everything is checked before anything is written: the archive unpacks safely (no absolute
paths, no ``..``, no links), every member listed in ``manifest.json`` is there with its
SHA-256 and size and nothing else is, the database is of the same kind, and the target
database has no tables and ``MEDIA_ROOT`` no files. Restoring over live data is refused: an
operator who wants to roll back creates a new, empty database and points the settings to it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from dieuhanh.ops import Refused
from dieuhanh.ops.backup import (FORMAT, MANIFEST, MEDIA_PREFIX, PG_MEMBER, SQLITE_MEMBER, media_files,
                                 pg_environment, sha256_of, tool_version)


@dataclass
class RestoreResult:
    files: int
    created: str
    seconds: float
    pending_migrations: bool


def _refuse_non_empty(media_root: Path) -> None:
    tables = connection.introspection.table_names()
    if tables:
        raise Refused(
            f"CSDL đích không trống ({len(tables)} bảng). Chỉ khôi phục vào một cài đặt trống: tạo CSDL mới "
            "(PostgreSQL: createdb) hoặc trỏ SQLITE_PATH tới một tệp chưa có, rồi chạy lại lệnh. "
            "(The target database is not empty; restore only into an empty installation.)")
    if media_files(media_root):
        raise Refused(
            f"Thư mục tệp đính kèm {media_root} không trống. Hãy dùng một thư mục trống (MEDIA_ROOT). "
            "(MEDIA_ROOT is not empty.)")


def _unpack(archive: Path, into: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:*") as tar:
            tar.extractall(into, filter="data")  # refuses absolute paths, "..", devices and outside links
    except (tarfile.TarError, EOFError, OSError) as err:
        raise Refused(f"không đọc được tệp sao lưu {archive} (unreadable archive: {err})") from err
    try:
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise Refused("tệp sao lưu không có manifest.json hợp lệ (no valid manifest)") from err
    if manifest.get("format") != FORMAT:
        raise Refused("đây không phải tệp sao lưu của dieuhanh (not a dieuhanh backup)")
    return manifest


def _verify(root: Path, manifest: dict[str, Any]) -> None:
    listed = manifest.get("files") or {}
    present = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() or p.is_symlink()}
    extra = sorted(present - set(listed) - {MANIFEST})
    if extra:
        raise Refused(f"tệp sao lưu có tệp không ghi trong manifest: {extra[0]} (unlisted member)")
    for name, facts in listed.items():
        path = root / name
        if not path.is_file():
            raise Refused(f"tệp sao lưu thiếu {name} (missing member)")
        if path.stat().st_size != facts.get("size") or sha256_of(path) != facts.get("sha256"):
            raise Refused(f"mã kiểm tra SHA-256 của {name} không khớp: tệp sao lưu bị hỏng hoặc bị sửa "
                          "(checksum mismatch)")


def _restore_sqlite(dump: Path) -> None:
    check = sqlite3.connect(str(dump))
    try:
        verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        check.close()
    if verdict != "ok":
        raise Refused(f"bản sao CSDL SQLite hỏng (integrity_check: {verdict})")
    target = Path(settings.DATABASES["default"]["NAME"])
    connection.close()
    partial = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(dump, partial)
    for suffix in ("-wal", "-shm"):  # of the empty database being replaced
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(partial, target)


def _major(version: str) -> int:
    digits = [w for w in version.replace("(", " ").replace(")", " ").split() if w[:1].isdigit()]
    return int(digits[0].split(".")[0]) if digits else 0


def _restore_postgres(dump: Path, manifest: dict[str, Any]) -> None:
    restore_version = tool_version("pg_restore")
    dumped_by = manifest["database"].get("pg_dump_version", "")
    if _major(restore_version) < _major(dumped_by):
        raise Refused(f"pg_restore ({restore_version}) cũ hơn pg_dump đã tạo bản sao ({dumped_by}); cài "
                      "postgresql-client cùng phiên bản (pg_restore is older than the dump)")
    args, env = pg_environment(settings.DATABASES["default"])
    connection.close()
    done = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                           *args, str(dump)], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise Refused(f"pg_restore thất bại, CSDL không thay đổi (pg_restore failed, nothing restored): "
                      f"{done.stderr.strip()[:500]}")


def _move_media(source: Path, media_root: Path) -> int:
    if not source.is_dir():
        return 0
    moved = 0
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        dest = media_root / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), str(dest))
        moved += 1
    return moved


def _pending_migrations() -> bool:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def restore_backup(archive_name: str | os.PathLike[str]) -> RestoreResult:
    started = time.perf_counter()
    archive = Path(archive_name).expanduser()
    if not archive.is_file():
        raise Refused(f"không tìm thấy tệp sao lưu {archive} (no such file)")
    media_root = Path(settings.MEDIA_ROOT)
    _refuse_non_empty(media_root)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # Unpacked next to MEDIA_ROOT, so the files are moved into place, not copied a second time.
    with tempfile.TemporaryDirectory(prefix=".dieuhanh-restore-", dir=media_root.parent) as scratch:
        root = Path(scratch)
        manifest = _unpack(archive, root)
        _verify(root, manifest)
        vendor = (manifest.get("database") or {}).get("vendor")
        if vendor != connection.vendor:
            raise Refused(f"bản sao lưu là CSDL {vendor}, cài đặt này dùng {connection.vendor}: không khôi phục "
                          "chéo loại CSDL (backup and installation use different databases)")
        if vendor == "sqlite":
            _restore_sqlite(root / SQLITE_MEMBER)
        else:
            _restore_postgres(root / PG_MEMBER, manifest)
        files = _move_media(root / MEDIA_PREFIX.rstrip("/"), media_root)
    return RestoreResult(files=files, created=str(manifest.get("created", "?")),
                         seconds=time.perf_counter() - started, pending_migrations=_pending_migrations())
