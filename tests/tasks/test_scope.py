"""Where work may go (issue 9, "scope rules everywhere"): down, or across within the committee
an office works for; never up, never into another branch. One rule
(``dieuhanh.tasks.permissions.assign_scope``), checked by the services, offered by the forms
(manual task, "Giao việc", "Giao tiếp", report requests) and by the API.

The small Cần Thơ tree of ``tests.factories``: UBND thành phố → Sở Nội vụ, UBND quận Cái Răng
(→ Phòng Nội vụ, Văn phòng, phường Lê Bình, phường Ba Láng), UBND quận Ninh Kiều (→ phường Tân An).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dieuhanh.accounts.models import ApiToken, AuditLog, Role
from dieuhanh.orgs.models import Unit, UnitKind
from dieuhanh.tasks import services
from dieuhanh.tasks.models import Assignment, Extension, ExtensionStatus, Status, Task
from dieuhanh.tasks.permissions import assign_scope, has_authority
from tests.factories import UserFactory

MARCH_2020 = datetime(2020, 3, 5, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
DUE = date(2020, 4, 30)


@pytest.fixture(autouse=True)
def _spring_2020(settings, tmp_path):  # type: ignore[no-untyped-def]
    """The test tree ends on 30/06/2025: act in March 2020. Fast passwords, files in a temporary place."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with time_machine.travel(MARCH_2020, tick=True):
        yield


def ids(units, *names: str) -> set[int]:  # type: ignore[no-untyped-def]
    return {units[n].pk for n in names}


def reach(units, unit: str) -> set[int]:  # type: ignore[no-untyped-def]
    return set(assign_scope(units[unit]).ids)


def manual(user, targets, title: str = "Báo cáo nhanh tình hình mưa bão"):  # type: ignore[no-untyped-def]
    return services.create_task(user, title, targets, DUE, source_note="Điện thoại của Văn phòng UBND thành phố")


# --- the rule ------------------------------------------------------------------------------------------

def test_reach_of_each_kind_of_unit(units) -> None:  # type: ignore[no-untyped-def]
    everything = set(Unit.objects.values_list("pk", flat=True))
    # a committee: itself and everything under it
    assert reach(units, "district") == ids(units, "district", "noi_vu", "van_phong", "le_binh", "ba_lang")
    assert reach(units, "city") == everything
    assert reach(units, "le_binh") == ids(units, "le_binh")
    # an office of a committee: across the committee's subtree, not the committee itself
    assert reach(units, "noi_vu") == ids(units, "noi_vu", "van_phong", "le_binh", "ba_lang")
    assert reach(units, "so_noi_vu") == everything - ids(units, "city")
    # a division inside a Sở works within its own subtree only
    division = Unit.objects.create(code="snv_cchc", name="Phòng Cải cách hành chính (Sở Nội vụ)",
                                   kind=UnitKind.PHONG, parent=units["so_noi_vu"], valid_from=date(2004, 1, 1))
    assert set(assign_scope(division).ids) == {division.pk}


def test_reach_is_effective_dated(units) -> None:  # type: ignore[no-untyped-def]
    later = Unit.objects.create(code="p_moi", name="Ủy ban nhân dân phường Mới", kind=UnitKind.UBND_XA,
                                parent=units["district"], valid_from=date(2021, 1, 1), valid_to=date(2025, 6, 30))
    assert later.pk in assign_scope(units["noi_vu"]).ids  # the structure
    assert later.pk not in assign_scope(units["noi_vu"], date(2020, 3, 5)).ids  # not yet in force
    assert later.pk in assign_scope(units["noi_vu"], date(2021, 6, 1)).ids
    # after 30/06/2025 the test tree has ended: nothing left to assign to
    assert not assign_scope(units["noi_vu"], date(2025, 7, 1)).units().exists()
    explanation = assign_scope(units["noi_vu"]).explanation
    assert "Phòng Nội vụ quận Cái Răng" in explanation and "thuộc Ủy ban nhân dân quận Cái Răng" in explanation


# --- the service: the attacks of issue 9 -------------------------------------------------------------------

@pytest.mark.parametrize("target", ["city", "so_noi_vu", "ba_lang", "district", "tan_an"])
def test_ward_chairman_assigns_only_within_his_ward(units, actors, target) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied, match="Không giao việc được cho"):
        manual(actors["ward_chairman"], [units[target]])
    with pytest.raises(PermissionDenied):  # not as a coordinating unit either
        services.create_task(actors["ward_chairman"], "Phối hợp", [units["le_binh"]], DUE, source_note="Họp",
                             coordinating=[units[target]])
    assert not Task.objects.exists() and not AuditLog.objects.filter(object_type="tasks.task").exists()
    assert manual(actors["ward_chairman"], [units["le_binh"]]).assignments.get().unit == units["le_binh"]


