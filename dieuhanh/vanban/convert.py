"""Legacy word-processor files (.doc, .odt, .rtf) to DOCX through LibreOffice.

``to_docx(data, name)`` runs ``soffice --headless --convert-to docx`` in a private
temporary folder with its own user profile (``-env:UserInstallation``): LibreOffice
keeps one lock per profile, so two conversions sharing the default profile would
block or hand the file to each other. The child gets a timeout, a memory cap and its
own process group (``tools.run``), so a file LibreOffice chokes on is killed with all
its helpers. The result goes through the DOCX reader, which keeps Word tables (the
Decree 30 header) and text boxes in reading order; converting to DOCX rather than to
plain text is what preserves that structure.

Failures raise ``ConversionError`` (code ``conversion_failed``) with a Vietnamese
message saying what to do (save as .docx or .pdf).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from dieuhanh.vanban import tools
from dieuhanh.vanban.errors import ConversionError

TIMEOUT = 90.0
MEMORY_MB = 2048
_KINDS = {".doc": "Word 97-2003 (.doc)", ".odt": "OpenDocument (.odt)", ".rtf": "RTF", ".docm": "Word (.docm)"}


def to_docx(data: bytes, ext: str, *, timeout: float = TIMEOUT) -> bytes:
    """The DOCX bytes of a .doc/.odt/.rtf file; ConversionError when it cannot be done."""
    kind = _KINDS.get(ext, ext)
    with tempfile.TemporaryDirectory(prefix="dieuhanh-soffice-") as work:
        source = Path(work) / f"input{ext}"
        source.write_bytes(data)
        profile = Path(work) / "profile"
        out = Path(work) / "out"
        argv = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                "--nolockcheck", "--nodefault", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out),
                str(source)]
        done = tools.run(argv, timeout=timeout, what=f"Chuyển đổi tệp {kind}", memory_mb=MEMORY_MB, cwd=work,
                         env={"SAL_USE_VCLPLUGIN": "svp", "HOME": work})
        result = out / "input.docx"
        if done.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
            raise ConversionError(
                f"LibreOffice không mở được tệp {kind} này (tệp hỏng, có mật khẩu hoặc không đúng định dạng); "
                "hãy mở bằng Word rồi lưu lại dưới dạng .docx hoặc .pdf.")
        return result.read_bytes()


def available() -> bool:
    return tools.which("soffice") is not None and os.access(tools.which("soffice") or "", os.X_OK)
