"""Tasks pages: success, wrong method (405), outsider (404), read-only (403), anonymous, query counts."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dieuhanh.accounts.models import Role
from dieuhanh.tasks import services
from dieuhanh.tasks.models import Assignment, Extension, ExtensionStatus, Status, Task
from dieuhanh.tasks.proposals import propose_tasks
from tests.accounts.matrix import assert_matrix
from tests.factories import UserFactory
from tests.tasks.test_services import expected_fan_out  # noqa: F401
from tests.tasks.test_services import fast_password_hasher  # noqa: F401
from tests.tasks.test_services import frozen_today  # noqa: F401
from tests.tasks.test_services import issued  # noqa: F401
from tests.tasks.test_services import media_root  # noqa: F401
from tests.tasks.test_services import seed_document  # noqa: F401
from tests.tasks.test_services import ward_assignment  # noqa: F401
from tests.tasks.test_services import world  # noqa: F401

HTMX = {"HTTP_HX_REQUEST": "true"}


def _login(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def _bounced_to_login(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302 and "/tai-khoan/" in response["Location"]


def proposal_post(document, *, delete: tuple[int, ...] = (), **override):  # type: ignore[no-untyped-def]
    found = propose_tasks(document)
    data = {"nv-TOTAL_FORMS": str(len(found)), "nv-INITIAL_FORMS": str(len(found)), "nv-MIN_NUM_FORMS": "0",
            "nv-MAX_NUM_FORMS": "200", "da_giao": "0", "giao": "1"}
    for i, p in enumerate(found):
        prefix = f"nv-{i}-"
        data[prefix + "title"] = p.title
        data[prefix + "lead_units"] = [str(u) for u in p.lead_unit_ids]
        data[prefix + "due_on"] = p.due_on.strftime("%d/%m/%Y") if p.due_on else ""
        data[prefix + "deadline_phrase"] = p.deadline_phrase
        data[prefix + "sentence"] = p.sentence
        data[prefix + "span"] = f"{p.span[0]},{p.span[1]}" if p.span else ""
        if i in delete:
            data[prefix + "DELETE"] = "on"
    data.update(override)
    return data


# --- Việc của tôi ------------------------------------------------------------------------------------------

def test_list_shows_the_users_unit_only_due_first(client, issued, world) -> None:  # type: ignore[no-untyped-def]
    actors = world["actors"]
    url = reverse("tasks:list")
    assert _bounced_to_login(client.get(url))
    ward = _login(client, actors["ward_clerk"])
    page = ward.get(url)
    assert page.status_code == 200
    rows = list(page.context["page"].object_list)
    assert rows and {a.unit_id for a in rows} == {world["units"]["le_binh"].pk}
    assert ward.post(url).status_code == 405
    noi_vu = _login(client, actors["district_specialist"])
    rows = list(noi_vu.get(url).context["page"].object_list)
    assert [a.due_on for a in rows] == [date(2020, 4, 9), date(2020, 4, 30), None]
    given = noi_vu.get(url, {"loai": "da-giao"}).context["page"].paginator.count
    assert given == Assignment.objects.count()
    assert noi_vu.get(url, {"trang_thai": "hoan_thanh"}).context["page"].paginator.count == 0
    assert noi_vu.get(url, {"trang_thai": "khong-co"}).status_code == 200


def test_list_query_count_is_constant(client, issued, world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    user = world["actors"]["district_specialist"]
    client.force_login(user)
    with django_assert_max_num_queries(12):
        small = client.get(reverse("tasks:list"), {"loai": "da-giao"})
    assert small.context["page"].paginator.count > 10
    services.issue_tasks(user, issued[0].document, propose_tasks(issued[0].document))
    with django_assert_max_num_queries(12):
        big = client.get(reverse("tasks:list"), {"loai": "da-giao"})
    assert big.context["page"].paginator.count == 2 * small.context["page"].paginator.count


# --- Giao việc ------------------------------------------------------------------------------------------------

def test_propose_page_shows_editable_proposals_with_marks(client, seed_document, world) -> None:  # type: ignore[no-untyped-def]
    url = reverse("tasks:propose", args=[seed_document.pk])
    page = _login(client, world["actors"]["district_specialist"]).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["formset"].total_form_count() == 3
    assert "<mark>Giao Thủ trưởng các cơ quan chuyên môn quận" in html
    assert 'value="09/04/2020"' in html and "trước ngày 10 tháng 4 năm 2020" in html
    lead = page.context["formset"].forms[0]["lead_units"]
    assert {int(v) for v in lead.value()} == expected_fan_out()


def test_propose_permissions(client, seed_document, world) -> None:  # type: ignore[no-untyped-def]
    actors = world["actors"]
    url = reverse("tasks:propose", args=[seed_document.pk])
    assert _bounced_to_login(client.get(url))
    assert _login(client, actors["district_clerk"]).get(url).status_code == 403  # sees it, does not assign
    for name in ("outsider", "ward_clerk"):
        assert _login(client, actors[name]).get(url).status_code == 404
    assert _login(client, actors["district_specialist"]).put(url).status_code == 405
    assert client.get(reverse("tasks:propose", args=[999999])).status_code == 404


def test_propose_post_issues_and_redirects_to_status(client, seed_document, world) -> None:  # type: ignore[no-untyped-def]
    client = _login(client, world["actors"]["district_specialist"])
    url = reverse("tasks:propose", args=[seed_document.pk])
    response = client.post(url, proposal_post(seed_document, delete=(2,)))
    assert response.status_code == 302
    assert response["Location"] == reverse("tasks:document_status", args=[seed_document.pk])
    assert Task.objects.count() == 2
    assert Assignment.objects.count() == len(expected_fan_out()) + 1
    again = client.post(url, proposal_post(seed_document, delete=(2,)))  # the same form posted twice
    assert again.status_code == 302 and Task.objects.count() == 2
    status = client.get(response["Location"])
    assert status.status_code == 200 and "Phường Lê Bình".lower() in status.content.decode().lower()


def test_propose_bad_input_writes_nothing(client, seed_document, world) -> None:  # type: ignore[no-untyped-def]
    client = _login(client, world["actors"]["district_specialist"])
    url = reverse("tasks:propose", args=[seed_document.pk])
    page = client.post(url, proposal_post(seed_document, **{"nv-1-due_on": "31/02/2020", "nv-2-lead_units": []}))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ngày không hợp lệ" in html and "Chưa chọn đơn vị chủ trì" in html
    assert Task.objects.count() == 0
    broken = client.post(url, {"nv-TOTAL_FORMS": "x", "giao": "1"})
    assert broken.status_code == 200 and Task.objects.count() == 0
    nothing = client.post(url, proposal_post(seed_document, delete=(0, 1, 2)))
    assert "Chưa có nhiệm vụ nào để giao" in nothing.content.decode()


def test_propose_add_row(client, seed_document, world) -> None:  # type: ignore[no-untyped-def]
    client = _login(client, world["actors"]["district_specialist"])
    data = proposal_post(seed_document, them_dong="1")
    del data["giao"]
    page = client.post(reverse("tasks:propose", args=[seed_document.pk]), data)
    assert page.status_code == 200 and page.context["formset"].total_form_count() == 4
    assert Task.objects.count() == 0


def test_document_detail_has_the_button_and_the_section(client, issued, world) -> None:  # type: ignore[no-untyped-def]
    actors = world["actors"]
    document = issued[0].document
    url = reverse("documents:detail", args=[document.pk])
    html = _login(client, actors["district_specialist"]).get(url).content.decode()
    assert reverse("tasks:propose", args=[document.pk]) in html
    assert reverse("tasks:document_status", args=[document.pk]) in html
    html = _login(client, actors["district_clerk"]).get(url).content.decode()
    assert reverse("tasks:propose", args=[document.pk]) not in html


# --- per document -----------------------------------------------------------------------------------------------

def test_document_status(client, issued, world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    actors = world["actors"]
    document = issued[0].document
    url = reverse("tasks:document_status", args=[document.pk])
    assert _bounced_to_login(client.get(url))
    client.force_login(actors["district_specialist"])
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.status_code == 200 and len(page.context["rows"]) == 3
    assert page.context["rows"][0]["total"] == len(expected_fan_out())
    partial = client.get(url, **HTMX)
    assert partial.status_code == 200 and b"<html" not in partial.content
    assert client.post(url).status_code == 405
    assert _login(client, actors["outsider"]).get(url).status_code == 404


# --- manual task ------------------------------------------------------------------------------------------------

def test_create_manual_task(client, world) -> None:  # type: ignore[no-untyped-def]
    units, actors = world["units"], world["actors"]
    url = reverse("tasks:create")
    assert _bounced_to_login(client.get(url))
    assert _login(client, actors["ward_clerk"]).get(url).status_code == 403
    client = _login(client, actors["district_specialist"])
    assert client.get(url).status_code == 200
    assert client.put(url).status_code == 405
    missing = client.post(url, {"title": "Rà soát", "lead_units": [units["le_binh"].pk], "due_on": "01/05/2020"})
    assert missing.status_code == 200 and "Chưa ghi nguồn giao" in missing.content.decode()
    response = client.post(url, {"title": "Rà soát hồ sơ", "lead_units": [units["le_binh"].pk],
                                 "due_on": "01/05/2020", "source_note": "Họp giao ban 04/03/2020"})
    task = Task.objects.get()
    assert response.status_code == 302 and task.source_note == "Họp giao ban 04/03/2020"
    assert task.assignments.get().due_on == date(2020, 5, 1)


# --- an assignment -------------------------------------------------------------------------------------------------

def test_assignment_page_matrix(client, issued, world) -> None:  # type: ignore[no-untyped-def]
    a = ward_assignment(issued, world)
    url = reverse("tasks:assignment", args=[a.pk])
    assert _bounced_to_login(client.get(url))
    assert_matrix(client, world["actors"], url,
                  allowed={"ward_clerk", "ward_chairman", "district_specialist", "noi_vu_head", "district_leader",
                           "admin"})
    assert _login(client, world["actors"]["ward_clerk"]).post(url).status_code == 405
    assert client.get(reverse("tasks:assignment", args=[999999])).status_code == 404


def test_ward_acknowledges_with_htmx(client, issued, world) -> None:  # type: ignore[no-untyped-def]
    actors = world["actors"]
    a = ward_assignment(issued, world)
    url = reverse("tasks:action", args=[a.pk, "tiep-nhan"])
    assert _bounced_to_login(client.post(url))
    assert _login(client, actors["ward_clerk"]).get(url).status_code == 405
    for name in ("district_leader", "district_specialist", "ward_clerk"):  # they see it, they do not acknowledge it
        assert _login(client, actors[name]).post(url).status_code == 403
    for name in ("other_ward_clerk", "outsider"):
        assert _login(client, actors[name]).post(url).status_code == 404
    page = _login(client, actors["ward_chairman"]).post(url, **HTMX)
    assert page.status_code == 200 and b"<html" not in page.content and "Đã tiếp nhận" in page.content.decode()
    assert Assignment.objects.get(pk=a.pk).status == Status.ACKNOWLEDGED
    again = client.post(url)  # without HTMX: back to the page with the refusal as a message
    assert again.status_code == 302
    assert "Không thể tiếp nhận" in client.get(again["Location"]).content.decode()
    assert client.post(reverse("tasks:action", args=[a.pk, "khong-co"])).status_code == 404


def test_full_flow_through_the_views(client, issued, world) -> None:  # type: ignore[no-untyped-def]
    actors = world["actors"]
    a = ward_assignment(issued, world)

    def act(user, action, data=None):  # type: ignore[no-untyped-def]
        client.force_login(user)
        return client.post(reverse("tasks:action", args=[a.pk, action]), data or {}, **HTMX)

    ward, assigner = actors["ward_chairman"], actors["district_specialist"]
    assert act(ward, "tiep-nhan").status_code == 200
    page = act(ward, "tien-do", {"progress": "30", "text": "Đã họp",
                                 "file": SimpleUploadedFile("hop.pdf", b"%PDF")})
    assert "Đã cập nhật tiến độ" in page.content.decode()
    assert Assignment.objects.get(pk=a.pk).progress == 30
    bad = act(ward, "tien-do", {"progress": "150", "text": "x"})
    assert "Tiến độ phải là số từ 0 đến 100" in bad.content.decode()
    empty = act(ward, "nop-ket-qua", {"note": ""})
    assert "Phải có kết quả" in empty.content.decode()
    assert Assignment.objects.get(pk=a.pk).status == Status.IN_PROGRESS
    assert act(assigner, "nghiem-thu").content.decode().count("Chỉ nghiệm thu được") == 1
    assert act(ward, "nop-ket-qua", {"note": "Báo cáo số 20/BC-UBND"}).status_code == 200
    assert act(ward, "nghiem-thu").status_code == 403
    assert "Phải nêu lý do trả lại" in act(assigner, "tra-lai", {"reason": ""}).content.decode()
    act(assigner, "tra-lai", {"reason": "Thiếu biểu mẫu"})
    assert Assignment.objects.get(pk=a.pk).status == Status.RETURNED
    act(ward, "nop-ket-qua", {"note": "Đã bổ sung"})
    act(assigner, "nghiem-thu")
    assert Assignment.objects.get(pk=a.pk).status == Status.DONE


def test_extension_through_the_views(client, issued, world) -> None:  # type: ignore[no-untyped-def]
    actors = world["actors"]
    a = Assignment.objects.get(task=issued[1])
    doer, assigner = actors["noi_vu_head"], actors["district_specialist"]
    url = reverse("tasks:action", args=[a.pk, "xin-gia-han"])
    client.force_login(doer)
    bad = client.post(url, {"proposed_due_on": "2020-04-20", "reason": "x"}, **HTMX)
    assert "Ngày không hợp lệ" in bad.content.decode()
    client.post(url, {"proposed_due_on": "20/04/2020", "reason": "Chờ số liệu"}, **HTMX)
    ext = Extension.objects.get()
    decide = reverse("tasks:action", args=[a.pk, "duyet-gia-han"])
    assert client.post(decide, {"extension": ext.pk, "decision": "dong_y"}).status_code == 403
    assert _login(client, actors["district_leader"]).post(decide, {"extension": ext.pk,
                                                                    "decision": "dong_y"}).status_code == 403
    client.force_login(assigner)
    assert client.post(decide, {"extension": 999999, "decision": "dong_y"}).status_code == 404
    client.post(decide, {"extension": ext.pk, "decision": "dong_y"}, **HTMX)
    a.refresh_from_db()
    ext.refresh_from_db()
    assert ext.status == ExtensionStatus.APPROVED
    assert (a.due_on, a.original_due_on) == (date(2020, 4, 20), date(2020, 4, 9))
    page = client.get(reverse("tasks:assignment", args=[a.pk])).content.decode()
    assert "Lịch sử gia hạn" in page and "09/04/2020" in page


def test_delegate_through_the_views(client, issued, world) -> None:  # type: ignore[no-untyped-def]
    units, actors = world["units"], world["actors"]
    officer = UserFactory(username="cv.lebinh", unit=units["le_binh"], role=Role.CHUYEN_VIEN)
    a = ward_assignment(issued, world)
    services.acknowledge(actors["ward_chairman"], a)
    url = reverse("tasks:action", args=[a.pk, "giao-tiep"])
    assert _login(client, actors["ward_clerk"]).post(url, {}).status_code == 403
    client.force_login(actors["ward_chairman"])
    assert "giao-tiep" in client.get(reverse("tasks:assignment", args=[a.pk])).content.decode()
    client.post(url, {"title": "Tổng kết tại phường", "people": [officer.pk], "due_on": "01/04/2020"}, **HTMX)
    sub = Task.objects.get(parent=a)
    assert sub.assignments.get().assignee == officer
    chain = client.get(reverse("tasks:chain", args=[sub.assignments.get().pk]))
    assert chain.status_code == 200 and "Tổng kết tại phường" in chain.content.decode()


# --- the chain ---------------------------------------------------------------------------------------------------------

def test_chain_page(client, issued, world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    actors = world["actors"]
    a = ward_assignment(issued, world)
    url = reverse("tasks:chain", args=[a.pk])
    assert _bounced_to_login(client.get(url))
    client.force_login(actors["district_leader"])
    with django_assert_max_num_queries(20):
        page = client.get(url)
    assert page.status_code == 200 and "Kế hoạch số 29/KH-UBND" in page.content.decode()
    assert client.post(url).status_code == 405
    assert _login(client, actors["other_ward_clerk"]).get(url).status_code == 404


@pytest.mark.parametrize("name", ["tasks:list", "tasks:create"])
def test_pages_without_objects_need_login(client, db, name) -> None:  # type: ignore[no-untyped-def]
    assert _bounced_to_login(client.get(reverse(name)))


def test_dates_before_today_are_refused_and_nothing_is_preselected(client, issued, world) -> None:  # type: ignore[no-untyped-def]
    """Today is 05/03/2020: an extension or a delegation to 01/03/2020 is refused with a clear message."""
    actors = world["actors"]
    a = Assignment.objects.get(task=issued[1])
    client.force_login(actors["noi_vu_head"])
    past = client.post(reverse("tasks:action", args=[a.pk, "xin-gia-han"]),
                       {"proposed_due_on": "01/01/2019", "reason": "Chờ số liệu"}, **HTMX)
    assert "Ngày 01/01/2019 đã qua: hạn phải từ hôm nay (05/03/2020) trở đi." in past.content.decode()
    assert not Extension.objects.exists()
    client.post(reverse("tasks:action", args=[a.pk, "xin-gia-han"]),
                {"proposed_due_on": "20/04/2020", "reason": "Chờ số liệu"}, **HTMX)
    page = _login(client, actors["district_specialist"]).get(reverse("tasks:assignment", args=[a.pk])).content.decode()
    assert "— Chọn quyết định —" in page and "selected" not in page.split("— Chọn quyết định —")[1].split("</select>")[0]
    assert _login(client, actors["district_specialist"]).post(
        reverse("tasks:action", args=[a.pk, "duyet-gia-han"]),
        {"extension": Extension.objects.get().pk}, **HTMX).status_code == 200
    assert Extension.objects.get().status == ExtensionStatus.PENDING  # no decision chosen: nothing decided


def test_no_extension_is_offered_on_a_task_without_deadline(client, world) -> None:  # type: ignore[no-untyped-def]
    units, actors = world["units"], world["actors"]
    task = services.create_task(actors["district_specialist"], "Theo dõi dư luận", [units["le_binh"]], None,
                                source_note="Giao ban")
    a = task.assignments.get()
    services.acknowledge(actors["ward_chairman"], a)
    page = _login(client, actors["ward_chairman"]).get(reverse("tasks:assignment", args=[a.pk])).content.decode()
    assert "xin-gia-han" not in page
    with pytest.raises(ValidationError):
        services.request_extension(actors["ward_chairman"], a, "Chờ số liệu", date(2020, 4, 1))
