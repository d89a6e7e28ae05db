"""The worker renders signed and issued drafts to PDF (LibreOffice), PAdES-signed where a PKCS#12
certificate is configured; otherwise "PDF không được ký số"."""

from __future__ import annotations

import datetime
import os
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from dieuhanh.drafts import services
from dieuhanh.drafts.models import JobState, PdfState, RenderJob
from dieuhanh.drafts.rendering import run_pending
from dieuhanh.reports.pdf import find_soffice
from dieuhanh.tasks import worker
from tests.drafts.conftest import signed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _needs_soffice():  # type: ignore[no-untyped-def]
    if find_soffice() is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("LibreOffice (soffice) is required in CI to render drafts to PDF")
        pytest.skip("LibreOffice (soffice) is not installed")


def _pdftext(data: bytes, tmp_path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()


def make_p12(path, name: str, passphrase: bytes) -> None:  # type: ignore[no-untyped-def]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "UBND quận Cái Răng")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        name.encode(), key, cert, None, serialization.BestAvailableEncryption(passphrase)))


def test_signed_draft_renders_without_a_certificate(draft, actors, tmp_path):
    signed(draft, actors)
    stats = worker.run_once(worker_id="test")
    assert stats.extra.get("rendered") == 1
    draft.refresh_from_db()
    assert draft.pdf_state == PdfState.DONE and not draft.pdf_signed
    assert services.pdf_status(draft) == "PDF không được ký số"
    text = _pdftext(draft.pdf.read(), tmp_path)
    assert "PHÓ CHỦ TỊCH" in text and "Lê Văn Cường" in text and "KT. CHỦ TỊCH" in text
    assert RenderJob.objects.get(draft=draft).state == JobState.DONE
    assert run_pending("test") == 0  # nothing left, nothing claimed twice


def test_certificates_sign_the_pdfs(draft, actors, tmp_path, settings, monkeypatch):
    make_p12(tmp_path / "pct.p12", "Lê Văn Cường", b"mat-khau-pct")
    make_p12(tmp_path / "seal.p12", "Ủy ban nhân dân quận Cái Răng", b"mat-khau-dau")
    monkeypatch.setenv("PCT_P12", "mat-khau-pct")
    monkeypatch.setenv("SEAL_P12", "mat-khau-dau")
    settings.DRAFTS_SIGNING_CERTS = (f"user:pct.cairang={tmp_path / 'pct.p12'}=PCT_P12;"
                                     f"unit:ubnd_q_cairang={tmp_path / 'seal.p12'}=SEAL_P12")
    signed(draft, actors)
    assert run_pending("test") == 1
    draft.refresh_from_db()
    assert draft.pdf_signed and services.pdf_status(draft) == "PDF đã ký số"
    assert "Lê Văn Cường" in draft.pdf_note
    document = services.issue(actors["district_clerk"], draft)
    assert run_pending("test") == 1
    main = document.attachments.get(is_main=True)
    assert main.original_name == "1-UBND-NV.pdf"
    from dieuhanh.drafts.signing import verify

    found = verify(main.file.read())
    assert len(found) == 2 and all(s["intact"] for s in found)
    assert "Số: 01/UBND-NV" in _pdftext(main.file.open("rb").read(), tmp_path)


def test_a_wrong_passphrase_fails_the_job_with_a_message(draft, actors, tmp_path, settings, monkeypatch):
    make_p12(tmp_path / "pct.p12", "Lê Văn Cường", b"dung")
    monkeypatch.setenv("PCT_P12", "sai")
    settings.DRAFTS_SIGNING_CERTS = f"user:pct.cairang={tmp_path / 'pct.p12'}=PCT_P12"
    signed(draft, actors)
    for _ in range(3):
        run_pending("test")
    draft.refresh_from_db()
    job = RenderJob.objects.get(draft=draft)
    assert job.state == JobState.FAILED and "chứng thư số" in job.error
    assert draft.pdf_state == PdfState.FAILED
