"""Draft → review → sign → number → issue, through the services, with the messages of the bad cases."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from dieuhanh.accounts.models import AuditLog
from dieuhanh.documents.models import Direction, Document
from dieuhanh.drafts import layout, services
from dieuhanh.drafts.models import DraftVersion, EventKind, PdfState, RenderJob, State
from tests.drafts.conftest import signed

pytestmark = pytest.mark.django_db


def test_draft_from_template_keeps_version_one_and_default_symbol(draft, actors, units):
    assert draft.state == State.DRAFTING and draft.unit == units["noi_vu"]
    assert draft.issuer_unit == units["district"] and draft.symbol == "UBND-NV"
    assert draft.versions.get().number == 1
    typed = services.create_draft(actors["district_specialist"], "Kế hoạch", {"subject": "Tổng kết CCHC"})
    assert typed.symbol == "KH-UBND" and typed.body.startswith("Căn cứ")


def test_full_path_to_an_outgoing_document(draft, actors, units):
    with time_machine.travel(date(2020, 3, 2), tick=True):
        signed(draft, actors)
        draft.refresh_from_db()
        assert draft.state == State.SIGNED and draft.pdf_state == PdfState.PENDING
        assert (draft.signer_authority, draft.signer_position, draft.signer_name) == (
            "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Lê Văn Cường")
        assert RenderJob.objects.filter(draft=draft, kind="ky").count() == 1
        document = services.issue(actors["district_clerk"], draft)
    draft.refresh_from_db()
    assert draft.state == State.ISSUED and draft.document == document
    assert document.direction == Direction.OUTGOING and document.number_symbol == "1/UBND-NV"
    assert document.issued_on == date(2020, 3, 2) and document.signer_name == "Lê Văn Cường"
    assert document.attachments.get(is_main=True).original_name == "1-UBND-NV.docx"
    assert document.parsed["signer_name"] == "Lê Văn Cường"
    kinds = list(draft.events.order_by("id").values_list("kind", flat=True))
    assert kinds == [EventKind.CREATED, EventKind.SUBMITTED, EventKind.APPROVED, EventKind.SIGNED, EventKind.ISSUED]
    notes = set(AuditLog.objects.filter(object_type="drafts.draft", object_id=str(draft.pk)).values_list("note", flat=True))
    assert {"Trình duyệt dự thảo", "Đồng ý dự thảo", "Ký duyệt dự thảo", "Phát hành số 1/UBND-NV"} <= notes


def test_numbers_are_gapless_across_issues(chain, actors):
    numbers = []
    for i in range(2):
        d = services.create_draft(actors["district_specialist"], "Thông báo", {"subject": f"Thông báo {i}"})
        signed(d, actors)
        numbers.append(services.issue(actors["district_clerk"], d).reg_number)
    assert numbers == [1, 2]


def test_approving_twice(draft, actors):
    services.submit(actors["district_specialist"], draft)
    services.approve(actors["noi_vu_head"], draft)
    with pytest.raises(ValidationError, match="Bạn đã duyệt dự thảo này rồi"):
        services.approve(actors["noi_vu_head"], draft)


def test_approving_something_returned(draft, actors):
    services.submit(actors["district_specialist"], draft)
    services.send_back(actors["noi_vu_head"], draft, "Sửa lại căn cứ")
    with pytest.raises(ValidationError, match="đã bị trả lại"):
        services.approve(actors["noi_vu_head"], draft)
    assert draft.events.filter(kind=EventKind.RETURNED, comment="Sửa lại căn cứ").exists()


def test_returning_needs_a_comment(draft, actors):
    services.submit(actors["district_specialist"], draft)
    with pytest.raises(ValidationError, match="ghi ý kiến"):
        services.send_back(actors["noi_vu_head"], draft, "  ")
    draft.refresh_from_db()
    assert draft.state == State.IN_REVIEW


def test_reviewer_outside_the_chain(draft, actors):
    services.submit(actors["district_specialist"], draft)
    with pytest.raises(PermissionDenied, match="không thuộc quy trình duyệt"):
        services.approve(actors["ward_chairman"], draft)


def test_not_yet_your_turn_and_last_step_signs(draft, actors):
    services.submit(actors["district_specialist"], draft)
    with pytest.raises(ValidationError, match="Chưa đến lượt bạn"):
        services.sign(actors["district_leader"], draft)
    services.approve(actors["noi_vu_head"], draft)
    with pytest.raises(ValidationError, match="Ký duyệt"):
        services.approve(actors["district_leader"], draft)


def test_signer_without_a_signing_title(draft, actors):
    actors["district_leader"].position = ""
    actors["district_leader"].save()
    services.submit(actors["district_specialist"], draft)
    services.approve(actors["noi_vu_head"], draft)
    with pytest.raises(ValidationError, match="chưa ghi họ tên hoặc chức vụ"):
        services.sign(actors["district_leader"], draft)
    draft.refresh_from_db()
    assert draft.state == State.IN_REVIEW


def test_issue_needs_the_register_right_and_a_signature(draft, actors):
    with pytest.raises(ValidationError, match="đã được ký"):
        services.issue(actors["district_clerk"], draft)
    signed(draft, actors)
    for who in ("district_specialist", "district_leader", "ward_clerk"):
        with pytest.raises(PermissionDenied, match="Chỉ văn thư"):
            services.issue(actors[who], draft)
    assert not Document.objects.filter(direction=Direction.OUTGOING).exists()
    services.issue(actors["district_clerk"], draft)
    with pytest.raises(ValidationError, match="đã được phát hành"):
        services.issue(actors["district_clerk"], draft)
    assert Document.objects.filter(direction=Direction.OUTGOING).count() == 1


def test_reviewer_edits_and_versions_restore(draft, actors):
    services.save_version(actors["district_specialist"], draft, {**draft_values(draft), "subject": "Bản hai"})
    services.submit(actors["district_specialist"], draft)
    with pytest.raises(PermissionDenied):
        services.save_version(actors["district_specialist"], draft, draft_values(draft))
    services.save_version(actors["noi_vu_head"], draft, {**draft_values(draft), "subject": "Bản trưởng phòng sửa"})
    assert draft.events.filter(kind=EventKind.EDITED).count() == 1
    first = draft.versions.get(number=1)
    new = services.restore_version(actors["noi_vu_head"], draft, first)
    draft.refresh_from_db()
    assert new.number == 4 and draft.subject == first.subject
    assert DraftVersion.objects.filter(draft=draft).count() == 4


def draft_values(draft):  # type: ignore[no-untyped-def]
    return {"subject": draft.subject, "body": draft.body, "recipients": draft.recipients,
            "distribution": draft.distribution}


def test_format_findings_flag_a_bad_date_padding_and_a_missing_end_mark(draft):
    clean = services.format_findings(draft)
    assert not [f for f in clean if f["severity"] == "error"], clean
    found = services.format_findings(draft, {**draft_values(draft), "body": "Nội dung không có dấu kết thúc",
                                             "distribution": ["Như trên"]})
    codes = {f["code"] for f in found}
    assert codes - {f["code"] for f in clean}, found


def test_composed_text_reads_back_with_vanban(draft, actors):
    from dieuhanh.vanban import parse_text

    signed(draft, actors)
    draft.refresh_from_db()
    parsed = parse_text(layout.compose_text(draft, number="313", date=date(2020, 3, 2)))
    assert parsed["number_symbol"] == "313/UBND-NV" and parsed["doc_type"] == "Công văn"
    assert parsed["signer_position"].upper() == "PHÓ CHỦ TỊCH"
    assert parsed["recipients"] == CONG_VAN_RECIPIENTS


CONG_VAN_RECIPIENTS = ["Thủ trưởng các cơ quan chuyên môn quận", "Chủ tịch Ủy ban nhân dân các phường"]


def test_submit_without_a_chain(units, actors):
    d = services.create_draft(actors["ward_chairman"], "Thông báo", {"subject": "Lịch tiếp công dân"})
    with pytest.raises(PermissionDenied):
        services.submit(actors["district_specialist"], d)
    with pytest.raises(ValidationError, match="chưa có quy trình duyệt"):
        services.submit(actors["ward_chairman"], d)


def test_docx_upload_fills_the_draft(chain, actors, shared_dir):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = layout.render_docx(services.create_draft(actors["district_specialist"], "Công văn", dict(
        __import__("tests.drafts.conftest", fromlist=["CONG_VAN"]).CONG_VAN)))
    d = services.create_draft(actors["district_specialist"], "Công văn", {},
                              upload=SimpleUploadedFile("cong-van.docx", data))
    assert "Kế hoạch số 29/KH-UBND" in d.body and d.versions.get().source_name == "cong-van.docx"
    with pytest.raises(ValidationError, match=".docx"):
        services.create_draft(actors["district_specialist"], "Công văn", {},
                              upload=SimpleUploadedFile("x.docx", b"not a zip"))


def test_the_reviewer_whose_turn_it_is_sees_the_draft_on_his_home_page(draft, actors, client):
    from django.urls import reverse

    from dieuhanh.drafts.inbox import drafts_waiting

    services.submit(actors["district_specialist"], draft)
    head, leader = actors["noi_vu_head"], actors["district_leader"]
    assert drafts_waiting(head, 10).count == 1 and drafts_waiting(leader, 10).count == 0
    client.force_login(head)
    html = client.get(reverse("web:home")).content.decode()
    assert "Dự thảo chờ tôi cho ý kiến" in html and reverse("drafts:detail", args=[draft.pk]) in html
    services.approve(head, draft)
    assert drafts_waiting(head, 10).count == 0 and drafts_waiting(leader, 10).count == 1