@pytest.mark.parametrize("target", ["so_noi_vu", "city", "district", "tan_an", "ninh_kieu"])
def test_noi_vu_never_assigns_upward_or_to_another_branch(units, actors, target) -> None:  # type: ignore[no-untyped-def]
    for who in ("district_specialist", "noi_vu_head"):
        with pytest.raises(PermissionDenied, match="không giao lên Ủy ban nhân dân quận Cái Răng"):
            manual(actors[who], [units[target]])
    assert not Task.objects.exists()


def test_noi_vu_assigns_across_its_committee(units, actors) -> None:  # type: ignore[no-untyped-def]
    task = manual(actors["district_specialist"], [units["le_binh"], units["ba_lang"], units["van_phong"],
                                                  units["noi_vu"]])
    assert set(task.assignments.values_list("unit_id", flat=True)) == ids(units, "le_binh", "ba_lang", "van_phong",
                                                                          "noi_vu")


def test_committees_assign_down_only(units, actors) -> None:  # type: ignore[no-untyped-def]
    leader = actors["district_leader"]
    manual(leader, [units["district"], units["noi_vu"], units["le_binh"]])
    for target in ("city", "so_noi_vu", "tan_an"):
        with pytest.raises(PermissionDenied):
            manual(leader, [units[target]])
    sở = UserFactory(username="cv.sonoivu", unit=units["so_noi_vu"], role=Role.CHUYEN_VIEN)
    manual(sở, [units["district"], units["tan_an"]])  # a Sở reaches the districts of its city
    with pytest.raises(PermissionDenied):
        manual(sở, [units["city"]])


def test_issuing_from_a_document_and_report_requests_share_the_rule(units, actors) -> None:  # type: ignore[no-untyped-def]
    from dieuhanh.documents.models import Direction, Register
    from dieuhanh.documents.services import register_document
    from dieuhanh.reports.services import create_request, ensure_default_outline
    from dieuhanh.tasks.proposals import Proposal

    register = Register.objects.create(unit=units["le_binh"], direction=Direction.INCOMING, name="Sổ văn bản đến")
    document = register_document(actors["ward_clerk"], register, {
        "doc_type": "Công văn", "number_symbol": "12/UBND", "subject": "Trồng cây xanh", "issued_on": date(2020, 3, 2),
        "issuer": "Ủy ban nhân dân quận Cái Răng"})
    chairman = actors["ward_chairman"]
    with pytest.raises(PermissionDenied, match="Ủy ban nhân dân thành phố Cần Thơ"):
        services.issue_tasks(chairman, document, [Proposal(title="Trồng cây", lead_unit_ids=[units["city"].pk])])
    version = ensure_default_outline().current
    with pytest.raises(PermissionDenied, match="Ủy ban nhân dân phường Ba Láng"):
        create_request(chairman, title="Báo cáo CCHC", outline_version=version, units=[units["ba_lang"]],
                       period_kind="nam", period_start=date(2020, 1, 1), period_end=date(2020, 12, 31), cutoff_on=None,
                       due_on=date(2020, 4, 20))
    assert not Task.objects.exists()


# --- extensions and decisions: the authority of the assigning side -------------------------------------------

@pytest.fixture
def upward(units, actors):  # type: ignore[no-untyped-def]
    """A task "from" ward Lê Bình to the city, as could be posted before the rule (written directly),
    acknowledged by the city, which asks for more time."""
    task = Task.objects.create(title="Báo cáo thành phố", assigned_by_unit=units["le_binh"],
                               assigned_by=actors["ward_chairman"], source_note="Họp")
    a = Assignment.objects.create(task=task, unit=units["city"], due_on=DUE, original_due_on=DUE)
    city_leader = UserFactory(username="pct.cantho", unit=units["city"], role=Role.LANH_DAO_UBND)
    services.acknowledge(city_leader, a)
    ext = services.request_extension(city_leader, Assignment.objects.get(pk=a.pk), "Chờ số liệu", date(2020, 6, 30))
    return a, ext, city_leader


