"""Service-level intake: the whole dev corpus, previews, duplicates, citations, scope."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from dieuhanh.accounts.models import AuditAction, AuditLog
from dieuhanh.documents import services
from dieuhanh.documents.models import Attachment, Citation, Direction, Document, RegisterCounter
from dieuhanh.lib.vntext import fold
from dieuhanh.vanban import parse_bytes
from tests.documents.helpers import CORPUS, PLAN_29, files_under


def register_text(user, register, text: str, name: str = "van-ban.txt") -> Document:  # type: ignore[no-untyped-def]
    preview = services.preview_intake(data=text.encode(), filename=name)
    return services.register_document(user, register, {}, upload=services.IntakeFile(text.encode(), name),
                                      parsed=preview["parsed"])


def test_corpus_has_documents() -> None:
    assert len(CORPUS) >= 40


def test_every_corpus_document_registers_with_the_parsed_fields(registers, actors, media_root) -> None:  # type: ignore[no-untyped-def]
    clerk, register = actors["district_clerk"], registers["district_in"]
    for number, path in enumerate(CORPUS, start=1):
        data = path.read_bytes()
        parsed = parse_bytes(data, path.name)
        preview = services.preview_intake(data=data, filename=path.name)
        assert preview["parsed"]["number_symbol"] == parsed["number_symbol"], path.name
        document = services.register_document(clerk, register, {}, upload=services.IntakeFile(data, path.name),
                                              parsed=preview["parsed"])
        document.refresh_from_db()
        assert document.reg_number == number, path.name
        assert document.number_symbol == (parsed["number_symbol"] or ""), path.name
        assert document.number == parsed["number"], path.name
        assert document.issuer == (parsed["issuer"] or ""), path.name
        assert document.doc_type == parsed["doc_type"], path.name
        assert document.issued_on == (date.fromisoformat(parsed["date"]) if parsed["date"] else None), path.name
        assert document.subject == " ".join((parsed["subject"] or "").split()), path.name
        assert document.recipients == parsed["recipients"], path.name
        assert document.distribution == parsed["distribution"], path.name
        assert document.signer_name == (parsed["signer_name"] or ""), path.name
        assert document.body == parsed["body"], path.name
        assert document.parsed["warnings"] == parsed["warnings"], path.name
        assert document.sender == document.issuer and document.arrived_on is not None
        assert document.checksum == preview["checksum"]
        assert fold(document.subject[:40]) in document.search_text
        main = document.attachments.get()
        assert (main.is_main, main.original_name, main.size) == (True, path.name, len(data))
        assert main.file.read() == data
    assert Document.objects.count() == len(CORPUS)
    assert AuditLog.objects.filter(action=AuditAction.CREATE, object_type="documents.document").count() == len(CORPUS)


def test_preview_returns_fields_and_saves_nothing(seed_bytes, db, media_root) -> None:  # type: ignore[no-untyped-def]
    preview = services.preview_intake(data=seed_bytes, filename="313-UBND.txt")
    fields = preview["fields"]
    assert fields["number_symbol"] == "313/UBND" and fields["issued_on"] == date(2020, 3, 2)
    assert fields["place"] == "Cái Răng" and len(fields["recipients"]) == 2
    assert fields["due_on"] == date(2020, 4, 10)
    assert preview["kind"] == "file" and len(preview["checksum"]) == 64
    pasted = services.preview_intake(text=seed_bytes.decode())
    assert pasted["kind"] == "text" and pasted["fields"]["number_symbol"] == "313/UBND"
    assert files_under(media_root) == [] and not Document.objects.exists()


@pytest.mark.parametrize(("data", "name", "fragment"), [
    (b"", "rong.txt", "rỗng"),
    (b"MZ\x90\x00\x03\x00\x00\x00", "virus.exe", "Không nhận loại tệp"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "scan.png", "OCR"),
    (b"PK\x03\x04 broken", "hong.docx", "DOCX"),
    (b"not a pdf at all", "hong.pdf", "PDF"),
    (b"\x00\x01\x02\x03" * 100, "nhi-phan.txt", "không phải văn bản"),
], ids=["empty", "exe", "image", "corrupt-docx", "corrupt-pdf", "binary"])
def test_preview_refuses_bad_sources_in_vietnamese(data: bytes, name: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.preview_intake(data=data, filename=name)
    assert fragment in " ".join(caught.value.messages)


def test_preview_reads_a_real_docx(seed_bytes) -> None:  # type: ignore[no-untyped-def]
    import io

    import docx

    document = docx.Document()
    for block in seed_bytes.decode().replace("**", "").split("\n\n"):
        document.add_paragraph(" ".join(block.split()) if "Kính gửi" not in block else block.strip())
    buffer = io.BytesIO()
    document.save(buffer)
    preview = services.preview_intake(data=buffer.getvalue(), filename="313-UBND.docx")
    assert preview["format"] == "docx"
    assert preview["fields"]["number_symbol"] == "313/UBND" and preview["fields"]["issued_on"] == date(2020, 3, 2)


def test_preview_size_limit_and_source_choice(settings) -> None:  # type: ignore[no-untyped-def]
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="quá lớn"):
        services.preview_intake(data=b"x" * 101, filename="lon.txt")
    with pytest.raises(ValidationError, match="một trong hai"):
        services.preview_intake(data=b"abc", filename="a.txt", text="abc")
    with pytest.raises(ValidationError, match="trống"):
        services.preview_intake(text="   ")


def test_duplicates_by_checksum_and_by_header(registers, actors, seed_bytes) -> None:  # type: ignore[no-untyped-def]
    clerk = actors["district_clerk"]
    first = register_text(clerk, registers["district_in"], seed_bytes.decode(), "313.txt")
    preview = services.preview_intake(data=seed_bytes, filename="313-copy.txt")
    found = services.find_duplicates(clerk, "313/UBND", "ỦY BAN NHÂN DÂN QUẬN CÁI RĂNG", date(2020, 3, 2),
                                     preview["checksum"])
    assert [(d.document, d.same_file, d.same_header) for d in found] == [(first, True, True)]
    # Same header, other file (retyped, spaces in the symbol, other case).
    found = services.find_duplicates(clerk, "313 / ubnd", "Ủy ban nhân dân quận Cái Răng", date(2020, 3, 2), "0" * 64)
    assert [(d.document, d.same_file, d.same_header) for d in found] == [(first, False, True)]
    assert "cùng số" in found[0].message
    # Other date, other issuer: not duplicates.
    assert services.find_duplicates(clerk, "313/UBND", "ỦY BAN NHÂN DÂN QUẬN CÁI RĂNG", date(2021, 3, 2), "") == []
    assert services.find_duplicates(clerk, "313/UBND", "UBND quận Ninh Kiều", date(2020, 3, 2), "") == []
    # Another unit's clerk is not told about (nor shown) this unit's document.
    assert services.find_duplicates(actors["ward_clerk"], "313/UBND", "ỦY BAN NHÂN DÂN QUẬN CÁI RĂNG",
                                    date(2020, 3, 2), preview["checksum"]) == []


@pytest.mark.parametrize("plan_first", [True, False], ids=["plan-first", "directive-first"])
def test_citations_link_both_ways_in_either_order(registers, actors, seed_bytes, plan_first: bool) -> None:  # type: ignore[no-untyped-def]
    clerk = actors["district_clerk"]
    if plan_first:
        plan = register_text(clerk, registers["district_in"], PLAN_29, "29.txt")
        directive = register_text(clerk, registers["district_out"], seed_bytes.decode(), "313.txt")
    else:
        directive = register_text(clerk, registers["district_out"], seed_bytes.decode(), "313.txt")
        plan = register_text(clerk, registers["district_in"], PLAN_29, "29.txt")
    citation = Citation.objects.get(citing=directive)
    assert (citation.number_symbol, citation.key, citation.cited_on) == ("29/KH- UBND", "29/KH-UBND", date(2020, 2, 27))
    assert citation.cited == plan
    assert list(plan.cited_by.values_list("citing", flat=True)) == [directive.pk]


def test_citation_with_another_date_does_not_link(registers, actors, seed_bytes) -> None:  # type: ignore[no-untyped-def]
    clerk = actors["district_clerk"]
    register_text(clerk, registers["district_in"], PLAN_29.replace("27 tháng 02", "28 tháng 02"), "29.txt")
    directive = register_text(clerk, registers["district_out"], seed_bytes.decode(), "313.txt")
    assert Citation.objects.get(citing=directive).cited is None


def test_scope_and_permissions(registers, actors) -> None:  # type: ignore[no-untyped-def]
    ward_clerk, other = actors["ward_clerk"], actors["other_ward_clerk"]
    document = services.register_document(ward_clerk, registers["le_binh_in"], {"doc_type": "Công văn"})
    assert services.get_document_for_user(ward_clerk, document.pk) == document
    assert services.get_document_for_user(actors["district_leader"], document.pk) == document
    assert services.get_document_for_user(actors["admin"], str(document.pk)) == document
    for outsider in (other, actors["outsider"], actors["district_clerk"]):
        with pytest.raises(Http404):
            services.get_document_for_user(outsider, document.pk)
    with pytest.raises(Http404):
        services.get_document_for_user(ward_clerk, "abc")
    document.shared_with.add(registers["ba_lang_in"].unit)
    assert services.get_document_for_user(other, document.pk) == document
    assert services.documents_visible_to(other).count() == 1
    for user in (other, actors["ward_chairman"], actors["district_specialist"]):
        with pytest.raises(PermissionDenied):
            services.register_document(user, registers["le_binh_in"], {"doc_type": "Công văn"})
    draft = services.register_document(actors["district_specialist"], registers["noi_vu_draft"],
                                       {"doc_type": "Tờ trình", "number": None})
    assert (draft.direction, draft.reg_number, draft.number) == (Direction.DRAFT, 1, None)


def test_registers_for_user(registers, actors) -> None:  # type: ignore[no-untyped-def]
    def names(user, *args, **kwargs):  # type: ignore[no-untyped-def]
        return {r.pk for r in services.registers_for_user(user, *args, **kwargs)}

    r = registers
    assert names(actors["ward_clerk"]) == {r["le_binh_in"].pk, r["le_binh_out"].pk}
    assert names(actors["ward_clerk"], Direction.INCOMING) == {r["le_binh_in"].pk}
    assert names(actors["district_specialist"]) == {r["noi_vu_draft"].pk}
    assert names(actors["district_leader"]) == set()
    assert len(names(actors["district_leader"], writable=False)) == 6  # the district and its wards, not Tân An
    assert len(names(actors["admin"])) == len(r)


def test_add_attachment_and_update_are_audited(registers, actors, media_root) -> None:  # type: ignore[no-untyped-def]
    clerk = actors["district_clerk"]
    document = services.register_document(clerk, registers["district_in"], {"doc_type": "Công văn",
                                                                             "subject": "Cũ"})
    extra = services.add_attachment(clerk, document, services.IntakeFile(b"phu luc", "Phụ lục 1.xlsx"))
    assert (extra.is_main, extra.original_name, extra.size) == (False, "Phụ lục 1.xlsx", 7)
    with pytest.raises(PermissionDenied):
        services.add_attachment(actors["district_leader"], document, services.IntakeFile(b"x", "x.txt"))
    services.update_document(clerk, document, {"subject": "Mới", "number_symbol": "5/UBND"})
    row = AuditLog.objects.filter(action=AuditAction.UPDATE).get()
    assert row.before == {"subject": "Cũ", "number_symbol": ""}
    assert row.after == {"subject": "Mới", "number_symbol": "5/UBND"}
    assert "moi" in Document.objects.get(pk=document.pk).search_text
    with pytest.raises(ValidationError):
        services.update_document(clerk, document, {"issued_on": "31/02/2020"})
    with pytest.raises(PermissionDenied):
        services.update_document(actors["district_leader"], document, {"subject": "X"})
    assert RegisterCounter.objects.get().last_number == 1


def test_idempotency_key_returns_the_first_document(registers, actors) -> None:  # type: ignore[no-untyped-def]
    clerk = actors["district_clerk"]
    first = services.register_document(clerk, registers["district_in"], {"doc_type": "Công văn"},
                                       idempotency_key="abc")
    again = services.register_document(clerk, registers["district_in"], {"doc_type": "Công văn"},
                                       idempotency_key="abc")
    assert again == first and Document.objects.count() == 1
    assert services.document_for_key(clerk, "abc") == first
    assert services.document_for_key(actors["admin"], "abc") is None  # keys are per user


def test_overview_counts(registers, actors) -> None:  # type: ignore[no-untyped-def]
    clerk = actors["district_clerk"]
    services.register_document(clerk, registers["district_in"], {"doc_type": "Công văn"})
    services.register_document(clerk, registers["district_out"], {"doc_type": "Công văn"})
    services.register_document(actors["ward_clerk"], registers["le_binh_in"], {"doc_type": "Công văn"})
    counts = services.overview_counts(clerk)
    assert (counts["incoming_count"], counts["outgoing_count"], len(counts["latest_documents"])) == (1, 1, 2)
    assert counts["can_intake"] is True
    leader = services.overview_counts(actors["district_leader"])
    assert (leader["incoming_count"], leader["can_intake"]) == (2, False)


def test_ensure_registers_is_idempotent(units) -> None:  # type: ignore[no-untyped-def]
    made = services.ensure_registers(units["tan_an"])
    assert [r.direction for r in made] == [Direction.INCOMING, Direction.OUTGOING, Direction.DRAFT]
    assert services.ensure_registers(units["tan_an"]) == made


def test_attachment_storage_is_content_addressed(registers, actors, media_root) -> None:  # type: ignore[no-untyped-def]
    clerk = actors["district_clerk"]
    for _ in range(2):
        services.register_document(clerk, registers["district_in"], {"doc_type": "Công văn"},
                                   upload=services.IntakeFile(b"same bytes", "../../etc/passwd"))
    names = {a.file.name for a in Attachment.objects.all()}
    assert len(names) == 1 and next(iter(names)).startswith("attachments/")
    assert {a.original_name for a in Attachment.objects.all()} == {"passwd"}
    assert len(files_under(media_root)) == 1
