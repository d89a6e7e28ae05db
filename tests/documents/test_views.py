"""Register lists, document page, downloads, corrections and the overview: every view's
success, wrong method (405), outsider (404), read-only user (403) and anonymous (login)."""

from __future__ import annotations

from datetime import date
from urllib.parse import unquote

import pytest
from django.urls import reverse

from dieuhanh.accounts.models import AuditAction, AuditLog
from dieuhanh.documents import services
from dieuhanh.documents.models import Direction, Document
from tests.documents.helpers import PLAN_29


def ward_document(actors, registers, **fields):  # type: ignore[no-untyped-def]
    values = {"doc_type": "Công văn", "number_symbol": "12/UBND", "subject": "Về việc trồng cây xanh",
              "issuer": "UBND quận Cái Răng", "issued_on": date(2020, 3, 5), "body": "Nội dung công văn", **fields}
    return services.register_document(actors["ward_clerk"], registers["le_binh_in"], values,
                                      upload=services.IntakeFile("Nội dung công văn".encode(), "Công văn 12.txt"))


@pytest.fixture
def doc(actors, registers):  # type: ignore[no-untyped-def]
    return ward_document(actors, registers)


def urls(doc):  # type: ignore[no-untyped-def]
    return {
        "incoming": reverse("documents:incoming"), "outgoing": reverse("documents:outgoing"),
        "drafts": reverse("documents:drafts"), "intake": reverse("documents:intake"),
        "detail": reverse("documents:detail", args=[doc.pk]), "edit": reverse("documents:edit", args=[doc.pk]),
        "attachment": reverse("documents:attachment", args=[doc.pk, doc.attachments.get().pk]),
    }


@pytest.mark.parametrize("name", ["incoming", "outgoing", "drafts", "intake", "detail", "edit", "attachment"])
def test_anonymous_is_sent_to_login(client, doc, name: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(urls(doc)[name])
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("name", "method"), [
    ("incoming", "post"), ("outgoing", "post"), ("drafts", "post"), ("detail", "post"), ("attachment", "post"),
    ("intake", "put"), ("edit", "put"), ("edit", "delete"),
])
def test_wrong_method_is_405(login, actors, doc, name: str, method: str) -> None:  # type: ignore[no-untyped-def]
    client = login(actors["ward_clerk"])
    assert getattr(client, method)(urls(doc)[name]).status_code == 405


@pytest.mark.parametrize("name", ["detail", "edit", "attachment"])
@pytest.mark.parametrize("who", ["other_ward_clerk", "outsider", "district_clerk"])
def test_outsiders_get_404_for_a_document(login, actors, doc, name: str, who: str) -> None:  # type: ignore[no-untyped-def]
    assert login(actors[who]).get(urls(doc)[name]).status_code == 404


def test_outsiders_get_404_for_a_register(login, actors, registers) -> None:  # type: ignore[no-untyped-def]
    client = login(actors["outsider"])
    le_binh = registers["le_binh_in"].pk
    assert client.get(reverse("documents:incoming"), {"so": le_binh}).status_code == 404
    assert client.get(reverse("documents:intake"), {"register": le_binh}).status_code == 404
    assert client.get(reverse("documents:outgoing"), {"so": le_binh}).status_code == 404  # wrong kind of register
    assert client.get(reverse("documents:detail", args=[999999])).status_code == 404


def test_read_only_users_get_403(login, actors, registers, doc) -> None:  # type: ignore[no-untyped-def]
    for who in ("ward_chairman", "district_leader"):
        client = login(actors[who])
        assert client.get(urls(doc)["detail"]).status_code == 200
        assert client.get(urls(doc)["edit"]).status_code == 403
        assert client.post(urls(doc)["edit"], {"doc_type": "X"}).status_code == 403
        assert client.get(urls(doc)["intake"]).status_code == 403
        assert client.get(urls(doc)["intake"], {"register": registers["le_binh_in"].pk}).status_code == 403
    specialist = login(actors["district_specialist"])  # drafts only
    assert specialist.get(reverse("documents:intake")).status_code == 200
    noi_vu_draft = registers["noi_vu_draft"].pk
    assert specialist.get(reverse("documents:intake"), {"register": noi_vu_draft}).status_code == 200


def test_register_lists(login, actors, registers, doc) -> None:  # type: ignore[no-untyped-def]
    client = login(actors["ward_clerk"])
    year = date.today().year
    html = client.get(reverse("documents:incoming")).content.decode()
    for expected in ("Sổ văn bản đến", "12/UBND", "05/03/2020", "UBND quận Cái Răng", "Về việc trồng cây xanh",
                     date.today().strftime("%d/%m/%Y"), "Nhập văn bản"):
        assert expected in html, expected
    assert "12/UBND" not in client.get(reverse("documents:incoming"), {"nam": year - 1}).content.decode()
    assert "12/UBND" not in client.get(reverse("documents:outgoing")).content.decode()
    assert client.get(reverse("documents:incoming"), {"nam": "abc", "trang": "x"}).status_code == 200
    assert "12/UBND" not in login(actors["other_ward_clerk"]).get(reverse("documents:incoming")).content.decode()
    assert "12/UBND" in login(actors["district_leader"]).get(reverse("documents:incoming")).content.decode()


