"""Routing of an incoming document: registered → trình → bút phê → inboxes → tasks or reply; the
timeline; who may open the document; the ward chairman opening 313/UBND from his task."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from dieuhanh.accounts.models import AuditLog, Role
from dieuhanh.documents import exchange, routing, services
from dieuhanh.documents.models import DocumentEvent, Receipt, ReceiptStatus, Route, RouteAction, RouteState
from dieuhanh.tasks import services as tasks
from dieuhanh.tasks.proposals import Proposal
from tests.documents.helpers import PLAN_29
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _in_2020():  # type: ignore[no-untyped-def]
    """The test tree's district and wards end on 30/06/2025: the story runs in March 2020."""
    with time_machine.travel("2020-03-05 09:00 +0700", tick=True):
        yield


@pytest.fixture
def plan_29(actors, registers):  # type: ignore[no-untyped-def]
    """The city's Plan 29 registered from paper in the district's incoming register."""
    preview = services.preview_intake(data=PLAN_29.encode(), filename="29.txt")
    return services.register_document(actors["district_clerk"], registers["district_in"], {},
                                      upload=services.IntakeFile(PLAN_29.encode(), "29.txt"),
                                      parsed=preview["parsed"])


def test_registered_document_waits_for_the_clerk_then_the_leader(actors, plan_29) -> None:  # type: ignore[no-untyped-def]
    clerk, leader = actors["district_clerk"], actors["district_leader"]
    receipt = Receipt.objects.get(document=plan_29)
    assert (receipt.reg_number, receipt.unit_id) == (plan_29.reg_number, plan_29.owner_unit_id)
    assert routing.pending_documents_count(clerk) == 1  # "tiếp nhận, trình lãnh đạo"
    assert routing.pending_documents_count(leader) == 0
    assert list(routing.submit_candidates(receipt)) == [leader]
    with pytest.raises(PermissionDenied):
        routing.submit(actors["district_specialist"], receipt, leader)
    with pytest.raises(ValidationError):
        routing.submit(clerk, receipt, actors["ward_chairman"])  # not a leader of the unit
    routing.submit(clerk, receipt, leader, note="Kế hoạch của thành phố")
    with pytest.raises(ValidationError):
        routing.submit(clerk, receipt, leader)  # presented twice
    assert routing.pending_documents_count(clerk) == 0
    assert routing.pending_documents_count(leader) == 1
    receipt.refresh_from_db()
    assert receipt.forwarded_on is not None


def test_instruction_reaches_lead_coordinating_and_informed(units, actors, plan_29) -> None:  # type: ignore[no-untyped-def]
    clerk, leader = actors["district_clerk"], actors["district_leader"]
    receipt = Receipt.objects.get(document=plan_29)
    routing.submit(clerk, receipt, leader)
    with pytest.raises(PermissionDenied):
        routing.instruct(actors["noi_vu_head"], receipt, text="x", lead=units["noi_vu"])
    with pytest.raises(ValidationError):
        routing.instruct(leader, receipt, text="x")  # nobody named
    with pytest.raises(ValidationError):
        routing.instruct(leader, receipt, text="x", lead=units["noi_vu"], inform=[units["noi_vu"]])
    with pytest.raises(ValidationError):  # another district's ward
        routing.instruct(leader, receipt, text="x", lead=units["tan_an"])
    routing.instruct(leader, receipt, text="Phòng Nội vụ tham mưu kế hoạch của quận.", lead=units["noi_vu"],
                     coordinate=[units["van_phong"]], inform=[units["le_binh"], actors["ward_chairman"]],
                     due_on=date(2020, 3, 20))
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.ASSIGNED
    assert routing.pending_documents_count(leader) == 0
    specialist, head, chairman = actors["district_specialist"], actors["noi_vu_head"], actors["ward_chairman"]
    assert routing.pending_documents_count(specialist) == 1 and routing.pending_documents_count(head) == 1
    assert routing.pending_documents_count(chairman) == 1  # to him in person, and to his ward
    assert routing.pending_documents_count(actors["ward_clerk"]) == 0  # the clerk takes in, does not handle
    # Everyone named can open the document; a ward outside cannot.
    for who in ("district_specialist", "ward_chairman", "ward_clerk"):
        assert services.get_document_for_user(actors[who], plan_29.pk) == plan_29
    with pytest.raises(Http404):
        services.get_document_for_user(actors["other_ward_clerk"], plan_29.pk)
    # Opening it: "để biết" is done, "xử lý chính" is seen and still waiting.
    routing.mark_seen(chairman, plan_29)
    assert routing.pending_documents_count(chairman) == 0
    routing.mark_seen(specialist, plan_29)
    assert Route.objects.get(action=RouteAction.LEAD).state == RouteState.SEEN
    assert routing.pending_documents_count(specialist) == 1


