"""Run reading and parsing of an upload in a forked child with time and memory limits.

A hostile or merely huge upload (a 100 KB text that makes the parser quadratic, a DOCX
of empty paragraphs, a PDF that loops) must not take a web worker or the background
worker down. ``run`` forks: the child lowers its address-space limit, does the work and
writes JSON lines to a pipe (progress messages, then one result); the parent reads them
until a wall-clock deadline and kills the child's whole process group (Tesseract,
LibreOffice included) when it passes. Forking costs a few milliseconds, where starting
``python -m …`` would cost 200 ms of imports on every upload.

The child never touches the database: it ends with ``os._exit`` so the connection it
inherited is neither used nor closed under the parent. Every failure comes back as a
``SandboxError`` with a Vietnamese message and a ``code`` (the ``vanban.errors`` codes,
plus ``timeout``, ``memory`` and ``crash``).
"""

from __future__ import annotations

import json
import os
import resource
import select
import signal
import time
import traceback
from collections.abc import Callable
from typing import Any

Emit = Callable[[dict[str, Any]], None]


class SandboxError(Exception):
    """The child failed; ``str()`` is a Vietnamese message for the user."""

    def __init__(self, message: str, code: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.extra = extra

    @property
    def message(self) -> str:
        return str(self.args[0])


def _child(work: Callable[..., Any], args: tuple[Any, ...], out: int, memory_mb: int) -> None:
    os.setpgid(0, 0)  # its own group: the parent kills Tesseract/LibreOffice with it
    soft = memory_mb * 1024 * 1024
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    resource.setrlimit(resource.RLIMIT_AS, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    handle = os.fdopen(out, "w", encoding="utf-8")

    def emit(message: dict[str, Any]) -> None:
        handle.write(json.dumps(message, ensure_ascii=False, default=str) + "\n")
        handle.flush()

    try:
        emit({"ok": work(*args, emit=emit)})
    except MemoryError:
        emit({"error": "memory", "message": "Tệp cần quá nhiều bộ nhớ để đọc; hãy tách nhỏ hoặc lưu lại tệp."})
    except Exception as exc:  # noqa: BLE001 - everything becomes a message for the parent
        message = getattr(exc, "message", None)
        code = getattr(exc, "code", None)
        if not isinstance(message, str) or not isinstance(code, str):
            traceback.print_exc()
            message, code = f"Không đọc được tệp ({type(exc).__name__}).", "crash"
        emit({"error": code, "message": message, "pages": getattr(exc, "pages", 0)})
    handle.close()


def run(work: Callable[..., Any], *args: Any, timeout: float, memory_mb: int,
        on_message: Emit | None = None, on_tick: Callable[[], None] | None = None) -> Any:
    """``work(*args, emit=…)`` in a child; its return value (JSON-able) or SandboxError.
    ``emit(dict)`` in the child calls ``on_message(dict)`` here (progress); ``on_tick()``
    is called about once a second while waiting (the worker renews its lease there)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        status = 0
        try:
            os.close(read_end)
            _child(work, args, write_end, memory_mb)
        except BaseException:  # noqa: BLE001 - never return into the parent's code
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        result = _collect(read_end, pid, timeout, on_message, on_tick)
    finally:
        os.close(read_end)
        _reap(pid)
    return result


def _collect(fd: int, pid: int, timeout: float, on_message: Emit | None,
             on_tick: Callable[[], None] | None) -> Any:
    deadline = time.monotonic() + timeout
    buffer = bytearray()
    final: dict[str, Any] | None = None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            _kill(pid)
            raise SandboxError(f"Đọc tệp quá {timeout:.0f} giây, đã dừng; tệp quá phức tạp hoặc bị hỏng.", "timeout")
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if on_tick is not None:
            on_tick()
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        buffer += chunk
        while (end := buffer.find(b"\n")) >= 0:
            message = json.loads(bytes(buffer[:end]))
            del buffer[:end + 1]
            if "ok" in message or "error" in message:
                final = message
            elif on_message is not None:
                on_message(message)
    if final is None:
        raise SandboxError("Đọc tệp dùng quá bộ nhớ hoặc thời gian cho phép, đã dừng.", "memory")
    if "error" in final:
        raise SandboxError(final.get("message") or "", final["error"], pages=final.get("pages") or 0)
    return final["ok"]


def _kill(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
            return
        except (ProcessLookupError, PermissionError):
            continue


def _reap(pid: int) -> None:
    try:
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done == 0:
            _kill(pid)
            os.waitpid(pid, 0)
    except ChildProcessError:
        pass