def test_ward_chairman_cannot_decide_on_work_outside_his_reach(upward, actors, login) -> None:  # type: ignore[no-untyped-def]
    a, ext, city_leader = upward
    chairman = actors["ward_chairman"]
    assert services.acts_for_assigner(chairman, a.task) and not has_authority(a)
    with pytest.raises(PermissionDenied, match="duyệt được gia hạn"):
        services.decide_extension(chairman, ext, True)
    client = login(chairman)
    response = client.post(reverse("tasks:action", args=[a.pk, "duyet-gia-han"]),
                           {"extension": ext.pk, "decision": "dong_y"})
    assert response.status_code == 403
    page = client.get(reverse("tasks:assignment", args=[a.pk])).content.decode()
    assert "duyet-gia-han" not in page and "nghiem-thu" not in page
    services.submit_result(city_leader, Assignment.objects.get(pk=a.pk), note="Đã báo cáo")
    for action in ("nghiem-thu", "tra-lai"):
        assert client.post(reverse("tasks:action", args=[a.pk, action]), {"reason": "x"}).status_code == 403
    ext.refresh_from_db()
    assert ext.status == ExtensionStatus.PENDING and Assignment.objects.get(pk=a.pk).due_on == DUE
    # withdrawing it stays possible: the remedy for such a task
    services.cancel(chairman, Assignment.objects.get(pk=a.pk))
    assert Assignment.objects.get(pk=a.pk).status == Status.CANCELLED


def test_the_assigning_side_decides_and_never_on_its_own_request(units, actors) -> None:  # type: ignore[no-untyped-def]
    specialist, head = actors["district_specialist"], actors["noi_vu_head"]
    own = manual(specialist, [units["noi_vu"]]).assignments.get()  # Phòng Nội vụ's own task
    services.acknowledge(specialist, own)
    ext = services.request_extension(specialist, Assignment.objects.get(pk=own.pk), "Chờ số liệu", date(2020, 5, 15))
    with pytest.raises(PermissionDenied, match="không tự duyệt"):
        services.decide_extension(specialist, ext, True)
    for outsider in ("ward_chairman", "district_leader", "district_clerk"):
        with pytest.raises(PermissionDenied):
            services.decide_extension(actors[outsider], ext, True)
    services.decide_extension(head, ext, True)
    assert Assignment.objects.get(pk=own.pk).due_on == date(2020, 5, 15)


# --- the forms offer only the reach and say why --------------------------------------------------------------

def _options(html: str, units, names) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    return {n: f'value="{units[n].pk}"' in html for n in names}


def test_manual_task_form_offers_only_the_reach(units, actors, login) -> None:  # type: ignore[no-untyped-def]
    html = login(actors["ward_chairman"]).get(reverse("tasks:create")).content.decode()
    assert _options(html, units, ["le_binh", "city", "so_noi_vu", "ba_lang", "district", "tan_an"]) == {
        "le_binh": True, "city": False, "so_noi_vu": False, "ba_lang": False, "district": False, "tan_an": False}
    assert "Chỉ hiện các đơn vị trong phạm vi giao việc" in html and "không giao lên cấp trên" in html
    html = login(actors["district_specialist"]).get(reverse("tasks:create")).content.decode()
    assert _options(html, units, ["le_binh", "ba_lang", "van_phong", "noi_vu", "district", "so_noi_vu", "city"]) == {
        "le_binh": True, "ba_lang": True, "van_phong": True, "noi_vu": True, "district": False, "so_noi_vu": False,
        "city": False}


@pytest.mark.parametrize("who,target", [("ward_chairman", "city"), ("ward_chairman", "so_noi_vu"),
                                        ("ward_chairman", "ba_lang"), ("district_specialist", "so_noi_vu"),
                                        ("district_specialist", "city")])
def test_manual_task_form_refuses_a_forged_unit(units, actors, login, who, target) -> None:  # type: ignore[no-untyped-def]
    response = login(actors[who]).post(reverse("tasks:create"), {
        "title": "Báo cáo nhanh", "source_note": "Điện thoại", "lead_units": [units[target].pk], "due_on": ""})
    assert response.status_code == 200 and "Đơn vị đã chọn không hợp lệ" in response.content.decode()
    assert not Task.objects.exists()


def test_giao_viec_names_the_units_it_leaves_out(units, actors, login) -> None:  # type: ignore[no-untyped-def]
    from dieuhanh.documents.models import Direction, Register
    from dieuhanh.documents.services import register_document

    register = Register.objects.create(unit=units["district"], direction=Direction.OUTGOING, name="Sổ văn bản đi")
    body = ("Giao Phòng Nội vụ chủ trì, phối hợp Văn phòng HĐND và UBND quận Cái Răng tổng hợp báo cáo, "
            "gửi Sở Nội vụ thành phố Cần Thơ trước ngày 30/4/2020.\nGiao Sở Nội vụ thành phố Cần Thơ "
            "hướng dẫn thực hiện.")
    document = register_document(actors["district_clerk"], register, {
        "doc_type": "Công văn", "number_symbol": "313/UBND", "subject": "Tổng kết CCHC", "issued_on": date(2020, 3, 2),
        "issuer": "Ủy ban nhân dân quận Cái Răng", "body": body})
    document.shared_with.add(units["noi_vu"])
    html = login(actors["district_specialist"]).get(reverse("tasks:propose", args=[document.pk])).content.decode()
    assert f'<option value="{units["so_noi_vu"].pk}"' not in html and f'<option value="{units["le_binh"].pk}"' in html
    assert "không giao việc được cho họ" in html and "Sở Nội vụ thành phố Cần Thơ" in html.split(
        "không giao việc được cho họ")[1][:300]


