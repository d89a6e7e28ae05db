"""Stored files come back with a type read from their bytes, never the client's declared one
(issue 9: the API stored and served back text/html and image/svg+xml)."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dieuhanh.documents.models import Attachment, Document
from dieuhanh.lib import filetypes
from tests.conftest import SHARED

REALFILES = SHARED / "realfiles"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


# --- the whitelist ------------------------------------------------------------------------------------

@pytest.mark.parametrize("head,name,expected", [
    ((REALFILES / "13_706.pdf").read_bytes()[:8192], "13_706.pdf", "application/pdf"),
    ((REALFILES / "13_706.pdf").read_bytes()[:8192], "doi-ten.txt", "application/pdf"),
    ((REALFILES / "06_TB Kết luận họp tập đoàn Sơn Hải.docx").read_bytes()[:8192], "tb.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ((REALFILES / "05_UB- gia han thoi gian to chuc DH.doc").read_bytes()[:8192], "gia-han.doc", "application/msword"),
    (_zip(), "bang.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (_zip(), "bao-cao.pdf", "application/octet-stream"),  # a ZIP is not a PDF because it says so
    (b"\x89PNG\r\n\x1a\n\x00\x00", "scan.png", "image/png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "scan.jpg", "image/jpeg"),
    ("Ủy ban nhân dân quận Cái Răng\nSố: 313/UBND".encode(), "313.txt", "text/plain"),
    (b"ma_don_vi,ten\np_le_binh,Le Binh\n", "don-vi.csv", "text/csv"),
    (HTML, "trang.html", "application/octet-stream"),
    (HTML, "gia-van-ban.txt", "application/octet-stream"),  # markup in a .txt is not served as text
    (SVG, "logo.svg", "application/octet-stream"),
    (SVG, "logo.txt", "application/octet-stream"),
    (b"\xef\xbb\xbf  <?xml version='1.0'?><edXML/>", "goi-tin.txt", "application/octet-stream"),
    (b"MZ\x90\x00", "chuong-trinh.exe", "application/octet-stream"),
    (b"", "rong.txt", "text/plain"),
])
def test_sniff(head: bytes, name: str, expected: str) -> None:
    assert filetypes.sniff(head, name) == expected


def test_served_type_rechecks_stored_values() -> None:
    assert filetypes.served_type("application/pdf") == "application/pdf"
    assert filetypes.served_type("text/plain; charset=utf-8") == "text/plain"
    for bad in ("text/html", "image/svg+xml", "application/xhtml+xml", "text/javascript", "", None):
        assert filetypes.served_type(bad) == "application/octet-stream"


# --- documents, through the API and the web download ------------------------------------------------------

@pytest.mark.parametrize("name,data,declared,stored", [
    ("trang.txt", HTML, "text/html", "application/octet-stream"),
    ("hinh.txt", SVG, "image/svg+xml", "application/octet-stream"),
    ("313-UBND.txt", "Ủy ban nhân dân quận Cái Răng\nSố: 313/UBND\nV/v triển khai kế hoạch".encode(),
     "image/svg+xml", "text/plain"),
    ("13_706.pdf", (REALFILES / "13_706.pdf").read_bytes(), "text/html", "application/pdf"),
])
def test_api_upload_keeps_the_type_of_the_bytes(bearer, client, actors, registers, name, data, declared,
                                                stored) -> None:  # type: ignore[no-untyped-def]
    api = bearer(actors["district_clerk"])
    response = api.post("/api/documents", {"register": registers["district_in"].pk,
                                           "file": SimpleUploadedFile(name, data, declared)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["attachments"][0]["content_type"] == stored
    attachment = Attachment.objects.get(pk=body["attachments"][0]["id"])
    assert attachment.content_type == stored
    again = api.get(f"/api/documents/{body['id']}").json()
    assert again["attachments"][0]["content_type"] == stored
    client.force_login(actors["district_clerk"])
    download = client.get(reverse("documents:attachment", args=[body["id"], attachment.pk]))
    assert download.status_code == 200 and download["Content-Type"] == stored
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == data


def test_a_row_stored_before_the_rule_is_served_as_bytes(client, actors, registers) -> None:  # type: ignore[no-untyped-def]
    from dieuhanh.documents.services import IntakeFile, register_document

    document = register_document(actors["district_clerk"], registers["district_in"], {
        "doc_type": "Công văn", "number_symbol": "1/UBND", "subject": "Thử", "issued_on": date(2020, 3, 2),
        "issuer": "Ủy ban nhân dân quận Cái Răng"}, upload=IntakeFile(HTML, "trang.txt", "text/html"))
    attachment = document.attachments.get()
    Attachment.objects.filter(pk=attachment.pk).update(content_type="text/html")  # as the API used to store it
    client.force_login(actors["district_clerk"])
    download = client.get(reverse("documents:attachment", args=[document.pk, attachment.pk]))
    assert download["Content-Type"] == "application/octet-stream"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert Document.objects.filter(pk=document.pk).exists()
