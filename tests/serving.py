"""Start a real ``dieuhanh serve`` (gunicorn) on a free local port for the server tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings

LOGIN_PATH = "/tai-khoan/dang-nhap/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_env(tmp_path: Path) -> dict[str, str]:
    """Environment that points the server at the test run's database: the PostgreSQL test
    database itself, or (SQLite's test database lives in memory) a fresh file it migrates."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        return {"DATABASE_URL": f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"}
    return {"SQLITE_PATH": str(tmp_path / "serve.sqlite3")}


@contextlib.contextmanager
def running_server(tmp_path: Path, *args: str, env: dict[str, str] | None = None,
                   ready_timeout: float = 90, probe: bool = True) -> Iterator[str]:
    """``dieuhanh serve`` with ``args`` until the block ends; yields the base URL. Ready means the login
    page answers, or with ``probe=False`` only that the port accepts connections (no request made)."""
    port = free_port()
    log = tmp_path / f"serve-{port}.log"
    full_env = {**os.environ, **database_env(tmp_path), "DIEUHANH_VAR": str(tmp_path / "var"),
                "TWO_FACTOR_REQUIRED_ROLES": "", **(env or {})}
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "dieuhanh.cli", "serve", "--bind", f"127.0.0.1:{port}", *args],
                                env=full_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(proc, base if probe else None, port, ready_timeout, log)
        yield base
    finally:
        stop(proc)


def _wait_ready(proc: subprocess.Popen[bytes], base: str | None, port: int, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"dieuhanh serve exited ({proc.returncode}):\n{log.read_text(errors='replace')}")
        try:
            if base is None:
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
                return
            with urllib.request.urlopen(base + LOGIN_PATH, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"dieuhanh serve not ready in {timeout} s:\n{log.read_text(errors='replace')}")


def stop(proc: subprocess.Popen[Any]) -> None:
    """End the server and its workers (its own process group, started by this test)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
