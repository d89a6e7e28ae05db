"""A real installation in a temporary directory, driven through the ``dieuhanh`` command as an
operator would: its own SQLite file or PostgreSQL database, its own MEDIA_ROOT."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

# Media an attachment store can hold: Vietnamese names, nested folders, binary and empty files.
EXTRA_MEDIA = {
    "attachments/ab/Báo cáo tổng kết năm 2025.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 64,
    "reports/2026/12/Kế hoạch số 29-KH-UBND.docx": b"PK\x03\x04" + os.urandom(4096),
    "attachments/empty.txt": b"",
}


def environment(tmp: Path, name: str, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH", "MEDIA_ROOT")}
    env.update(MEDIA_ROOT=str(tmp / f"{name}-media"), DIEUHANH_VAR=str(tmp / "var"), PYTHONPATH=str(REPO))
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env["SQLITE_PATH"] = str(tmp / f"{name}.sqlite3")
    return env


def dieuhanh(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dieuhanh.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=REPO, check=False)


def populate(env: dict[str, str]) -> None:
    """Migrations, the demo (units, users, documents, tasks, reports, audit rows) and extra media."""
    for args in (("manage", "migrate", "-v0"), ("manage", "load_demo")):
        done = dieuhanh(env, *args)
        assert done.returncode == 0, done.stderr
    root = Path(env["MEDIA_ROOT"])
    for name, data in EXTRA_MEDIA.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


def media_of(env: dict[str, str]) -> dict[str, bytes]:
    root = Path(env["MEDIA_ROOT"])
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def sqlite_tables(path: str) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    """Every table's rows, in a stable order."""
    db = sqlite3.connect(path)
    try:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: sorted(db.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    finally:
        db.close()
