"""Draft pages: success, wrong method, outsider (404), read-only (403), anonymous; the HTMX check."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dieuhanh.drafts import services
from dieuhanh.drafts.models import Draft, State
from tests.drafts.conftest import CONG_VAN, signed

pytestmark = pytest.mark.django_db


def test_create_from_template_and_save_a_version(login, chain, actors):
    client = login(actors["district_specialist"])
    page = client.get(reverse("drafts:create") + "?loai=Kế hoạch")
    assert page.status_code == 200 and "MỤC ĐÍCH, YÊU CẦU" in page.content.decode()
    response = client.post(reverse("drafts:create"), {
        "doc_type": "Kế hoạch", "subject": "Tổng kết công tác cải cách hành chính giai đoạn 2011-2020",
        "body": "I. MỤC ĐÍCH, YÊU CẦU\nĐánh giá toàn diện./.", "distribution": "Như trên\nLưu: VT"})
    draft = Draft.objects.get()
    assert response["Location"] == reverse("drafts:detail", args=[draft.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "Kiểm tra thể thức" in detail and "Trình duyệt" in detail
    saved = client.post(response["Location"], {"subject": draft.subject, "body": draft.body + "\nII. NỘI DUNG",
                                               "distribution": "Như trên\nLưu: VT"})
    assert saved.status_code == 302 and draft.versions.count() == 2
    compare = client.get(reverse("drafts:compare", args=[draft.pk]) + "?a=1&b=2").content.decode()
    assert "II. NỘI DUNG" in compare and "dt-add" in compare


def test_bad_input_is_a_message_not_a_500(login, chain, actors):
    client = login(actors["district_specialist"])
    response = client.post(reverse("drafts:create"), {"doc_type": "Sắc lệnh", "subject": "x"})
    assert response.status_code == 200 and Draft.objects.count() == 0
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("drafts:create"), {"doc_type": "Công văn",
                                                      "upload": SimpleUploadedFile("a.docx", b"<html>")})
    assert response.status_code == 200 and "Chỉ tải lên được tệp Word .docx." in response.content.decode()


def test_htmx_check_returns_the_findings(login, draft, actors):
    client = login(actors["district_specialist"])
    url = reverse("drafts:check", args=[draft.pk])
    response = client.post(url, {"subject": draft.subject, "body": "Nội dung chưa có dấu kết thúc",
                                 "recipients": "", "distribution": ""}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="dt-findings"' in html and "<html" not in html
    assert "Nơi nhận" in html  # no Nơi nhận: a Decree 30 finding
    assert client.get(url).status_code == 405
    assert login(actors["outsider"]).post(url, {"subject": "x"}).status_code == 404


def test_review_buttons_and_messages(login, draft, actors):
    services.submit(actors["district_specialist"], draft)
    head = login(actors["noi_vu_head"])
    page = head.get(reverse("drafts:detail", args=[draft.pk])).content.decode()
    assert "Đồng ý, chuyển bước sau" in page and "Trả lại" in page
    head.post(reverse("drafts:approve", args=[draft.pk]), {"comment": "Đồng ý"})
    again = head.post(reverse("drafts:approve", args=[draft.pk]), follow=True).content.decode()
    assert "Bạn đã duyệt dự thảo này rồi" in again
    leader = login(actors["district_leader"])
    assert "Ký duyệt" in leader.get(reverse("drafts:detail", args=[draft.pk])).content.decode()
    leader.post(reverse("drafts:sign", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.state == State.SIGNED
    assert "PDF" in leader.get(reverse("drafts:detail", args=[draft.pk])).content.decode()


def test_reviewer_outside_the_chain_gets_403(login, draft, actors):
    services.submit(actors["district_specialist"], draft)
    # the administrator sees every draft but is not in its chain
    response = login(actors["admin"]).post(reverse("drafts:approve", args=[draft.pk]))
    assert response.status_code == 403


def test_issue_confirmation_then_redirect_to_the_document(login, draft, actors):
    signed(draft, actors)
    clerk = login(actors["district_clerk"])
    url = reverse("drafts:issue", args=[draft.pk])
    page = clerk.get(url).content.decode()
    assert "1/UBND-NV" in page and "không hoàn tác" in page
    unconfirmed = clerk.post(url, {"issued_on": "02/03/2030"})
    assert unconfirmed.status_code == 200
    draft.refresh_from_db()
    assert draft.state == State.SIGNED
    response = clerk.post(url, {"issued_on": unconfirmed.context["form"]["issued_on"].value(), "confirm": "on"})
    draft.refresh_from_db()
    assert draft.state == State.ISSUED
    assert response["Location"] == reverse("documents:detail", args=[draft.document_id])
    assert clerk.get(response["Location"]).status_code == 200
    assert clerk.get(url)["Location"] == response["Location"]  # issued: the page leads to the document


def test_issue_refused_to_those_without_the_register_right(login, draft, actors):
    signed(draft, actors)
    url = reverse("drafts:issue", args=[draft.pk])
    for who in ("district_specialist", "district_leader"):
        assert login(actors[who]).get(url).status_code == 403
        assert login(actors[who]).post(url, {"issued_on": "02/03/2026", "confirm": "on"}).status_code == 403
    assert login(actors["outsider"]).get(url).status_code == 404


@pytest.mark.parametrize("name,args,method", [
    ("drafts:list", [], "get"), ("drafts:create", [], "get"), ("drafts:chain", [], "get"),
    ("drafts:detail", ["pk"], "get"), ("drafts:version", ["pk", 1], "get"), ("drafts:docx", ["pk"], "get"),
])
def test_pages_answer_and_refuse(client, login, draft, actors, name, args, method):
    path = reverse(name, args=[draft.pk if a == "pk" else a for a in args])
    assert client.get(path).status_code == 302  # anonymous: to the login page
    assert login(actors["district_specialist"]).get(path).status_code == 200
    assert login(actors["district_specialist"]).delete(path).status_code == 405
    if "pk" in args:
        assert login(actors["outsider"]).get(path).status_code == 404


@pytest.mark.parametrize("name", ["drafts:submit", "drafts:approve", "drafts:return", "drafts:sign"])
def test_actions_refuse(client, login, draft, actors, name):
    path = reverse(name, args=[draft.pk])
    assert client.post(path)["Location"].startswith("/tai-khoan/")
    assert login(actors["district_specialist"]).get(path).status_code == 405
    assert login(actors["outsider"]).post(path).status_code == 404
    # read-only: the district's clerk does not see a draft that is not signed yet
    assert login(actors["district_clerk"]).post(path).status_code == 404


def test_read_only_clerk_cannot_draft_nor_change_the_chain(login, chain, actors):
    clerk = login(actors["district_clerk"])
    assert clerk.get(reverse("drafts:create")).status_code == 403
    specialist = login(actors["district_specialist"])
    assert specialist.post(reverse("drafts:chain"), {"label_0": "X",
                                                     "reviewer_0": actors["noi_vu_head"].pk}).status_code == 403
    page = specialist.get(reverse("drafts:chain")).content.decode()
    assert "Trưởng phòng" in page and "Lưu quy trình duyệt" not in page


def test_head_sets_the_chain(login, units, actors):
    head = login(actors["noi_vu_head"])
    response = head.post(reverse("drafts:chain"), {"label_0": "Trưởng phòng", "reviewer_0": actors["noi_vu_head"].pk,
                                                  "label_1": "Lãnh đạo UBND quận",
                                                  "reviewer_1": actors["district_leader"].pk})
    assert response.status_code == 302
    assert [s["user"] for s in services.chain_route(units["noi_vu"])] == [actors["noi_vu_head"].pk,
                                                                         actors["district_leader"].pk]
    twice = head.post(reverse("drafts:chain"), {"label_0": "A", "reviewer_0": actors["noi_vu_head"].pk,
                                               "label_1": "B", "reviewer_1": actors["noi_vu_head"].pk})
    assert twice.status_code == 200 and "hai lần" in twice.content.decode()


def test_restore_and_pdf_routes(login, draft, actors):
    client = login(actors["district_specialist"])
    services.save_version(actors["district_specialist"], draft, {**CONG_VAN, "subject": "Bản hai"})
    response = client.post(reverse("drafts:restore", args=[draft.pk, 1]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.subject == CONG_VAN["subject"] and draft.versions.count() == 3
    assert client.get(reverse("drafts:restore", args=[draft.pk, 1])).status_code == 405
    assert client.get(reverse("drafts:pdf", args=[draft.pk])).status_code == 404  # not rendered yet
    assert login(actors["outsider"]).post(reverse("drafts:restore", args=[draft.pk, 1])).status_code == 404
    assert login(actors["noi_vu_head"]).post(reverse("drafts:restore", args=[draft.pk, 1])).status_code == 403
