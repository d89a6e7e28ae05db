"""Run the system programs the readers rely on, with bounded time and memory.

Poppler (pdfinfo, pdftotext, pdftoppm, pdfimages, pdfunite), Tesseract and LibreOffice
are C/C++ programs fed with files from strangers. Each runs in its own process
group with an address-space cap (RLIMIT_AS), a CPU-time cap and a wall-clock timeout;
on timeout the whole group is killed (LibreOffice forks). ``run`` turns every way
this can fail into a ``DocumentReadError`` subclass with a Vietnamese message.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from dieuhanh.vanban.errors import ReadTimeoutError, ToolMissingError

# What each program is for and which Debian package brings it (for the message).
PACKAGES = {
    "pdfinfo": "poppler-utils", "pdftotext": "poppler-utils", "pdftoppm": "poppler-utils",
    "pdfimages": "poppler-utils", "pdfunite": "poppler-utils",
    "tesseract": "tesseract-ocr tesseract-ocr-vie", "soffice": "libreoffice-writer-nogui",
}
DEFAULT_MEMORY_MB = 1024


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout: bytes
    stderr: bytes


def which(program: str) -> str | None:
    return shutil.which(program)


def require(program: str) -> str:
    """Full path of ``program``; ToolMissingError with the package to install if absent."""
    path = which(program)
    if path is None:
        package = PACKAGES.get(program, program)
        raise ToolMissingError(
            f"Máy chủ chưa cài chương trình {program} (gói Debian {package}); "
            "hãy báo quản trị hệ thống."
        )
    return path


def _limits(memory_mb: int, cpu_seconds: int):  # type: ignore[no-untyped-def]
    def apply() -> None:  # runs in the child between fork and exec
        os.setsid()
        memory = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def run(argv: Sequence[str], *, timeout: float, what: str, memory_mb: int = DEFAULT_MEMORY_MB,
        input: bytes | None = None, cwd: str | None = None, env: dict[str, str] | None = None) -> Completed:
    """Run ``argv``; raise ReadTimeoutError after ``timeout`` seconds (``what`` names the
    step in the message). A non-zero exit is returned, not raised: callers know what
    each program's codes mean."""
    program = require(argv[0])
    base_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": cwd or "/tmp",
                "OMP_THREAD_LIMIT": "1"}  # Tesseract: threads only slow it down on shared cores
    base_env.update(env or {})
    try:
        proc = subprocess.Popen(
            [program, *argv[1:]], stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=base_env,
            preexec_fn=_limits(memory_mb, int(timeout) + 1),  # noqa: PLW1509 - no threads touch rlimits
        )
    except OSError as exc:
        raise ToolMissingError(f"Không chạy được chương trình {argv[0]}: {exc.strerror}.") from exc
    try:
        stdout, stderr = proc.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise ReadTimeoutError(f"{what} quá {timeout:.0f} giây, đã dừng; tệp quá phức tạp hoặc bị hỏng.") from None
    except BaseException:
        _kill_group(proc)
        raise
    if proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL) and proc.returncode != 0:
        raise ReadTimeoutError(f"{what} dùng quá thời gian hoặc bộ nhớ cho phép, đã dừng.")
    return Completed(proc.returncode, stdout, stderr)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.communicate(timeout=5)
    except (subprocess.TimeoutExpired, ValueError, OSError):
        pass