def test_the_lead_unit_issues_tasks_or_replies(units, actors, plan_29) -> None:  # type: ignore[no-untyped-def]
    receipt = Receipt.objects.get(document=plan_29)
    routing.submit(actors["district_clerk"], receipt, actors["district_leader"])
    routing.instruct(actors["district_leader"], receipt, text="", lead=units["noi_vu"],
                     coordinate=[units["van_phong"]])
    tasks.issue_tasks(actors["district_specialist"], plan_29, [Proposal(
        title="Tổng kết CCHC của phường", lead_unit_ids=[units["le_binh"].pk], due_on=date(2020, 4, 9))])
    lead = Route.objects.get(action=RouteAction.LEAD)
    assert lead.state == RouteState.DONE
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.ASSIGNED
    coordinate = Route.objects.get(action=RouteAction.COORDINATE)
    with pytest.raises(PermissionDenied):  # not the Văn phòng's
        routing.finish(actors["district_specialist"], coordinate)
    office = UserFactory(username="cv.vanphong", unit=units["van_phong"], role=Role.CHUYEN_VIEN)
    routing.finish(office, coordinate, note="Đã góp ý dự thảo")
    with pytest.raises(PermissionDenied):
        routing.finish(office, coordinate)  # twice
    kinds = list(DocumentEvent.objects.filter(document=plan_29).values_list("kind", flat=True))
    assert kinds == ["vao_so", "trinh", "but_phe", "giao", "hoan_thanh", "hoan_thanh"][:len(kinds)]
    assert {"vao_so", "trinh", "but_phe", "giao"} <= set(kinds)
    assert AuditLog.objects.filter(object_type="documents.route").count() >= 2


def test_ward_chairman_opens_313_from_his_task(units, actors, registers, seed_bytes, login) -> None:  # type: ignore[no-untyped-def]
    preview = services.preview_intake(data=seed_bytes, filename="313.txt")
    fields = {k: v for k, v in preview["fields"].items() if k not in ("arrived_on", "sender")}
    dispatch = services.register_document(actors["district_clerk"], registers["district_out"], fields,
                                          upload=services.IntakeFile(seed_bytes, "313.txt"), parsed=preview["parsed"])
    services.share_document(actors["district_clerk"], dispatch, [units["noi_vu"]])
    chairman = actors["ward_chairman"]
    with pytest.raises(Http404):
        services.get_document_for_user(chairman, dispatch.pk)
    [task] = tasks.issue_tasks(actors["district_specialist"], dispatch, [Proposal(
        title="Tổng kết CCHC phường", lead_unit_ids=[units["le_binh"].pk], due_on=date(2020, 4, 9))])
    assignment = task.assignments.get()
    client = login(chairman)
    page = client.get(reverse("tasks:assignment", args=[assignment.pk])).content.decode()
    assert reverse("documents:detail", args=[dispatch.pk]) in page
    response = client.get(reverse("documents:detail", args=[dispatch.pk]))
    assert response.status_code == 200 and "313/UBND" in response.content.decode()
    main = dispatch.attachments.get()
    assert client.get(reverse("documents:attachment", args=[dispatch.pk, main.pk])).status_code == 200
    assert login(actors["other_ward_clerk"]).get(reverse("documents:detail", args=[dispatch.pk])).status_code == 404


