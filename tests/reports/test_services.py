"""Report requests: fan-out, draft → submit → return → resubmit → accept, permissions, outlines."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from dieuhanh.accounts.models import AuditLog
from dieuhanh.orgs.models import UnitKind
from dieuhanh.reports import permissions as perms
from dieuhanh.reports import services
from dieuhanh.reports.models import (Outline, OutlineVersion, ReportRequest, Submission, SubmissionAttachment,
                                     SubmissionStatus, SubmissionVersion)
from dieuhanh.tasks.models import Assignment, Status, Task, TransitionError
from tests.factories import UserFactory
from tests.reports.factories import (DRAFT_DATA, GOOD_DATA, SMALL_OUTLINE_YAML, make_request, small_outline,
                                     submission_of)


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel("2020-04-10 09:00 +0700", tick=False) as traveller:
        yield traveller


@pytest.fixture
def wards(units):  # type: ignore[no-untyped-def]
    return [units["le_binh"], units["ba_lang"]]


@pytest.fixture
def req(actors, wards):  # type: ignore[no-untyped-def]
    return make_request(actors["district_specialist"], wards, date(2020, 4, 20))


@pytest.fixture
def ward_specialist(units):  # type: ignore[no-untyped-def]
    return UserFactory(username="cv.lebinh", unit=units["le_binh"], role="chuyen_vien")


# --- creating ----------------------------------------------------------------------------------------

def test_request_fans_out_one_task_one_assignment_and_submission_per_unit(req, units, wards, actors):
    task = req.task
    assert task.title == "Báo cáo: Tổng kết cải cách hành chính giai đoạn 2011-2020"
    assert task.assigned_by_unit == units["noi_vu"] and task.source_note == "Yêu cầu báo cáo"
    assert task.description == "Báo cáo theo đề cương kèm theo."
    assignments = list(Assignment.objects.filter(task=task).order_by("unit__name"))
    assert [a.unit for a in assignments] == sorted(wards, key=lambda u: u.name)
    assert {(a.due_on, a.original_due_on, a.status, a.role) for a in assignments} == {
        (date(2020, 4, 20), date(2020, 4, 20), Status.NEW, "chu_tri")}
    subs = list(req.submissions.all())
    assert len(subs) == 2 and {s.assignment_id for s in subs} == {a.pk for a in assignments}
    assert {s.status for s in subs} == {SubmissionStatus.NOT_STARTED}
    assert req.requested_by_unit == units["noi_vu"] and req.requested_by == actors["district_specialist"]
    assert AuditLog.objects.filter(object_type="reports.submission", action="create").count() == 2
    assert AuditLog.objects.filter(object_type="reports.reportrequest", action="create").count() == 1


def test_double_post_returns_the_first_request(req, actors, wards):
    again = make_request(actors["district_specialist"], wards, date(2020, 4, 20), outline_version=req.outline_version)
    assert again.pk == req.pk
    assert ReportRequest.objects.count() == 1 and Task.objects.count() == 1 and Submission.objects.count() == 2


def test_request_from_an_assignment_cites_its_document_and_is_its_subtask(actors, units, wards):
    from dieuhanh.documents.models import Direction, Document, Register

    register = Register.objects.create(unit=units["so_noi_vu"], direction=Direction.OUTGOING, name="Sổ đi")
    doc = Document.objects.create(register=register, direction=Direction.OUTGOING, owner_unit=units["so_noi_vu"],
                                  doc_type="Công văn", number_symbol="313/UBND", reg_year=2020)
    upper = Task.objects.create(title="Báo cáo tổng kết CCHC", document=doc, assigned_by_unit=units["so_noi_vu"])
    source = Assignment.objects.create(task=upper, unit=units["noi_vu"], due_on=date(2020, 4, 30),
                                       original_due_on=date(2020, 4, 30), status=Status.ACKNOWLEDGED)
    with pytest.raises(ValidationError, match="phải sớm hơn hoặc bằng hạn của nhiệm vụ nguồn"):
        make_request(actors["district_specialist"], wards, date(2020, 5, 2), source_assignment=source)
    elsewhere = Assignment.objects.create(task=upper, unit=units["ninh_kieu"], due_on=date(2020, 4, 30))
    with pytest.raises(ValidationError, match="giao cho đơn vị của bạn"):
        make_request(actors["district_specialist"], wards, source_assignment=elsewhere)
    request = make_request(actors["district_specialist"], wards, source_assignment=source)
    assert request.task.document == doc and request.task.parent == source and request.source_task == source
    assert request.task.source_note == ""
    source.refresh_from_db()
    assert source.status == Status.IN_PROGRESS


@pytest.mark.parametrize("change,message", [
    ({"title": "  "}, "Chưa nhập tên báo cáo"),
    ({"units": []}, "Chưa chọn đơn vị"),
    ({"due_on": None}, "hạn gửi báo cáo"),
    ({"period_kind": "xyz"}, "Kỳ báo cáo không hợp lệ"),
    ({"period_start": date(2020, 5, 1)}, "phải trước ngày kết thúc"),
])
def test_bad_request_input_is_refused_with_a_message(actors, wards, change, message):
    user = actors["district_specialist"]
    kwargs = {"title": "Báo cáo", "outline_version": small_outline(user), "units": wards, "period_kind": "khac",
              "period_start": date(2020, 1, 1), "period_end": date(2020, 3, 31), "cutoff_on": None,
              "due_on": date(2020, 4, 20), **change}
    with pytest.raises(ValidationError) as err:
        services.create_request(user, **kwargs)
    assert message in str(err.value)
    assert ReportRequest.objects.count() == 0 and Task.objects.count() == 0


def test_units_no_longer_in_force_are_refused(actors, units, wards):
    units["ba_lang"].valid_to = date(2019, 12, 31)
    units["ba_lang"].save()
    with pytest.raises(ValidationError, match="không còn hiệu lực"):
        make_request(actors["district_specialist"], wards)
    assert ReportRequest.objects.count() == 0 and Task.objects.count() == 0 and Assignment.objects.count() == 0


def test_only_specialists_and_leaders_request(actors, wards):
    with pytest.raises(PermissionDenied):
        make_request(actors["district_clerk"], wards, outline_version=small_outline(actors["district_specialist"]))


def test_units_of_kind(units):
    assert list(services.units_of_kind(units["district"], UnitKind.UBND_XA)) == [units["ba_lang"], units["le_binh"]]


# --- the submission flow ---------------------------------------------------------------------------------

def test_draft_submit_return_resubmit_accept(req, units, actors, ward_specialist, _frozen):
    sub = submission_of(req, units["le_binh"])
    problems = services.save_draft(ward_specialist, sub, DRAFT_DATA)
    assert problems == []  # drafts are not held to the sending rules
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.DRAFT and sub.data["tables"]["PL3"]["tiep_nhan"]["gd1"] == 1200
    assert sub.assignment.status == Status.IN_PROGRESS

    _frozen.move_to("2020-04-15 10:00 +0700")
    assert services.submit(ward_specialist, sub, GOOD_DATA) == []
    sub.refresh_from_db()
    first = sub.first_submitted_at
    assert sub.status == SubmissionStatus.SUBMITTED and sub.version == 1 and first is not None
    assert sub.assignment.status == Status.SUBMITTED

    _frozen.move_to("2020-04-16 10:00 +0700")
    requester = actors["district_specialist"]
    services.return_submission(requester, sub, "Bổ sung số liệu giai đoạn 2011-2015.")
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.RETURNED and sub.return_reason.startswith("Bổ sung")
    assert sub.assignment.status == Status.RETURNED and sub.assignment.return_reason.startswith("Bổ sung")

    services.save_draft(ward_specialist, sub, GOOD_DATA)
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.RETURNED  # until it is sent again

    _frozen.move_to("2020-04-22 10:00 +0700")
    assert services.submit(ward_specialist, sub) == []  # what the draft holds
    sub.refresh_from_db()
    assert sub.version == 2 and sub.first_submitted_at == first and sub.status == SubmissionStatus.SUBMITTED

    _frozen.move_to("2020-04-25 10:00 +0700")
    services.accept_submission(requester, sub)
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.ACCEPTED and sub.accepted_at is not None
    a = sub.assignment
    # One rule with the report tables: the day it was first sent, not the day of the corrected copy.
    assert a.status == Status.DONE and a.completed_on == date(2020, 4, 15)
    events = list(sub.versions.values_list("number", "event"))
    assert events == [(1, "da_nop"), (1, "tra_lai"), (2, "da_nop"), (2, "da_duyet")]
    assert sub.versions.get(event="tra_lai").comment == "Bổ sung số liệu giai đoạn 2011-2015."
    assert AuditLog.objects.filter(object_type="reports.submission", action="state").count() >= 4


def test_problems_on_submit_keep_the_draft_and_change_nothing_else(req, units, ward_specialist):
    sub = submission_of(req, units["le_binh"])
    raw = {**DRAFT_DATA, "tables": {"PL3": {"tiep_nhan": {"gd1": "abc", "gd2": "10"},
                                            "dung_han": {"gd2": "20"}}}}
    problems = services.submit(ward_specialist, sub, raw)
    paths = {p.path for p in problems}
    assert "tables.PL3.tiep_nhan.gd1" in paths  # not a number
    assert any("nhỏ hơn hoặc bằng" in p.message for p in problems)  # on time ≤ received
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.DRAFT and sub.version == 0 and sub.first_submitted_at is None
    assert sub.data["tables"]["PL3"]["tiep_nhan"]["gd1"] == "abc"  # kept as typed
    assert SubmissionVersion.objects.count() == 0
    assert sub.assignment.status == Status.IN_PROGRESS


def test_garbage_input_never_wipes_a_draft(req, units, ward_specialist):
    sub = submission_of(req, units["le_binh"])
    services.save_draft(ward_specialist, sub, DRAFT_DATA)
    for raw in (None, "abc", ["x"]):
        with pytest.raises(ValidationError, match="không đúng định dạng"):
            services.save_draft(ward_specialist, sub, raw)
    sub.refresh_from_db()
    assert sub.data["sections"] == {"1.1": "Đang soạn"}


def test_required_rules_surface_on_submit_only(req, units, ward_specialist):
    sub = submission_of(req, units["le_binh"])
    assert services.save_draft(ward_specialist, sub, {}) == []
    problems = services.submit(ward_specialist, sub, {})
    assert {p.path for p in problems} == {"sections.1.1", "tables.PL3.tiep_nhan.gd2"}
    assert all("bắt buộc" in p.message for p in problems)


def test_double_submit_is_refused(req, units, ward_specialist):
    sub = submission_of(req, units["le_binh"])
    stale = submission_of(req, units["le_binh"])  # the second tab of the same form
    assert services.submit(ward_specialist, sub, GOOD_DATA) == []
    with pytest.raises(TransitionError, match="đã được nộp"):
        services.submit(ward_specialist, stale, GOOD_DATA)
    with pytest.raises(TransitionError, match="không sửa được"):
        services.save_draft(ward_specialist, stale, DRAFT_DATA)
    assert SubmissionVersion.objects.count() == 1
    sub.refresh_from_db()
    assert sub.version == 1


def test_return_needs_a_reason_and_the_requester(req, units, actors, ward_specialist):
    sub = submission_of(req, units["le_binh"])
    services.submit(ward_specialist, sub, GOOD_DATA)
    with pytest.raises(ValidationError, match="lý do"):
        services.return_submission(actors["district_specialist"], sub, "  ")
    for outsider in (ward_specialist, actors["district_clerk"], actors["ward_chairman"]):
        with pytest.raises(PermissionDenied):
            services.return_submission(outsider, sub, "Sai")
        with pytest.raises(PermissionDenied):
            services.accept_submission(outsider, sub)
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SUBMITTED


def test_accept_and_return_need_a_submitted_report(req, units, actors):
    sub = submission_of(req, units["le_binh"])
    with pytest.raises(TransitionError, match="chờ duyệt"):
        services.accept_submission(actors["noi_vu_head"], sub)
    with pytest.raises(TransitionError, match="chờ duyệt"):
        services.return_submission(actors["noi_vu_head"], sub, "Sai")


def test_clerks_and_other_units_cannot_write(req, units, actors):
    sub = submission_of(req, units["le_binh"])
    for user in (actors["ward_clerk"], actors["other_ward_clerk"], actors["district_specialist"]):
        with pytest.raises(PermissionDenied):
            services.save_draft(user, sub, DRAFT_DATA)
        with pytest.raises(PermissionDenied):
            services.submit(user, sub, GOOD_DATA)
    services.submit(actors["ward_chairman"], sub, GOOD_DATA)  # the ward's leader may
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SUBMITTED


# --- attachments -------------------------------------------------------------------------------------------

def test_attachments_size_and_section(req, units, ward_specialist, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path)
    sub = submission_of(req, units["le_binh"])
    att = services.add_attachment(ward_specialist, sub, SimpleUploadedFile("bang-so-lieu.xlsx", b"PK data"), "1.2")
    assert att.name == "bang-so-lieu.xlsx" and att.size == 7 and att.section_key == "1.2"
    with pytest.raises(ValidationError, match="rỗng"):
        services.add_attachment(ward_specialist, sub, SimpleUploadedFile("rong.pdf", b""))
    with pytest.raises(ValidationError, match="không có mục"):
        services.add_attachment(ward_specialist, sub, SimpleUploadedFile("a.pdf", b"x"), "9.9")
    monkeypatch.setattr("dieuhanh.tasks.services.MAX_UPLOAD", 4)
    with pytest.raises(ValidationError, match="quá lớn"):
        services.add_attachment(ward_specialist, sub, SimpleUploadedFile("to.pdf", b"12345"))
    assert SubmissionAttachment.objects.count() == 1
    services.remove_attachment(ward_specialist, att)
    assert SubmissionAttachment.objects.count() == 0


# --- outlines ------------------------------------------------------------------------------------------------

def test_import_outline_versions_only_on_change(actors):
    user = actors["district_specialist"]
    v1 = services.import_outline(user, SMALL_OUTLINE_YAML)
    assert v1.number == 1 and v1.outline.owner_unit_id == user.unit_id and v1.outline.code == "cchc-thu-nghiem"
    assert services.import_outline(user, SMALL_OUTLINE_YAML.encode("utf-8")).pk == v1.pk  # same content
    changed = SMALL_OUTLINE_YAML.replace("Hồ sơ tiếp nhận", "Tổng số hồ sơ tiếp nhận")
    v2 = services.import_outline(user, changed, note="Đổi tên dòng")
    assert v2.number == 2 and v2.outline_id == v1.outline_id and v2.note == "Đổi tên dòng"
    assert OutlineVersion.objects.count() == 2 and Outline.objects.count() == 1
    assert "Tổng số hồ sơ tiếp nhận" in services.outline_yaml(v2)
    assert services.import_outline(user, services.outline_yaml(v2)).pk == v2.pk  # round trip


@pytest.mark.parametrize("text,message", [
    ("code: [", "YAML không hợp lệ"),
    ("", "rỗng"),
    (b"code: \xe0\xe1 x", "UTF-8"),
])
def test_broken_outline_is_a_message(actors, text, message):
    with pytest.raises(ValidationError) as err:
        services.import_outline(actors["district_specialist"], text)
    assert message in " ".join(err.value.messages)
    assert Outline.objects.count() == 0


def test_outline_of_another_unit_cannot_be_versioned(actors, units):
    services.import_outline(actors["district_specialist"], SMALL_OUTLINE_YAML)
    stranger = UserFactory(username="cv.ninhkieu", unit=units["ninh_kieu"], role="chuyen_vien")
    with pytest.raises(PermissionDenied):
        services.import_outline(stranger, SMALL_OUTLINE_YAML.replace("thử nghiệm", "khác"))
    with pytest.raises(PermissionDenied):
        services.import_outline(actors["district_clerk"], SMALL_OUTLINE_YAML)


def test_default_outline_is_idempotent(db):
    from dieuhanh.reports import outline as schema

    try:
        schema.load_default()
    except (FileNotFoundError, schema.OutlineError):  # the built-in outline is not there yet
        pytest.skip("no built-in outline")
    first = services.ensure_default_outline()
    assert services.ensure_default_outline().pk == first.pk
    assert first.versions.count() == 1 and first.current.number == 1
    assert first.current.fingerprint == schema.load_default().fingerprint()


# --- who sees what ----------------------------------------------------------------------------------------------

def test_visibility(req, units, actors):
    mine = submission_of(req, units["le_binh"])
    theirs = submission_of(req, units["ba_lang"])
    ward = actors["ward_clerk"]
    assert list(perms.requests_visible_to(ward)) == [req]
    assert perms.get_request_for_user(ward, req.pk) == req
    assert perms.get_submission_for_user(ward, mine.pk) == mine
    with pytest.raises(Http404):
        perms.get_submission_for_user(ward, theirs.pk)
    for user in (actors["district_specialist"], actors["noi_vu_head"], actors["district_leader"], actors["admin"]):
        assert perms.get_request_for_user(user, req.pk) == req
        assert perms.get_submission_for_user(user, theirs.pk) == theirs
    outsider = actors["outsider"]
    assert list(perms.requests_visible_to(outsider)) == []
    for getter, pk in ((perms.get_request_for_user, req.pk), (perms.get_submission_for_user, mine.pk),
                       (perms.get_outline_for_user, req.outline_version.outline_id),
                       (perms.get_request_for_user, "abc"), (perms.get_submission_for_user, None)):
        with pytest.raises(Http404):
            getter(outsider, pk)
    # the ward sees the outline it was asked to fill
    assert perms.get_outline_for_user(ward, req.outline_version.outline_id).pk == req.outline_version.outline_id


def test_who_acts(req, units, actors, ward_specialist):
    sub = submission_of(req, units["le_binh"])
    assert perms.is_requester(actors["district_specialist"], req) and perms.is_requester(actors["noi_vu_head"], req)
    assert perms.is_requester(actors["admin"], req)
    assert not perms.is_requester(actors["district_clerk"], req)
    assert not perms.is_requester(actors["ward_chairman"], req)
    assert perms.can_edit_submission(ward_specialist, sub) and perms.can_edit_submission(actors["ward_chairman"], sub)
    assert not perms.can_edit_submission(actors["ward_clerk"], sub)  # reads only
    assert not perms.can_edit_submission(actors["other_ward_clerk"], sub)
    assert perms.can_request(actors["district_specialist"]) and not perms.can_request(actors["ward_clerk"])
    assert perms.can_manage_outlines(actors["noi_vu_head"]) and not perms.can_manage_outlines(actors["district_clerk"])