def test_register_list_query_count_is_flat(login, actors, registers, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for n in range(60):
        services.register_document(actors["district_clerk"], registers["district_in"],
                                   {"doc_type": "Công văn", "number_symbol": f"{n + 1}/UBND", "subject": f"Việc {n}"})
    client = login(actors["district_leader"])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("documents:incoming"))
    assert response.status_code == 200 and "Trang 1/2" in response.content.decode()
    with django_assert_max_num_queries(10):
        assert "1/UBND" in client.get(reverse("documents:incoming"), {"trang": 2}).content.decode()


def test_detail_page(login, actors, registers, doc) -> None:  # type: ignore[no-untyped-def]
    html = login(actors["ward_clerk"]).get(urls(doc)["detail"]).content.decode()
    for expected in ("12/UBND", "Về việc trồng cây xanh", "Công văn 12.txt", "Nội dung công văn", "Sửa",
                     "Văn bản được viện dẫn", "Được viện dẫn bởi"):
        assert expected in html, expected
    assert urls(doc)["edit"] in html


def test_detail_links_citations_only_when_visible(login, actors, registers, seed_bytes) -> None:  # type: ignore[no-untyped-def]
    clerk = actors["district_clerk"]
    plan_preview = services.preview_intake(text=PLAN_29)
    plan = services.register_document(clerk, registers["district_in"], {}, parsed=plan_preview["parsed"])
    preview = services.preview_intake(data=seed_bytes, filename="313.txt")
    directive = services.register_document(clerk, registers["district_out"], {}, parsed=preview["parsed"])
    client = login(clerk)
    html = client.get(reverse("documents:detail", args=[directive.pk])).content.decode()
    assert f'href="{reverse("documents:detail", args=[plan.pk])}"' in html
    back = client.get(reverse("documents:detail", args=[plan.pk])).content.decode()
    assert f'href="{reverse("documents:detail", args=[directive.pk])}"' in back
    # Shared with a ward whose users cannot see the plan: the citation shows, unlinked.
    directive.shared_with.add(registers["le_binh_in"].unit)
    ward = login(actors["ward_clerk"]).get(reverse("documents:detail", args=[directive.pk])).content.decode()
    assert "29/KH- UBND" in ward and f'href="{reverse("documents:detail", args=[plan.pk])}"' not in ward


