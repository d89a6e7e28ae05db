"""POST /api/documents: parse an upload and file it through register_document."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dieuhanh.accounts.models import AuditLog
from dieuhanh.documents.models import Document

pytestmark = pytest.mark.django_db


def upload(name, data, content_type="text/plain"):  # type: ignore[no-untyped-def]
    return SimpleUploadedFile(name, data, content_type)


@pytest.fixture
def plan(registers):  # type: ignore[no-untyped-def]
    from datetime import date

    from tests.search.conftest import make_document

    return make_document(registers["district_in"], doc_type="Kế hoạch", number=29, symbol="KH-UBND",
                         number_symbol="29/KH-UBND", issuer="Ủy ban nhân dân thành phố Cần Thơ",
                         issued_on=date(2020, 2, 27), subject="tổng kết công tác cải cách hành chính", reg_number=1)


def test_clerk_files_the_seed(bearer, actors, registers, plan, seed_bytes):
    api = bearer(actors["district_clerk"])
    response = api.post("/api/documents", {"register": registers["district_out"].pk,
                                           "file": upload("313-UBND.txt", seed_bytes)})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["number_symbol"] == "313/UBND" and data["issued_on"] == "2020-03-02"
    assert data["direction"] == "di" and data["owner_unit"] == "ubnd_q_cairang"
    assert data["attachments"][0]["name"] == "313-UBND.txt"
    cited = {c["number_symbol"].replace(" ", ""): c["cited_id"] for c in data["citations"]}
    assert cited["29/KH-UBND"] == plan.pk
    document = Document.objects.get(pk=data["id"])
    assert document.created_by == actors["district_clerk"]
    assert AuditLog.objects.filter(object_type="documents.document", object_id=str(document.pk)).exists()
    # Found by search straight away.
    found = api.get("/api/search", {"q": "cai rang 313"}).json()
    assert data["id"] in {hit["document"]["id"] for hit in found["items"]}


def test_the_same_file_twice_is_409(bearer, actors, registers, seed_bytes):
    api = bearer(actors["district_clerk"])
    first = api.post("/api/documents", {"register": registers["district_out"].pk,
                                        "file": upload("313-UBND.txt", seed_bytes)})
    again = api.post("/api/documents", {"register": registers["district_out"].pk,
                                        "file": upload("copy.txt", seed_bytes)})
    assert again.status_code == 409 and again.json()["document_id"] == first.json()["id"]
    assert "đã được vào sổ" in again.json()["detail"]


def test_idempotency_key_returns_the_first_document(bearer, actors, registers, seed_bytes):
    api = bearer(actors["district_clerk"])
    ids = {api.post("/api/documents", {"register": registers["district_out"].pk,
                                       "file": upload("313-UBND.txt", seed_bytes)},
                    headers={"Idempotency-Key": "abc-123"}).json()["id"] for _ in range(2)}
    assert len(ids) == 1 and Document.objects.count() == 1


@pytest.mark.parametrize("name, data, words", [
    ("hong.pdf", b"%PDF-1.4 this is not really a pdf \x00\xff", "PDF"),
    ("hong.docx", b"PK\x03\x04 broken zip", "DOCX"),
    ("rong.txt", b"", "rỗng"),
    ("anh.exe", b"MZ\x90\x00", "Không nhận loại tệp"),
])
def test_a_bad_file_is_400_with_a_message_and_nothing_written(bearer, actors, registers, name, data, words):
    api = bearer(actors["district_clerk"])
    before = AuditLog.objects.count()
    response = api.post("/api/documents", {"register": registers["district_out"].pk,
                                           "file": upload(name, data, "application/octet-stream")})
    assert response.status_code == 400, response.content
    detail = response.json()["detail"]
    assert detail and words.lower() in detail.lower()
    assert Document.objects.count() == 0 and AuditLog.objects.count() == before


def test_missing_fields_are_400(bearer, actors, registers, seed_bytes):
    api = bearer(actors["district_clerk"])
    assert api.post("/api/documents", {"register": registers["district_out"].pk}).status_code == 400
    response = api.post("/api/documents", {"file": upload("313-UBND.txt", seed_bytes)})
    assert response.status_code == 400 and "register" in response.json()["detail"]
    assert api.post("/api/documents", {"register": "abc",
                                       "file": upload("313-UBND.txt", seed_bytes)}).status_code == 400


def test_register_outside_scope_is_404(bearer, actors, registers, seed_bytes):
    response = bearer(actors["ward_clerk"]).post("/api/documents", {
        "register": registers["district_out"].pk, "file": upload("313-UBND.txt", seed_bytes)})
    assert response.status_code == 404
    assert Document.objects.count() == 0


def test_a_leader_who_sees_the_register_but_may_not_file_is_403(bearer, actors, registers, seed_bytes):
    response = bearer(actors["district_leader"]).post("/api/documents", {
        "register": registers["district_out"].pk, "file": upload("313-UBND.txt", seed_bytes)})
    assert response.status_code == 403 and "quyền" in response.json()["detail"]
    assert Document.objects.count() == 0


def test_wrong_method_on_detail(bearer, actors, plan):
    response = bearer(actors["district_clerk"]).post(f"/api/documents/{plan.pk}")
    assert response.status_code == 405