def test_delegation_goes_down_or_across_within_the_reach(units, actors, login) -> None:  # type: ignore[no-untyped-def]
    leader = actors["district_leader"]
    a = manual(leader, [units["noi_vu"]]).assignments.get()
    head = actors["noi_vu_head"]
    services.acknowledge(head, a)
    a = Assignment.objects.get(pk=a.pk)
    html = login(head).get(reverse("tasks:assignment", args=[a.pk])).content.decode()
    form = html.split('id="giao_tiep_units"')[1].split("</select>")[0]
    assert _options(form, units, ["le_binh", "ba_lang", "van_phong", "noi_vu", "district", "so_noi_vu"]) == {
        "le_binh": True, "ba_lang": True, "van_phong": True, "noi_vu": False, "district": False, "so_noi_vu": False}
    with pytest.raises(PermissionDenied):
        services.delegate(head, a, [units["so_noi_vu"]], date(2020, 4, 20), "Gửi Sở")
    with pytest.raises(PermissionDenied):
        services.delegate(head, a, [units["district"]], date(2020, 4, 20), "Trả lên quận")
    response = login(head).post(reverse("tasks:action", args=[a.pk, "giao-tiep"]), {
        "title": "Gửi Sở", "units": [units["so_noi_vu"].pk], "due_on": "20/04/2020"})
    assert response.status_code == 302 and not Task.objects.filter(title="Gửi Sở").exists()
    sub = services.delegate(head, a, [units["le_binh"], units["ba_lang"]], date(2020, 4, 20), "Các phường báo cáo")
    assert set(sub.assignments.values_list("unit_id", flat=True)) == ids(units, "le_binh", "ba_lang")


# --- the API ---------------------------------------------------------------------------------------------

def _api(client, user, payload):  # type: ignore[no-untyped-def]
    _token, secret = ApiToken.issue(user, "kịch bản")
    return client.post("/api/tasks", json.dumps(payload), content_type="application/json",
                       headers={"Authorization": f"Bearer {secret}"})


def _task(*codes: str, title: str = "Báo cáo nhanh tình hình mưa bão") -> dict:
    return {"title": title, "source_note": "Điện thoại", "lead_units": list(codes), "due_on": "2020-04-30"}


@pytest.mark.parametrize("who,code", [("ward_chairman", "ubnd_tp_cantho"), ("ward_chairman", "snv_ct"),
                                      ("ward_chairman", "p_ba_lang"), ("district_specialist", "snv_ct"),
                                      ("district_specialist", "ubnd_tp_cantho"), ("district_specialist", "ubnd_q_cairang")])
def test_api_refuses_units_outside_the_reach(client, units, actors, who, code) -> None:  # type: ignore[no-untyped-def]
    response = _api(client, actors[who], _task(code))
    assert response.status_code == 403 and "Không giao việc được cho" in response.json()["detail"]
    assert not Task.objects.exists()


