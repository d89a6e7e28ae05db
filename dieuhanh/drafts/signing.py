"""PAdES signatures on rendered drafts (pyHanko), with PKCS#12 certificates configured by the operator.

``DIEUHANH_SIGNING_CERTS`` (settings ``DRAFTS_SIGNING_CERTS``) lists who has a certificate::

    user:pct.cairang=/etc/dieuhanh/pct.p12=PCT_P12_PASS;unit:ubnd_q_cairang=/etc/dieuhanh/seal.p12=SEAL_PASS

``user:<username>`` is a signer's own certificate, ``unit:<unit code>`` the body's seal (chữ ký số
của cơ quan). The passphrase is never in the settings: the third part names the environment
variable that holds it. Nothing configured: the PDF is not digitally signed, and the page says so.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class Certificate:
    key: str
    path: str
    passphrase_env: str


def configured() -> dict[str, Certificate]:
    raw = getattr(settings, "DRAFTS_SIGNING_CERTS", "") or ""
    found = {}
    for entry in raw.split(";"):
        parts = [p.strip() for p in entry.split("=")]
        if len(parts) >= 2 and parts[0] and parts[1]:
            found[parts[0]] = Certificate(parts[0], parts[1], parts[2] if len(parts) > 2 else "")
    return found


def certificate_for_user(user: Any) -> Certificate | None:
    return configured().get(f"user:{getattr(user, 'username', '')}") if user is not None else None


def certificate_for_unit(unit: Any) -> Certificate | None:
    return configured().get(f"unit:{getattr(unit, 'code', '')}") if unit is not None else None


class SigningError(RuntimeError):
    """The certificate could not be used; the message is in Vietnamese."""


def sign_pdf(data: bytes, certificate: Certificate, *, field: str, reason: str) -> bytes:
    """``data`` with one more PAdES signature (an incremental update: earlier signatures stay valid)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    passphrase = os.environ.get(certificate.passphrase_env, "") if certificate.passphrase_env else ""
    try:
        signer = signers.SimpleSigner.load_pkcs12(pfx_file=certificate.path,
                                                  passphrase=passphrase.encode() if passphrase else None)
    except (OSError, ValueError) as exc:
        raise SigningError(f"Không đọc được chứng thư số {certificate.key}: {exc}") from exc
    if signer is None:
        raise SigningError(f"Không đọc được chứng thư số {certificate.key} (sai mật khẩu hoặc tệp hỏng).")
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(field_name=field, reason=reason, subfilter=SigSeedSubFilter.PADES,
                                        md_algorithm="sha256")
    out = signers.sign_pdf(writer, meta, signer=signer)
    return out.getvalue()


def verify(data: bytes) -> list[dict[str, Any]]:
    """The signatures found in ``data`` (``vanban.signatures``: intact, who, status)."""
    from dieuhanh.vanban.signatures import read_signatures

    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        return read_signatures(handle.name)
