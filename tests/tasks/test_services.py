"""Tasks services: issuing from the seed, fan-out, every transition and its audit row,
results, acceptance and return, extensions, delegation and roll-up, manual tasks, chains.

The fixtures here (the packaged Cần Thơ units, the seed registered by the district
clerk) are imported by the other tasks test modules.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dieuhanh.accounts.models import AuditAction, AuditLog, Role
from dieuhanh.documents.models import Direction, Register
from dieuhanh.documents.services import preview_intake, register_document
from dieuhanh.orgs.models import Unit
from dieuhanh.orgs.services import load_default
from dieuhanh.tasks import services
from dieuhanh.tasks.buckets import bucket_of
from dieuhanh.tasks.models import Assignment, Bucket, ExtensionStatus, Role as TaskRole, Status, Task, TransitionError
from dieuhanh.tasks.proposals import propose_tasks
from tests.documents.helpers import PLAN_29, SEED
from tests.factories import UserFactory, build_actors, build_tree

SEED_DAY = date(2020, 3, 2)


# --- fixtures shared by the tasks tests ------------------------------------------------------------

@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture(autouse=True)
def fast_password_hasher(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def frozen_today():  # type: ignore[no-untyped-def]
    """Spring 2020, when the seed's units were in force (the test tree ends on 30/06/2025)."""
    with time_machine.travel(datetime(2020, 3, 5, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=True):
        yield


@pytest.fixture
def world(db, settings):  # type: ignore[no-untyped-def]
    """The packaged Cần Thơ tree (2020 and 2025) plus the test tree's extra units and the actors.

    "Trước ngày D" is read strictly (due D − 1), whatever the site setting says.
    """
    settings.TASKS_BEFORE_INCLUSIVE = False
    load_default()
    units = build_tree()
    return {"units": units, "actors": build_actors(units)}


def expected_fan_out(on: date = SEED_DAY) -> set[int]:
    """Every specialised office and every ward of quận Cái Răng in force on ``on``."""
    district = Unit.objects.get(code="ubnd_q_cairang")
    return set(Unit.objects.in_force(on).filter(parent=district, kind__in=["phong", "van_phong", "ubnd_xa"])
               .values_list("pk", flat=True))


def _incoming(unit: Unit) -> Register:
    return Register.objects.get_or_create(unit=unit, direction=Direction.INCOMING,
                                          defaults={"name": "Sổ văn bản đến"})[0]


def register_text(clerk, unit: Unit, data: bytes, name: str, arrived_on: date):  # type: ignore[no-untyped-def]
    preview = preview_intake(data=data, filename=name)
    return register_document(clerk, _incoming(unit), {"arrived_on": arrived_on}, parsed=preview["parsed"])


@pytest.fixture
def seed_document(world):  # type: ignore[no-untyped-def]
    """The seed, registered by the district clerk and passed to Phòng Nội vụ."""
    units, actors = world["units"], world["actors"]
    document = register_text(actors["district_clerk"], units["district"], SEED.read_bytes(), "313.txt",
                             date(2020, 3, 3))
    document.shared_with.add(units["noi_vu"])
    return document


@pytest.fixture
def issued(seed_document, world):  # type: ignore[no-untyped-def]
    """The three tasks of the seed, issued unchanged by the Phòng Nội vụ specialist."""
    specialist = world["actors"]["district_specialist"]
    return services.issue_tasks(specialist, seed_document, propose_tasks(seed_document))


def ward_assignment(issued, world) -> Assignment:  # type: ignore[no-untyped-def]
    return Assignment.objects.get(task=issued[0], unit=world["units"]["le_binh"])


def audit_rows(obj) -> list[AuditLog]:  # type: ignore[no-untyped-def]
    return list(AuditLog.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("id"))


def fresh(a: Assignment) -> Assignment:
    return Assignment.objects.select_related("task").get(pk=a.pk)


# --- issuing ---------------------------------------------------------------------------------------

def test_issue_seed_fans_out_and_keeps_original_dates(issued, world) -> None:  # type: ignore[no-untyped-def]
    plan, build, report = issued
    assert Task.objects.count() == 3
    assert set(plan.assignments.values_list("unit_id", flat=True)) == expected_fan_out()
    assert plan.assignments.count() == len(expected_fan_out()) >= 10
    noi_vu = world["units"]["noi_vu"]
    assert [(a.unit_id, a.due_on, a.original_due_on) for a in build.assignments.all()] == [
        (noi_vu.pk, date(2020, 4, 9), date(2020, 4, 9))]
    assert [a.due_on for a in report.assignments.all()] == [date(2020, 4, 30)]
    assert all(t.assigned_by_unit_id == noi_vu.pk and t.document_id for t in issued)
    assert "Kế hoạch số 29/KH-UBND" in plan.title and plan.source_sentence.startswith("Giao Thủ trưởng")
    assert Assignment.objects.filter(status=Status.NEW).count() == Assignment.objects.count()
    # one audit row per task and per assignment, in the same transaction
    assert AuditLog.objects.filter(object_type="tasks.task", action=AuditAction.CREATE).count() == 3
    assert AuditLog.objects.filter(object_type="tasks.assignment",
                                   action=AuditAction.CREATE).count() == Assignment.objects.count()


def test_issue_with_coordinating_units_and_edits(seed_document, world) -> None:  # type: ignore[no-untyped-def]
    units = world["units"]
    found = propose_tasks(seed_document)[1:2]
    found[0].title = "Xây dựng Kế hoạch tổng kết CCHC"
    found[0].coordinating_unit_ids = [units["van_phong"].pk]
    found[0].due_on = date(2020, 4, 8)
    (task,) = services.issue_tasks(world["actors"]["district_specialist"], seed_document, found)
    rows = {a.unit_id: a for a in task.assignments.all()}
    assert rows[units["van_phong"].pk].role == TaskRole.COORDINATE
    assert rows[units["noi_vu"].pk].role == TaskRole.LEAD
    assert {a.original_due_on for a in rows.values()} == {date(2020, 4, 8)}


def test_issue_refuses_bad_input_and_writes_nothing(seed_document, world) -> None:  # type: ignore[no-untyped-def]
    specialist = world["actors"]["district_specialist"]
    found = propose_tasks(seed_document)
    found[2].lead_unit_ids = []
    with pytest.raises(ValidationError, match="chưa có đơn vị chủ trì"):
        services.issue_tasks(specialist, seed_document, found)
    found = propose_tasks(seed_document)
    later = Unit.objects.create(code="p_moi_2021", name="Ủy ban nhân dân phường Mới", kind="ubnd_xa",
                                parent=Unit.objects.get(code="ubnd_q_cairang"), valid_from=date(2021, 1, 1))
    found[1].lead_unit_ids = [later.pk]  # in the district, but not yet in force in 2020
    with pytest.raises(ValidationError, match="không còn hiệu lực"):
        services.issue_tasks(specialist, seed_document, found)
    found[1].lead_unit_ids = [Unit.objects.get(code="p_cai_rang_2025").pk]  # another branch of the tree
    with pytest.raises(PermissionDenied, match="Không giao việc được cho: Ủy ban nhân dân phường Cái Răng"):
        services.issue_tasks(specialist, seed_document, found)
    assert Task.objects.count() == 0 and Assignment.objects.count() == 0
    with pytest.raises(PermissionDenied):
        services.issue_tasks(world["actors"]["district_clerk"], seed_document, propose_tasks(seed_document))


# --- transitions -------------------------------------------------------------------------------------

def test_every_transition_writes_its_audit_row(issued, world) -> None:  # type: ignore[no-untyped-def]
    actors = world["actors"]
    a = ward_assignment(issued, world)
    ward, assigner = actors["ward_chairman"], actors["district_specialist"]
    services.acknowledge(ward, a)
    services.start(ward, fresh(a))
    note = services.update_progress(ward, fresh(a), 40, "Đã họp triển khai",
                                    upload=SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 ..."))
    assert note.attachment_name == "bien-ban.pdf" and note.attachment.read() == b"%PDF-1.4 ..."
    services.submit_result(ward, fresh(a), note="Đã tổng kết, gửi báo cáo số 15/BC-UBND")
    services.accept(assigner, fresh(a))
    a = fresh(a)
    assert a.status == Status.DONE and a.progress == 100 and a.completed_on is not None
    moves = [(r.before["status"], r.after["status"]) for r in audit_rows(a) if r.action == AuditAction.STATE]
    assert moves == [
        (Status.NEW, Status.ACKNOWLEDGED), (Status.ACKNOWLEDGED, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.IN_PROGRESS), (Status.IN_PROGRESS, Status.SUBMITTED),
        (Status.SUBMITTED, Status.DONE)]
    assert all(r.actor_id for r in audit_rows(a))


def test_illegal_transitions_are_refused_in_vietnamese(issued, world) -> None:  # type: ignore[no-untyped-def]
    actors = world["actors"]
    a = ward_assignment(issued, world)
    ward, assigner = actors["ward_chairman"], actors["district_specialist"]
    with pytest.raises(TransitionError, match="Chỉ nghiệm thu được kết quả đang chờ duyệt"):
        services.accept(assigner, a)
    with pytest.raises(TransitionError, match="Không thể cập nhật tiến độ .*Mới giao"):
        services.update_progress(ward, a, 10, "Bắt đầu")
    with pytest.raises(TransitionError, match="Không thể nộp kết quả"):
        services.submit_result(ward, a, note="Xong")
    services.acknowledge(ward, a)
    with pytest.raises(TransitionError, match="Không thể tiếp nhận nhiệm vụ đang ở trạng thái «Đã tiếp nhận»"):
        services.acknowledge(ward, fresh(a))
    with pytest.raises(ValidationError, match="Tiến độ phải là số"):
        services.update_progress(ward, fresh(a), "nhiều", "x")
    with pytest.raises(TransitionError, match="Tiến độ phải từ 0 đến 100"):
        services.update_progress(ward, fresh(a), 120, "x")
    services.cancel(assigner, fresh(a))
    with pytest.raises(TransitionError, match="Không thể hủy"):
        services.cancel(assigner, fresh(a))
    assert fresh(a).status == Status.CANCELLED and bucket_of(fresh(a)) is None


def test_a_result_is_required_to_complete(issued, world) -> None:  # type: ignore[no-untyped-def]
    ward = world["actors"]["ward_chairman"]
    a = ward_assignment(issued, world)
    services.acknowledge(ward, a)
    with pytest.raises(ValidationError, match="Phải có kết quả"):
        services.submit_result(ward, fresh(a), note="   ")
    assert fresh(a).status == Status.ACKNOWLEDGED
    services.submit_result(ward, fresh(a), upload=SimpleUploadedFile("ket-qua.docx", b"PK..."))
    assert fresh(a).status == Status.SUBMITTED and fresh(a).notes.get().attachment_name == "ket-qua.docx"


def test_result_can_be_an_outgoing_document(issued, world) -> None:  # type: ignore[no-untyped-def]
    units, actors = world["units"], world["actors"]
    out = Register.objects.create(unit=units["le_binh"], direction=Direction.OUTGOING, name="Sổ văn bản đi")
    report = register_document(actors["ward_clerk"], out, {"doc_type": "Báo cáo", "symbol": "BC-UBND",
                                                           "subject": "Tổng kết CCHC 2011-2020"})
    a = ward_assignment(issued, world)
    services.acknowledge(actors["ward_chairman"], a)
    services.submit_result(actors["ward_chairman"], fresh(a), document=report)
    assert fresh(a).result_document == report


def test_return_with_reason_then_resubmit_and_accept(issued, world) -> None:  # type: ignore[no-untyped-def]
    actors = world["actors"]
    ward, assigner = actors["ward_chairman"], actors["noi_vu_head"]
    a = ward_assignment(issued, world)
    services.acknowledge(ward, a)
    services.submit_result(ward, fresh(a), note="Báo cáo sơ bộ")
    with pytest.raises(TransitionError, match="Phải nêu lý do trả lại"):
        services.return_assignment(assigner, fresh(a), "  ")
    services.return_assignment(assigner, fresh(a), "Thiếu số liệu giai đoạn 2016-2020")
    a = fresh(a)
    assert a.status == Status.RETURNED and a.return_reason.startswith("Thiếu số liệu")
    services.update_progress(ward, a, 80, "Bổ sung số liệu")
    services.submit_result(ward, fresh(a), note="Báo cáo đầy đủ")
    assert fresh(a).return_reason == ""
    services.accept(assigner, fresh(a))
    assert fresh(a).status == Status.DONE


def test_only_the_right_side_acts(issued, world) -> None:  # type: ignore[no-untyped-def]
    actors = world["actors"]
    a = ward_assignment(issued, world)
    for name in ("district_leader", "district_specialist", "other_ward_clerk", "outsider", "ward_clerk"):
        with pytest.raises(PermissionDenied):
            services.acknowledge(actors[name], fresh(a))
    services.acknowledge(actors["ward_chairman"], a)
    services.submit_result(actors["ward_chairman"], fresh(a), note="Xong")
    for name in ("district_leader", "ward_chairman", "ward_clerk", "district_clerk"):
        with pytest.raises(PermissionDenied):
            services.accept(actors[name], fresh(a))
    services.accept(actors["district_specialist"], fresh(a))


# --- extensions ------------------------------------------------------------------------------------------

def test_extension_approved_moves_due_on_not_the_original(issued, world) -> None:  # type: ignore[no-untyped-def]
    actors = world["actors"]
    a = Assignment.objects.get(task=issued[1])
    doer, assigner = actors["noi_vu_head"], actors["district_specialist"]
    services.acknowledge(doer, a)
    with pytest.raises(ValidationError, match="Hạn đề nghị phải sau hạn hiện tại"):
        services.request_extension(doer, fresh(a), "Chờ số liệu", date(2020, 4, 9))
    ext = services.request_extension(doer, fresh(a), "Chờ số liệu các phường", date(2020, 4, 20))
    with pytest.raises(TransitionError, match="đang chờ duyệt"):
        services.request_extension(doer, fresh(a), "Lần nữa", date(2020, 4, 25))
    with pytest.raises(PermissionDenied):
        services.decide_extension(actors["district_leader"], ext, True)
    services.decide_extension(assigner, ext, True, "Đồng ý")
    a = fresh(a)
    assert a.due_on == date(2020, 4, 20) and a.original_due_on == date(2020, 4, 9)
    ext.refresh_from_db()
    assert ext.status == ExtensionStatus.APPROVED and ext.previous_due_on == date(2020, 4, 9)
    # the score still uses the original date: on 15/04 the task is overdue
    assert bucket_of(a, on=date(2020, 4, 15)) == Bucket.OPEN_OVERDUE
    with pytest.raises(TransitionError, match="đã được xử lý"):
        services.decide_extension(assigner, ext, False, "Không")
    assert [r.note for r in audit_rows(a) if r.action == AuditAction.UPDATE] == ["Gia hạn"]


def test_extension_refused_keeps_dates_and_history(issued, world) -> None:  # type: ignore[no-untyped-def]
    actors = world["actors"]
    a = Assignment.objects.get(task=issued[2])
    doer, assigner = actors["district_specialist"], actors["noi_vu_head"]
    first = services.request_extension(doer, a, "Lý do 1", date(2020, 5, 10))
    with pytest.raises(ValidationError, match="lý do từ chối"):
        services.decide_extension(assigner, first, False)
    services.decide_extension(assigner, first, False, "Không có căn cứ")
    second = services.request_extension(doer, fresh(a), "Lý do 2", date(2020, 5, 5))
    services.decide_extension(assigner, second, True)
    a = fresh(a)
    assert a.due_on == date(2020, 5, 5) and a.original_due_on == date(2020, 4, 30)
    assert [e.status for e in a.extensions.all()] == [ExtensionStatus.REFUSED, ExtensionStatus.APPROVED]
    assert bucket_of(a, on=date(2020, 5, 1)) == Bucket.OPEN_OVERDUE


# --- delegation and roll-up -------------------------------------------------------------------------------

def test_delegate_to_people_with_an_earlier_deadline_and_roll_up(issued, world) -> None:  # type: ignore[no-untyped-def]
    units, actors = world["units"], world["actors"]
    head, specialist = actors["noi_vu_head"], actors["district_specialist"]
    other = UserFactory(username="cv2.noivu", unit=units["noi_vu"], role=Role.CHUYEN_VIEN)
    a = Assignment.objects.get(task=issued[1])  # due 09/04/2020
    with pytest.raises(TransitionError, match="Phải tiếp nhận"):
        services.delegate(head, a, [specialist], date(2020, 4, 5), "Dự thảo kế hoạch")
    services.acknowledge(head, a)
    with pytest.raises(ValidationError, match="phải sớm hơn hoặc bằng hạn"):
        services.delegate(head, fresh(a), [specialist], date(2020, 4, 10), "Dự thảo kế hoạch")
    with pytest.raises(ValidationError, match="Chỉ giao tiếp được cho người"):
        services.delegate(head, fresh(a), [actors["ward_clerk"]], date(2020, 4, 5), "Dự thảo")
    sub = services.delegate(head, fresh(a), [specialist, other], date(2020, 4, 9), "Dự thảo kế hoạch")
    assert sub.parent_id == a.pk and sub.assigned_by_unit_id == units["noi_vu"].pk
    assert sub.document_id == a.task.document_id
    rows = list(sub.assignments.order_by("id"))
    assert [r.assignee for r in rows] == [specialist, other] and {r.due_on for r in rows} == {date(2020, 4, 9)}
    assert fresh(a).status == Status.IN_PROGRESS
    services.acknowledge(specialist, rows[0])
    services.update_progress(specialist, fresh(rows[0]), 60, "Đã có dự thảo")
    assert fresh(a).progress == 30  # mean of 60 and 0
    with pytest.raises(PermissionDenied):  # the other officer's assignment is not theirs
        services.acknowledge(specialist, rows[1])
    services.cancel(head, fresh(rows[1]))  # the head (assigner of the sub-task) withdraws one
    assert fresh(a).progress == 60
    services.submit_result(specialist, fresh(rows[0]), note="Dự thảo hoàn chỉnh")
    services.accept(head, fresh(rows[0]))
    assert fresh(a).progress == 100
    assert any(r.note.startswith("Tổng hợp tiến độ") for r in audit_rows(a))


def test_ward_chairman_delegates_to_a_ward_officer(issued, world) -> None:  # type: ignore[no-untyped-def]
    units, actors = world["units"], world["actors"]
    officer = UserFactory(username="cv.lebinh", unit=units["le_binh"], role=Role.CHUYEN_VIEN)
    a = ward_assignment(issued, world)  # the plan task has no deadline
    services.acknowledge(actors["ward_chairman"], a)
    with pytest.raises(PermissionDenied):  # a clerk does not delegate
        services.delegate(actors["ward_clerk"], fresh(a), [officer], date(2020, 4, 1), "Tổng kết tại phường")
    with pytest.raises(PermissionDenied):  # the district leader sees but does not act
        services.delegate(actors["district_leader"], fresh(a), [officer], date(2020, 4, 1), "Tổng kết")
    with pytest.raises(PermissionDenied, match="Không giao việc được cho: Ủy ban nhân dân phường Ba Láng"):
        services.delegate(actors["ward_chairman"], fresh(a), [units["ba_lang"]], date(2020, 4, 1), "Tổng kết")
    sub = services.delegate(actors["ward_chairman"], fresh(a), [officer], date(2020, 4, 1), "Tổng kết tại phường")
    (row,) = sub.assignments.all()
    assert row.unit_id == units["le_binh"].pk and row.assignee == officer
    services.acknowledge(officer, row)
    services.update_progress(officer, fresh(row), 50, "Đang làm")
    assert fresh(a).progress == 50


def test_delegate_to_sub_units(world) -> None:  # type: ignore[no-untyped-def]
    units, actors = world["units"], world["actors"]
    city_specialist = UserFactory(username="cv.snv", unit=units["so_noi_vu"], role=Role.CHUYEN_VIEN)
    task = services.create_task(city_specialist, "Tổng kết CCHC toàn quận", [units["district"]], date(2020, 4, 25),
                                source_note="Họp giao ban ngày 28/02/2020")
    a = task.assignments.get()
    services.acknowledge(actors["district_leader"], a)
    sub = services.delegate(actors["district_leader"], fresh(a), [units["le_binh"], units["ba_lang"]],
                            date(2020, 4, 20), "Tổng kết tại phường")
    rows = list(sub.assignments.order_by("unit__name"))
    assert {r.unit_id for r in rows} == {units["le_binh"].pk, units["ba_lang"].pk}
    services.acknowledge(actors["ward_chairman"], [r for r in rows if r.unit_id == units["le_binh"].pk][0])
    lb = Assignment.objects.get(task=sub, unit=units["le_binh"])
    services.update_progress(actors["ward_chairman"], lb, 100, "Xong")
    assert fresh(a).progress == 50


# --- manual tasks --------------------------------------------------------------------------------------------

def test_manual_task_needs_a_source_note(world) -> None:  # type: ignore[no-untyped-def]
    units, actors = world["units"], world["actors"]
    specialist = actors["district_specialist"]
    with pytest.raises(ValidationError, match="nguồn giao"):
        services.create_task(specialist, "Rà soát hồ sơ", [units["le_binh"]], date(2026, 12, 1), source_note=" ")
    task = services.create_task(specialist, "Rà soát hồ sơ", [units["le_binh"], units["ba_lang"]], date(2020, 5, 1),
                                source_note="Điện thoại của Phó Chủ tịch, 03/03/2020",
                                coordinating=[units["van_phong"]])
    assert task.document_id is None and task.source_note.startswith("Điện thoại")
    assert sorted(task.assignments.values_list("role", flat=True)) == [TaskRole.LEAD, TaskRole.LEAD,
                                                                         TaskRole.COORDINATE]
    assert len(audit_rows(task)) == 1
    with pytest.raises(PermissionDenied):
        services.create_task(actors["ward_clerk"], "X", [units["le_binh"]], None, source_note="Họp")


# --- the chain -------------------------------------------------------------------------------------------------

def test_chain_from_the_city_plan_to_the_ward_officer_with_constant_queries(issued, world) -> None:  # type: ignore[no-untyped-def]
    units, actors = world["units"], world["actors"]
    plan = register_text(actors["district_clerk"], units["district"], PLAN_29.encode(), "29.txt", date(2020, 2, 28))
    a = ward_assignment(issued, world)
    services.acknowledge(actors["ward_chairman"], a)
    with CaptureQueriesContext(connection) as before:
        services.chain(a, actors["district_leader"])
    officer = UserFactory(username="cv.lebinh", unit=units["le_binh"], role=Role.CHUYEN_VIEN)
    sub = services.delegate(actors["ward_chairman"], fresh(a), [officer], date(2020, 4, 1), "Tổng kết tại phường")
    services.acknowledge(officer, sub.assignments.get())
    deeper = services.delegate(officer, sub.assignments.get(), [officer], date(2020, 3, 30), "Thu thập số liệu")
    with CaptureQueriesContext(connection) as after:
        found = services.chain(deeper.assignments.get(), actors["district_leader"])
    assert len(after) == len(before)
    assert [d.pk for d in found.documents] == [plan.pk, issued[0].document_id]
    (root,) = found.roots
    assert root.task == issued[0]
    ward = next(subs for row, subs in root.assignments if row.pk == a.pk)
    assert ward[0].task == sub and ward[0].assignments[0][1][0].task == deeper


def test_chain_without_a_document(world) -> None:  # type: ignore[no-untyped-def]
    units, actors = world["units"], world["actors"]
    task = services.create_task(actors["district_specialist"], "Kiểm tra", [units["le_binh"]], date(2020, 5, 1),
                                source_note="Họp")
    a = task.assignments.get()
    services.acknowledge(actors["ward_chairman"], a)
    officer = UserFactory(username="cv.lebinh", unit=units["le_binh"], role=Role.CHUYEN_VIEN)
    sub = services.delegate(actors["ward_chairman"], fresh(a), [officer], date(2020, 4, 30), "Kiểm tra tại phường")
    found = services.chain(sub.assignments.get())
    assert found.documents == [] and found.roots[0].task == task
    assert found.roots[0].assignments[0][1][0].task == sub


def test_a_double_issue_is_refused(seed_document, world) -> None:  # type: ignore[no-untyped-def]
    specialist = world["actors"]["district_specialist"]
    services.issue_tasks(specialist, seed_document, propose_tasks(seed_document), already_issued=0)
    with pytest.raises(TransitionError, match="không giao lặp lại"):
        services.issue_tasks(specialist, seed_document, propose_tasks(seed_document), already_issued=0)
    assert Task.objects.count() == 3
    assert services.issued_count(specialist, seed_document) == 3


def test_chain_hides_other_units_internal_delegation(issued, world) -> None:  # type: ignore[no-untyped-def]
    units, actors = world["units"], world["actors"]
    officer = UserFactory(username="cv.lebinh", unit=units["le_binh"], role=Role.CHUYEN_VIEN)
    a = ward_assignment(issued, world)
    services.acknowledge(actors["ward_chairman"], a)
    services.delegate(actors["ward_chairman"], fresh(a), [officer], date(2020, 4, 1), "Tổng kết tại phường")
    other = Assignment.objects.get(task=issued[0], unit=units["ba_lang"])
    seen_by_ba_lang = services.chain(other, actors["other_ward_clerk"])
    le_binh_row = next(subs for row, subs in seen_by_ba_lang.roots[0].assignments if row.pk == a.pk)
    assert le_binh_row == [] and a.pk not in seen_by_ba_lang.visible_ids
    seen_by_district = services.chain(other, actors["district_leader"])
    assert next(subs for row, subs in seen_by_district.roots[0].assignments if row.pk == a.pk)