def test_attachment_download_is_audited(login, actors, doc) -> None:  # type: ignore[no-untyped-def]
    response = login(actors["ward_chairman"]).get(urls(doc)["attachment"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == "Nội dung công văn".encode()
    disposition = unquote(response["Content-Disposition"])
    assert disposition.startswith("attachment;") and "Công văn 12.txt" in disposition
    row = AuditLog.objects.get(action=AuditAction.DOWNLOAD)
    assert (row.actor, row.object_type, row.unit_id) == (actors["ward_chairman"], "documents.attachment",
                                                         doc.owner_unit_id)


def test_attachment_of_another_document_is_404(login, actors, registers, doc) -> None:  # type: ignore[no-untyped-def]
    other = services.register_document(actors["other_ward_clerk"], registers["ba_lang_in"], {"doc_type": "Công văn"},
                                       upload=services.IntakeFile(b"bi mat", "bi-mat.txt"))
    guessed = reverse("documents:attachment", args=[doc.pk, other.attachments.get().pk])
    assert login(actors["ward_clerk"]).get(guessed).status_code == 404
    assert login(actors["ward_clerk"]).get(reverse("documents:detail", args=[other.pk])).status_code == 404


def test_missing_file_is_404_not_500(login, actors, doc, media_root) -> None:  # type: ignore[no-untyped-def]
    for path in (media_root / "attachments").rglob("*"):
        if path.is_file():
            path.unlink()
    assert login(actors["ward_clerk"]).get(urls(doc)["attachment"]).status_code == 404


def test_edit_corrects_fields_with_audit(login, actors, doc) -> None:  # type: ignore[no-untyped-def]
    client = login(actors["ward_clerk"])
    form = client.get(urls(doc)["edit"])
    assert form.status_code == 200 and "05/03/2020" in form.content.decode()
    data = {"doc_type": "Công văn", "number": "12", "symbol": "UBND", "number_symbol": "12/UBND",
            "issuer": "UBND quận Cái Răng", "issued_on": "06/03/2020", "subject": "Về việc trồng cây xanh đô thị",
            "recipients": "- UBND phường Lê Bình;\n\n- Phòng Nội vụ", "distribution": "Lưu: VT",
            "arrived_on": date.today().strftime("%d/%m/%Y"), "sender": "UBND quận", "body": "Nội dung"}
    bad = client.post(urls(doc)["edit"], {**data, "issued_on": "2020-31-12", "number": "0"})
    assert bad.status_code == 200 and "dd/mm/yyyy" in bad.content.decode()
    response = client.post(urls(doc)["edit"], data)
    assert response.status_code == 302 and response["Location"] == urls(doc)["detail"]
    doc.refresh_from_db()
    assert doc.issued_on == date(2020, 3, 6) and doc.recipients == ["UBND phường Lê Bình", "Phòng Nội vụ"]
    row = AuditLog.objects.get(action=AuditAction.UPDATE)
    assert row.before["issued_on"] == "2020-03-05" and row.after["issued_on"] == "2020-03-06"
    assert row.before["subject"] == "Về việc trồng cây xanh" and row.actor == actors["ward_clerk"]
    assert row.note  # the body changed too


def test_drafts_list_and_specialist(login, actors, registers) -> None:  # type: ignore[no-untyped-def]
    draft = services.register_document(actors["district_specialist"], registers["noi_vu_draft"],
                                       {"doc_type": "Tờ trình", "subject": "Dự thảo tờ trình"})
    assert draft.direction == Direction.DRAFT
    client = login(actors["district_specialist"])
    assert "Dự thảo tờ trình" in client.get(reverse("documents:drafts")).content.decode()
    assert client.get(reverse("documents:edit", args=[draft.pk])).status_code == 200
    assert login(actors["noi_vu_head"]).get(reverse("documents:edit", args=[draft.pk])).status_code == 403


def test_home_overview(login, actors, registers, doc, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = login(actors["ward_clerk"])
    with django_assert_max_num_queries(14):  # the documents' counts and list, the inbox's sections
        response = client.get(reverse("web:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Văn bản mới của đơn vị" in html and "Về việc trồng cây xanh" in html and "Nhập văn bản" in html
    assert response.context["incoming_count"] == 1
    outsider = login(actors["outsider"]).get(reverse("web:home"))
    assert outsider.context["incoming_count"] == 0 and "Về việc trồng cây xanh" not in outsider.content.decode()
    assert Document.objects.count() == 1


def test_edit_keeps_the_arrival_date_required(login, actors, doc) -> None:  # type: ignore[no-untyped-def]
    client = login(actors["ward_clerk"])
    response = client.post(urls(doc)["edit"], {"doc_type": "Công văn", "arrived_on": ""})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    doc.refresh_from_db()
    assert doc.arrived_on == date.today()
    assert not AuditLog.objects.filter(action=AuditAction.UPDATE).exists()


def test_intake_preselects_the_only_register_of_a_kind(login, actors, registers) -> None:  # type: ignore[no-untyped-def]
    client = login(actors["ward_clerk"])
    form = client.get(reverse("documents:intake"), {"direction": "di"}).context["form"]
    assert form["register"].value() == registers["le_binh_out"].pk


def test_clerk_distributes_a_document_to_a_unit_below(units, actors, login):
    """The district clerk shares an outgoing dispatch with Phòng Nội vụ, whose specialist then sees it."""
    import datetime

    from dieuhanh.accounts.models import AuditLog
    from dieuhanh.documents import services
    from dieuhanh.documents.models import Direction

    clerk, specialist = actors["district_clerk"], actors["district_specialist"]
    register = services.ensure_registers(units["district"])
    outgoing = next(r for r in register if r.direction == Direction.OUTGOING)
    document = services.register_document(clerk, outgoing, {"doc_type": "Công văn", "subject": "Thử chuyển văn bản",
                                                            "issued_on": datetime.date(2020, 3, 2)})
    assert not services.documents_visible_to(specialist).filter(pk=document.pk).exists()
    client = login(clerk)
    data = {**{k: v for k, v in {"doc_type": "Công văn", "subject": "Thử chuyển văn bản", "issued_on": "02/03/2020"}.items()},
            "shared_with": [units["noi_vu"].pk]}
    response = client.post(f"/van-ban/{document.pk}/sua/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert services.documents_visible_to(specialist).filter(pk=document.pk).exists()
    assert AuditLog.objects.filter(object_id=str(document.pk), after__shared_with=[units["noi_vu"].pk]).exists()
    # a unit outside the owner's subtree cannot be chosen
    response = client.post(f"/van-ban/{document.pk}/sua/", {**data, "shared_with": [units["tan_an"].pk]})
    assert response.status_code == 200
    assert list(document.shared_with.values_list("pk", flat=True)) == [units["noi_vu"].pk]
