"""Hostile and broken files: a clear Vietnamese DocumentReadError with a code, in bounded
time and memory; nothing else escapes (issue 9 item 2, issue 10 "Bad input")."""

from __future__ import annotations

import io
import random
import resource
import time
import zipfile

import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw

from dieuhanh.vanban.errors import (
    ConversionError,
    CorruptFileError,
    DocumentReadError,
    EmptyFileError,
    EncryptedFileError,
    FileTooLargeError,
    NoTextFoundError,
)
from dieuhanh.vanban.readers import read_bytes

from .test_readers import seed_docx
from .tools import need

SECONDS = 60  # per file, whatever it holds
_VIETNAMESE = set("ăâđêôơưàáảãạệếềểễọốồổỗộờớởỡợụúùủũứừửữựỷỹýỳỵíìỉĩịéèẻẽ")


def _read(data: bytes, name: str, **options) -> DocumentReadError | None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    try:
        read_bytes(data, name, ocr=True, convert=True, signatures=True, **options)
        error = None
    except DocumentReadError as exc:
        error = exc
    assert time.monotonic() - started < SECONDS
    return error


def _assert_vietnamese(error: DocumentReadError | None, kind: type[DocumentReadError]) -> None:
    assert isinstance(error, kind), repr(error)
    assert error.code and any(ch in _VIETNAMESE for ch in error.message.lower()), error.message


def _pdf(pages: int, text: str = "Ủy ban nhân dân quận Cái Răng") -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=8)
    for _ in range(pages):
        pdf.add_page()
        pdf.cell(0, 5, "page")
    return bytes(pdf.output())


def _raw_pdf(content: bytes, extra: bytes = b"") -> bytes:
    """A minimal hand-built PDF whose page draws ``content``."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R " + extra + b">>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"]
    out = io.BytesIO(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def test_pdf_over_the_page_cap() -> None:
    need("pdftotext")
    _assert_vietnamese(_read(_pdf(500), "dai.pdf"), FileTooLargeError)


def test_twenty_thousand_pages_are_refused_quickly() -> None:
    need("pdftotext")
    kids = b" ".join(b"3 0 R" for _ in range(20000))
    data = _raw_pdf(b"BT /F1 12 Tf 72 720 Td (x) Tj ET").replace(
        b"/Kids [3 0 R] /Count 1", b"/Kids [" + kids + b"] /Count 20000")
    started = time.monotonic()
    error = _read(data, "20000.pdf")
    assert isinstance(error, (FileTooLargeError, CorruptFileError)) and time.monotonic() - started < 20


def test_encrypted_pdf_asks_for_the_password_to_be_removed() -> None:
    need("pdftotext")
    pdf = FPDF()
    pdf.set_encryption(owner_password="chu", user_password="khach")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "secret")
    _assert_vietnamese(_read(bytes(pdf.output()), "khoa.pdf"), EncryptedFileError)


def test_pdf_with_cyclic_references_and_deep_nesting() -> None:
    need("pdftotext", "pdftoppm", "tesseract")
    cyclic = _raw_pdf(b"BT ET").replace(b"/Parent 2 0 R", b"/Parent 3 0 R /Resources 3 0 R")
    nested = _raw_pdf(b"q " * 200000 + b"BT /F1 12 Tf (x) Tj ET" + b" Q" * 200000)
    for data in (cyclic, nested):
        error = _read(data, "vong.pdf")
        assert isinstance(error, DocumentReadError), repr(error)


def test_zip_bomb_in_docx_clothing() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:p/>" * (60 * 1024 * 1024 // 6))
    assert len(out.getvalue()) < 1024 * 1024
    _assert_vietnamese(_read(out.getvalue(), "bom.docx"), FileTooLargeError)


def test_empty_and_oversized_files() -> None:
    _assert_vietnamese(_read(b"", "rong.pdf"), EmptyFileError)
    big = b"%PDF-1.4\n" + bytes(100 * 1024 * 1024)
    _assert_vietnamese(_read(big, "lon.pdf", max_bytes=50 * 1024 * 1024), FileTooLargeError)


def test_doc_that_libreoffice_cannot_open() -> None:
    need("soffice")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "WordDocument".encode("utf-16-le") + bytes(2000)
    error = _read(ole, "hong.doc")
    assert isinstance(error, (ConversionError, CorruptFileError, EmptyFileError)), repr(error)
    assert any(ch in _VIETNAMESE for ch in error.message.lower())


def test_image_of_a_cat_has_no_text() -> None:
    need("tesseract")
    cat = Image.new("RGB", (900, 700), (235, 225, 200))
    draw = ImageDraw.Draw(cat)
    draw.ellipse((250, 200, 650, 600), fill=(150, 110, 60))  # body
    draw.ellipse((330, 80, 570, 320), fill=(160, 120, 70))  # head
    draw.polygon([(350, 140), (380, 20), (430, 110)], fill=(140, 100, 50))  # ears
    draw.polygon([(470, 110), (520, 20), (550, 140)], fill=(140, 100, 50))
    for x in (400, 500):
        draw.ellipse((x - 18, 170, x + 18, 206), fill=(40, 160, 60))  # eyes
    out = io.BytesIO()
    cat.save(out, format="JPEG")
    _assert_vietnamese(_read(out.getvalue(), "meo.jpg"), NoTextFoundError)


# --- fuzz: random and mutated DOCX and PDF bytes ---------------------------------------------


def _mutations(seed_bytes: bytes, rng: random.Random, count: int) -> list[bytes]:
    found = []
    for _ in range(count):
        data = bytearray(seed_bytes)
        for _ in range(rng.randint(1, 30)):
            action = rng.random()
            at = rng.randrange(len(data))
            if action < 0.5:
                data[at] = rng.randrange(256)
            elif action < 0.75:
                del data[at:at + rng.randint(1, 200)]
            else:
                data[at:at] = rng.randbytes(rng.randint(1, 200))
        found.append(bytes(data))
    return found


@pytest.mark.slow
def test_fuzzed_pdf_and_docx_only_raise_document_read_errors() -> None:
    """Seeded: 40 mutated PDFs, 40 mutated DOCX, 20 random blobs. Each read ends within
    its time bound, and the process grows by less than 300 MB over the run."""
    need("pdftotext")
    rng = random.Random(20250220)
    pdf = _pdf(2)
    docx = seed_docx()
    cases = [(d, "f.pdf") for d in _mutations(pdf, rng, 40)] + [(d, "f.docx") for d in _mutations(docx, rng, 40)]
    cases += [(rng.randbytes(rng.randint(1, 5000)), rng.choice(["r.pdf", "r.docx", "r.txt", "r.png"]))
              for _ in range(20)]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for data, name in cases:
        started = time.monotonic()
        try:
            read_bytes(data, name, signatures=True)
        except DocumentReadError as exc:
            assert exc.code and exc.message
        assert time.monotonic() - started < SECONDS
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 300
