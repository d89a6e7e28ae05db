"""Convert a DOCX to PDF with LibreOffice (``soffice --headless --convert-to pdf``).

Each call runs LibreOffice with its own throw-away user profile
(``-env:UserInstallation=file:///tmp/…``): two conversions at once would otherwise
fight over the shared profile lock and one would silently produce nothing.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

__all__ = ["PdfConversionError", "docx_to_pdf", "find_soffice"]


class PdfConversionError(RuntimeError):
    """The PDF could not be made; the message is in Vietnamese, fit to show a user."""


def find_soffice() -> str | None:
    """Path of the LibreOffice binary, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx_path: str | os.PathLike[str], out_dir: str | os.PathLike[str], timeout: int = 120) -> Path:
    """Convert ``docx_path`` to ``out_dir/<stem>.pdf`` and return that path.

    Raises PdfConversionError when LibreOffice is missing, times out, fails, or
    writes no PDF."""
    source = Path(docx_path)
    target_dir = Path(out_dir)
    if not source.is_file():
        raise PdfConversionError(f"Không tìm thấy tệp cần chuyển sang PDF: {source}")
    binary = find_soffice()
    if binary is None:
        raise PdfConversionError(
            "Không tìm thấy LibreOffice (lệnh soffice) để chuyển văn bản sang PDF; "
            "hãy cài gói libreoffice-writer trên máy chủ."
        )
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PdfConversionError(f"Không tạo được thư mục lưu tệp PDF: {target_dir}") from exc
    target = target_dir / f"{source.stem}.pdf"
    try:
        target.unlink()  # a stale PDF must not pass for a fresh one
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise PdfConversionError(f"Không ghi đè được tệp PDF cũ: {target}") from exc
    profile = Path(tempfile.mkdtemp(prefix="dieuhanh-lo-"))
    command = [
        binary,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless", "--invisible", "--nologo", "--nodefault", "--nolockcheck", "--norestore",
        "--convert-to", "pdf:writer_pdf_Export",
        "--outdir", str(target_dir.resolve()),
        str(source.resolve()),
    ]
    env = {**os.environ, "HOME": str(profile)}
    try:
        process = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True,
        )
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise PdfConversionError(
                f"LibreOffice không chuyển xong tệp sang PDF sau {timeout} giây; đã dừng quá trình chuyển."
            ) from None
    except OSError as exc:
        raise PdfConversionError(f"Không chạy được LibreOffice ({binary}): {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if process.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
        detail = stderr.decode("utf-8", "replace").strip().splitlines()
        reason = f" ({detail[-1][:200]})" if detail else ""
        raise PdfConversionError(
            f"LibreOffice không chuyển được tệp {source.name} sang PDF (mã lỗi {process.returncode}){reason}."
        )
    return target


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Stop LibreOffice and the helper processes it started (its own session)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    try:
        process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        pass