def test_pages_walk_the_routing(units, actors, plan_29, login) -> None:  # type: ignore[no-untyped-def]
    clerk, leader = actors["district_clerk"], actors["district_leader"]
    detail = reverse("documents:detail", args=[plan_29.pk])
    page = login(clerk).get(detail).content.decode()
    assert 'action="' + reverse("documents:submit", args=[plan_29.pk]) in page
    inbox = login(clerk).get(reverse("documents:inbox")).content.decode()
    assert "29/KH-UBND" in inbox
    response = login(clerk).post(reverse("documents:submit", args=[plan_29.pk]), {"to": leader.pk, "note": ""})
    assert response.status_code == 302
    assert login(clerk).get(reverse("documents:submit", args=[plan_29.pk])).status_code == 405
    assert login(leader).post(reverse("documents:submit", args=[plan_29.pk]), {"to": leader.pk}).status_code == 403
    form = login(leader).get(reverse("documents:instruct", args=[plan_29.pk]))
    assert form.status_code == 200
    response = login(leader).post(reverse("documents:instruct", args=[plan_29.pk]), {
        "text": "Giao Phòng Nội vụ", "lead": f"u:{units['noi_vu'].pk}", "inform": [f"u:{units['le_binh'].pk}"],
        "due_on": "20/03/2020"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert login(actors["noi_vu_head"]).get(reverse("documents:instruct", args=[plan_29.pk])).status_code == 403
    page = login(actors["district_specialist"]).get(detail).content.decode()
    assert "Giao Phòng Nội vụ" in page and "Quá trình xử lý" in page
    lead = Route.objects.get(action=RouteAction.LEAD)
    finish = reverse("documents:finish", args=[plan_29.pk, lead.pk])
    assert login(actors["district_specialist"]).get(finish).status_code == 405
    assert login(actors["outsider"]).post(finish, {"note": "x"}).status_code == 404
    assert login(actors["district_specialist"]).post(finish, {"note": "Đã trả lời bằng Công văn 50/NV"}).status_code == 302
    assert Receipt.objects.get(document=plan_29).status == ReceiptStatus.DONE


def test_deliver_page_suggests_the_recipients(units, actors, registers, seed_bytes, login) -> None:  # type: ignore[no-untyped-def]
    preview = services.preview_intake(data=seed_bytes, filename="313.txt")
    fields = {k: v for k, v in preview["fields"].items() if k not in ("arrived_on", "sender")}
    dispatch = services.register_document(actors["district_clerk"], registers["district_out"], fields,
                                          upload=services.IntakeFile(seed_bytes, "313.txt"), parsed=preview["parsed"])
    url = reverse("documents:deliver", args=[dispatch.pk])
    response = login(actors["district_clerk"]).get(url)
    assert response.status_code == 200
    assert units["le_binh"].pk in response.context["form"].initial["units"]
    assert login(actors["district_leader"]).get(url).status_code == 403
    assert login(actors["outsider"]).get(url).status_code == 404
    response = login(actors["district_clerk"]).post(url, {"units": [units["le_binh"].pk, units["ba_lang"].pk]})
    assert response.status_code == 302
    assert set(Receipt.objects.filter(document=dispatch).values_list("unit__code", flat=True)) == {
        "p_le_binh", "p_ba_lang"}
    assert login(actors["district_clerk"]).post(url, {}).status_code == 200  # nothing chosen: the form again
    # The ward reads it; the sender's page shows who received and read it.
    login(actors["ward_clerk"]).get(reverse("documents:detail", args=[dispatch.pk]))
    page = login(actors["district_clerk"]).get(reverse("documents:detail", args=[dispatch.pk])).content.decode()
    assert "2 đơn vị đã nhận, 1 đơn vị đã xem." in page
    assert exchange.receipts_of(dispatch).get(unit=units["le_binh"]).status == ReceiptStatus.READ


def test_documents_presented_to_a_leader_are_on_his_home_page(actors, plan_29, login) -> None:  # type: ignore[no-untyped-def]
    clerk, leader = actors["district_clerk"], actors["district_leader"]
    routing.submit(clerk, Receipt.objects.get(document=plan_29), leader, note="Kế hoạch của thành phố")
    html = login(leader).get(reverse("web:home")).content.decode()
    assert "Văn bản chờ tôi xử lý" in html and reverse("documents:detail", args=[plan_29.pk]) in html
    assert "1" in login(leader).get(reverse("web:inbox_count")).content.decode()
    # The clerk has handed it on: nothing waits for him any more.
    assert "Không có văn bản nào chờ bạn xử lý." in login(clerk).get(reverse("web:home")).content.decode()
