"""Digital signatures embedded in a PDF: who signed, when, and whether it holds.

Vietnamese offices sign with certificates of the Ban Cơ yếu Chính phủ CA: the leader
signs the text, then the văn thư signs as the agency while stamping the number and
the day. Each signature becomes a dict::

    {"field": "Signature3", "signer": "Ủy ban nhân dân tỉnh Ninh Bình",
     "organization": "Tỉnh Ninh Bình", "unit": "Văn phòng …", "email": None,
     "signed_at": "2024-11-04T10:54:11+07:00", "issuer": "Co quan chung thuc so Chinh phu",
     "status": "valid" | "invalid" | "unknown_issuer" | "error",
     "intact": True, "covers_whole_file": False, "weak_algorithm": "sha1" | None,
     "summary": "Ký số bởi … lúc 10:54 04/11/2024 (chưa xác minh được nơi cấp chứng thư)"}

``status``: ``invalid`` when the signed bytes were changed or the cryptography does not
check; ``valid`` when intact and the certificate chains to a trusted root;
``unknown_issuer`` when intact but no trusted root is known. There is no internet at
run time, so the trust roots are certificate files (PEM or DER) in a local folder:
``DIEUHANH_TRUST_ROOTS`` (or the ``trust_roots`` argument); without it every intact
signature is ``unknown_issuer``. Revocation is not checked (no OCSP/CRL fetching).
SHA-1, which the government CA used until about 2020, is accepted and reported in
``weak_algorithm``.

pyHanko parses the file in a child process (``python -m dieuhanh.vanban.signatures``)
with time and memory caps, like the poppler tools: a hostile PDF cannot hang or bloat
the caller. ``read_signatures`` never raises; a failure is one ``{"status": "error"}``.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta, timezone
import sys
from pathlib import Path
from typing import Any

from dieuhanh.lib.vntext import clean

VIETNAM = timezone(timedelta(hours=7), "ICT")  # no daylight saving
TIMEOUT = 30.0
MEMORY_MB = 1024
_STATUS_TEXT = {
    "valid": "chữ ký hợp lệ",
    "invalid": "chữ ký KHÔNG hợp lệ",
    "unknown_issuer": "chưa xác minh được nơi cấp chứng thư",
    "error": "không kiểm tra được chữ ký",
}


def has_signatures(data: bytes) -> bool:
    """Cheap test before starting a child: signed PDFs carry a /ByteRange."""
    return b"/ByteRange" in data


def read_signatures(path: str, *, trust_roots: str | None = None, timeout: float = TIMEOUT) -> list[dict[str, Any]]:
    """The signatures of the PDF at ``path`` (see the module docstring)."""
    from dieuhanh.vanban import tools
    from dieuhanh.vanban.errors import DocumentReadError

    roots = trust_roots if trust_roots is not None else os.environ.get("DIEUHANH_TRUST_ROOTS", "")
    try:
        done = tools.run([sys.executable, "-m", "dieuhanh.vanban.signatures", path, roots], timeout=timeout,
                         what="Kiểm tra chữ ký số", memory_mb=MEMORY_MB,
                         env={"PYTHONPATH": os.pathsep.join(sys.path)})
    except DocumentReadError as exc:
        return [_error(exc.message)]
    if done.returncode != 0:
        return [_error("không đọc được chữ ký số trong tệp")]
    try:
        found = json.loads(done.stdout.decode("utf-8"))
    except ValueError:
        return [_error("không đọc được chữ ký số trong tệp")]
    return [_with_summary(item) for item in found]


def _error(reason: str) -> dict[str, Any]:
    return {"field": None, "signer": None, "organization": None, "unit": None, "email": None,
            "signed_at": None, "issuer": None, "status": "error", "intact": None,
            "covers_whole_file": None, "weak_algorithm": None, "summary": f"Chữ ký số: {reason}."}


def _with_summary(item: dict[str, Any]) -> dict[str, Any]:
    when = ""
    if item.get("signed_at"):
        from datetime import datetime

        moment = datetime.fromisoformat(item["signed_at"])
        when = f" lúc {moment:%H:%M %d/%m/%Y}"
    who = item.get("signer") or "(không rõ)"
    status = _STATUS_TEXT.get(item.get("status"), "")
    if item.get("status") == "invalid":
        status += ": tệp đã bị sửa sau khi ký" if item.get("intact") is False else ": chữ ký không khớp về mật mã"
    item["summary"] = f"Ký số bởi {who}{when} ({status})"
    return item


# --- the child process ----------------------------------------------------------------


def _load_roots(folder: str) -> list[Any]:
    from asn1crypto import pem, x509

    roots: list[Any] = []
    if not folder or not os.path.isdir(folder):
        return roots
    for path in sorted(Path(folder).iterdir()):
        if not path.is_file() or path.stat().st_size > 1024 * 1024:
            continue
        data = path.read_bytes()
        try:
            blobs = [der for _, _, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
            roots.extend(x509.Certificate.load(blob) for blob in blobs)
        except Exception:  # noqa: BLE001 - a stray file in the folder is skipped
            continue
    return roots


def _name(cert: Any, field: str) -> str | None:
    value = cert.subject.native.get(field)
    if isinstance(value, list):
        value = ", ".join(map(str, value))
    return clean(str(value)) if value else None


def _describe(sig: Any, roots: list[Any]) -> dict[str, Any]:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    cert = sig.signer_cert
    when = sig.self_reported_timestamp
    if when is not None and when.tzinfo is not None:
        when = when.astimezone(VIETNAM)  # shown as the office saw it
    item: dict[str, Any] = {
        "field": sig.field_name, "signer": _name(cert, "common_name"),
        "organization": _name(cert, "organization_name"), "unit": _name(cert, "organizational_unit_name"),
        "email": _name(cert, "email_address"), "signed_at": when.isoformat() if when else None,
        "issuer": clean(str(cert.issuer.native.get("common_name") or "")) or None,
        "status": "error", "intact": None, "covers_whole_file": None, "weak_algorithm": None,
    }
    algorithm = sig.md_algorithm if hasattr(sig, "md_algorithm") else None
    if algorithm in ("sha1", "md5"):
        item["weak_algorithm"] = algorithm
    # Old government certificates hash with SHA-1: judge them anyway, and say so.
    context = ValidationContext(trust_roots=roots, allow_fetching=False, weak_hash_algos=set(),
                                revocation_mode="soft-fail")
    status = validate_pdf_signature(sig, context, context, skip_diff=True)
    item["intact"] = bool(status.intact)
    item["covers_whole_file"] = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    if not (status.intact and status.valid):
        item["status"] = "invalid"
    elif status.trusted:
        item["status"] = "valid"
    else:
        item["status"] = "unknown_issuer"
    return item


def _main(argv: list[str]) -> int:
    import logging
    import warnings

    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    from pyhanko.pdf_utils.reader import PdfFileReader

    path, folder = argv[0], argv[1] if len(argv) > 1 else ""
    roots = _load_roots(folder)
    found: list[dict[str, Any]] = []
    with open(path, "rb") as handle:
        reader = PdfFileReader(handle, strict=False)
        for sig in reader.embedded_signatures[:50]:
            try:
                found.append(_describe(sig, roots))
            except Exception as exc:  # noqa: BLE001 - one broken signature; report the others
                found.append({**_error(type(exc).__name__), "field": getattr(sig, "field_name", None)})
    sys.stdout.write(json.dumps(found, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