def test_api_creates_a_task_within_the_reach(client, units, actors) -> None:  # type: ignore[no-untyped-def]
    response = _api(client, actors["district_specialist"], _task("p_le_binh", "p_ba_lang"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["assigned_by_unit"] == "phong_noi_vu" and {a["unit"] for a in body["assignments"]} == {
        "p_le_binh", "p_ba_lang"}
    task = Task.objects.get(pk=body["id"])
    rows = AuditLog.objects.filter(object_type__in=["tasks.task", "tasks.assignment"])
    assert rows.count() == 3 and all(r.ip == "127.0.0.1" for r in rows)
    assert task.assignments.get(unit=units["le_binh"]).due_on == date(2020, 4, 30)
    for bad, status in ((_task("khong_co_ma"), 400), (_task(), 400), ({"title": "x"}, 400)):
        assert _api(client, actors["district_specialist"], bad).status_code == status
    assert _api(client, actors["ward_clerk"], _task("p_le_binh")).status_code == 403  # a clerk does not issue


def test_api_lists_the_reach(client, units, actors) -> None:  # type: ignore[no-untyped-def]
    _token, secret = ApiToken.issue(actors["ward_chairman"], "kịch bản")
    response = client.get("/api/tasks/units", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert [u["code"] for u in response.json()["units"]] == ["p_le_binh"]
    _token, secret = ApiToken.issue(actors["district_specialist"], "kịch bản")
    found = client.get("/api/tasks/units?on=2020-03-05", headers={"Authorization": f"Bearer {secret}"}).json()
    assert sorted(u["code"] for u in found["units"]) == ["p_ba_lang", "p_le_binh", "phong_noi_vu", "vp_hdnd_ubnd"]
    assert "không giao lên" in found["explanation"]
    empty = client.get("/api/tasks/units?on=2025-07-01", headers={"Authorization": f"Bearer {secret}"}).json()
    assert empty["units"] == []
    assert client.get("/api/tasks/units").status_code == 401


# --- clerks: read-only on the unit's tasks, unless named -------------------------------------------------------

def test_the_clerk_follows_his_units_tasks_read_only(units, actors, login) -> None:  # type: ignore[no-untyped-def]
    clerk, chairman = actors["ward_clerk"], actors["ward_chairman"]
    a = manual(actors["district_specialist"], [units["le_binh"]]).assignments.get()
    for step in (lambda: services.acknowledge(clerk, a),
                 lambda: services.request_extension(clerk, a, "Bận", date(2020, 5, 30))):
        with pytest.raises(PermissionDenied):
            step()
    client = login(clerk)
    page = client.get(reverse("tasks:assignment", args=[a.pk])).content.decode()
    assert "tiep-nhan" not in page and "tien-do" not in page and "xin-gia-han" not in page
    for action, data in (("tiep-nhan", {}), ("tien-do", {"progress": "10", "text": "x"}),
                         ("nop-ket-qua", {"note": "x"}), ("xin-gia-han", {"reason": "x", "proposed_due_on": "30/05/2020"})):
        assert client.post(reverse("tasks:action", args=[a.pk, action]), data).status_code == 403
    assert Assignment.objects.get(pk=a.pk).status == Status.NEW and not Extension.objects.exists()
    # named by his chairman, the task is his
    services.acknowledge(chairman, a)
    sub = services.delegate(chairman, Assignment.objects.get(pk=a.pk), [clerk], date(2020, 4, 20), "Gửi báo cáo")
    mine = sub.assignments.get()
    assert services.acts_for_doer(clerk, mine)
    assert client.post(reverse("tasks:action", args=[mine.pk, "tiep-nhan"])).status_code == 302
    assert Assignment.objects.get(pk=mine.pk).status == Status.ACKNOWLEDGED


def test_every_view_action_audits_the_ip(units, actors, login) -> None:  # type: ignore[no-untyped-def]
    a = manual(actors["district_specialist"], [units["le_binh"]]).assignments.get()
    chairman = login(actors["ward_chairman"])
    before = AuditLog.objects.count()
    for action, data in (("tiep-nhan", {}), ("tien-do", {"progress": "40", "text": "Đã họp"}),
                         ("xin-gia-han", {"reason": "Chờ số liệu", "proposed_due_on": "15/05/2020"}),
                         ("nop-ket-qua", {"note": "Đã xong"})):
        assert chairman.post(reverse("tasks:action", args=[a.pk, action]), data, REMOTE_ADDR="10.1.2.3")\
            .status_code == 302
    specialist = login(actors["noi_vu_head"])
    ext = Extension.objects.get()
    assert specialist.post(reverse("tasks:action", args=[a.pk, "duyet-gia-han"]),
                           {"extension": ext.pk, "decision": "dong_y"}, REMOTE_ADDR="10.1.2.4").status_code == 302
    assert specialist.post(reverse("tasks:action", args=[a.pk, "nghiem-thu"]), REMOTE_ADDR="10.1.2.4")\
        .status_code == 302
    rows = list(AuditLog.objects.order_by("id")[before:])
    assert len(rows) >= 8 and {r.ip for r in rows} == {"10.1.2.3", "10.1.2.4"}, [(r.note, r.ip) for r in rows]
    created = login(actors["district_specialist"]).post(reverse("tasks:create"), {
        "title": "Rà soát", "source_note": "Họp", "lead_units": [units["ba_lang"].pk], "due_on": ""},
        REMOTE_ADDR="10.9.9.9")
    assert created.status_code == 302
    assert set(AuditLog.objects.filter(object_type__in=["tasks.task", "tasks.assignment"], ip="10.9.9.9")
               .values_list("object_type", flat=True)) == {"tasks.task", "tasks.assignment"}
