"""The demo's task story: 313/UBND's tasks issued from the proposals, a 2020 history, live tasks."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from dieuhanh.accounts.models import AuditLog, User
from dieuhanh.documents.models import Document
from dieuhanh.orgs.models import Unit
from dieuhanh.tasks.buckets import bucket_counts, bucket_of
from dieuhanh.tasks.models import (Assignment, Bucket, Extension, ExtensionStatus, Notification, NotificationKind,
                                   ProgressNote, Status, Task)
from dieuhanh.web import demo_story

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def _settings(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS_BEFORE_INCLUSIVE = False  # the strict rule: "trước ngày 10/4" → 09/04


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def story_tasks() -> list[Task]:
    letter = Document.objects.get(ns_key="313/UBND")
    return list(Task.objects.filter(document=letter, parent__isnull=True).order_by("issued_at", "id"))


def assignment(task: Task, code: str) -> Assignment:
    return Assignment.objects.get(task=task, unit__code=code)


def test_tasks_come_from_the_proposals_and_reach_every_office_and_ward():
    output = run()
    implement, plan, report = story_tasks()
    letter = implement.document
    specialist = User.objects.get(username="cv.noivu")
    assert {t.assigned_by_id for t in (implement, plan, report)} == {specialist.pk}
    assert {t.assigned_by_unit.code for t in (implement, plan, report)} == {"phong_noi_vu"}
    # what the "Giao việc" page proposes: the source sentence, located in the letter's text
    for t in (implement, plan, report):
        start, end = t.source_span
        assert t.source_sentence and letter.body[start:end] == t.source_sentence

    district = Unit.objects.get(code="ubnd_q_cairang")
    offices = set(Unit.objects.in_force(date(2020, 3, 2)).filter(parent=district, kind__in=["phong", "van_phong"])
                  .values_list("code", flat=True))
    wards = set(Unit.objects.in_force(date(2020, 3, 2)).filter(parent=district, kind="ubnd_xa")
                .values_list("code", flat=True))
    assert len(offices) == 12 and len(wards) == 7
    assert set(implement.assignments.values_list("unit__code", flat=True)) == offices | wards
    assert implement.assignments.count() == 19
    assert "29/KH-UBND" in implement.title
    assert list(plan.assignments.values_list("unit__code", flat=True)) == ["phong_noi_vu"]
    assert list(report.assignments.values_list("unit__code", flat=True)) == ["phong_noi_vu"]
    assert "Kế hoạch cụ thể" in plan.title and "khen thưởng" in plan.description
    assert "báo cáo tổng kết" in report.title
    # Strict rule: "trước ngày 10 tháng 4 năm 2020" → 09/04, "trước ngày 01 tháng 5 năm 2020" → 30/04.
    assert assignment(plan, "phong_noi_vu").original_due_on == date(2020, 4, 9)
    assert assignment(report, "phong_noi_vu").original_due_on == date(2020, 4, 30)
    assert "trước ngày 10 tháng 4 năm 2020" in plan.deadline_phrase
    # The letter gives the implementation no date; the specialist gave it the summary's.
    assert set(implement.assignments.values_list("original_due_on", flat=True)) == {date(2020, 4, 9)}
    assert implement.issued_at.astimezone(VN).date() == date(2020, 3, 3)
    # The printed summary
    assert "Câu chuyện nhiệm vụ" in output and "MÔ PHỎNG" in output
    assert "19 đơn vị, hạn 09/04/2020" in output and "1 đơn vị, hạn 30/04/2020" in output
    for bucket in Bucket:
        assert str(bucket.label) in output


def test_the_letter_is_shared_with_phong_noi_vu():
    from dieuhanh.documents.services import documents_visible_to

    run()
    letter = Document.objects.get(ns_key="313/UBND")
    assert list(letter.shared_with.values_list("code", flat=True)) == ["phong_noi_vu"]
    assert documents_visible_to(User.objects.get(username="cv.noivu")).filter(pk=letter.pk).exists()


def test_a_simulated_history_in_2020():
    run()
    implement, plan, report = story_tasks()
    on = date(2020, 6, 1)
    buckets = {a.unit.code: bucket_of(a, on) for a in implement.assignments.select_related("unit")}
    assert buckets["p_le_binh"] == Bucket.DONE_ON_TIME and buckets["phong_noi_vu"] == Bucket.DONE_ON_TIME
    assert buckets["p_ba_lang"] == Bucket.DONE_LATE and buckets["phong_kinh_te"] == Bucket.DONE_LATE
    assert buckets["p_tan_phu"] == Bucket.OPEN_OVERDUE and buckets["phong_tnmt"] == Bucket.OPEN_OVERDUE
    assert sum(b == Bucket.DONE_ON_TIME for b in buckets.values()) >= 8
    assert assignment(implement, "p_thuong_thanh").status == Status.NEW  # never acknowledged
    assert assignment(implement, "phong_vhtt").status == Status.SUBMITTED
    assert assignment(implement, "phong_tnmt").progress == 80
    # Dates moved into 2020; completed_on follows the submission's date.
    le_binh = assignment(implement, "p_le_binh")
    assert le_binh.acknowledged_at.astimezone(VN).date() == date(2020, 3, 3)
    assert le_binh.completed_on == date(2020, 4, 6) and le_binh.progress == 100
    assert list(ProgressNote.objects.filter(assignment=le_binh).values_list("at__year", flat=True)) == [2020, 2020]
    for a in Assignment.objects.filter(task__document=implement.document):
        assert a.acknowledged_at is None or a.acknowledged_at.year == 2020
        assert a.completed_on is None or a.completed_on.year == 2020
    # One return: Phú Thứ resubmitted the same day's deadline and was accepted on time.
    phu_thu = assignment(implement, "p_phu_thu")
    assert phu_thu.status == Status.DONE and phu_thu.completed_on == date(2020, 4, 9)
    assert AuditLog.objects.filter(object_id=str(phu_thu.pk), note="Trả lại").exists()
    # Real users acted: the ward's chairman acknowledged, the specialist accepted.
    actors = set(AuditLog.objects.filter(object_id=str(le_binh.pk), note__in=["Tiếp nhận", "Nghiệm thu"])
                 .values_list("actor__username", flat=True))
    assert actors == {"ct.lebinh", "cv.noivu"}
    assert assignment(plan, "phong_noi_vu").completed_on == date(2020, 4, 8)
    assert assignment(report, "phong_noi_vu").completed_on == date(2020, 4, 28)


def test_one_extension_keeps_the_original_due_date():
    run()
    ext = Extension.objects.select_related("assignment__unit").get()
    a = ext.assignment
    assert a.unit.code == "p_hung_thanh" and ext.status == ExtensionStatus.APPROVED
    assert ext.requested_by.username == "ct.hungthanh" and ext.decided_by.username == "tp.noivu"
    assert ext.requested_at.date() == date(2020, 4, 6) and ext.decided_at.astimezone(VN).date() == date(2020, 4, 7)
    assert (a.original_due_on, a.due_on, a.completed_on) == (date(2020, 4, 9), date(2020, 4, 24), date(2020, 4, 22))
    assert bucket_of(a) == Bucket.DONE_LATE  # scored against the original date


def test_all_four_buckets_tell_a_story_today():
    run()
    counts = bucket_counts(Assignment.objects.all())
    assert all(counts[b.value] > 0 for b in Bucket), counts


def test_live_tasks_relative_to_today_and_the_reminders_they_raise(settings):
    import time_machine

    from dieuhanh.tasks.calendar import work_calendar

    day = date(2026, 11, 25)  # a Wednesday, a working day
    with time_machine.travel(datetime(2026, 11, 25, 7, 30, tzinfo=VN), tick=False):
        run()
        cal = work_calendar()
        live = {a.task.title: a for a in Assignment.objects.filter(task__source_note=demo_story.MEETING)
                .select_related("task", "unit")}
        assert len(live) == 4
        assert all(a.task.document_id is None and a.task.assigned_by.username == "pct.cantho" for a in live.values())
        by_due = sorted(live.values(), key=lambda a: a.due_on)
        overdue, due_today, soon, unacked = by_due
        assert overdue.due_on == cal.add_working_days(day, -5) and overdue.status == Status.IN_PROGRESS
        assert due_today.due_on == day and due_today.status == Status.ACKNOWLEDGED
        assert soon.due_on == cal.add_working_days(day, 2)
        assert unacked.status == Status.NEW and unacked.acknowledged_at is None
        worker = pytest.importorskip("dieuhanh.tasks.worker")  # the reminder worker (being finished beside this)
        worker.scan(day)
    # the reminders (the events of the story — new task, acknowledged… — are notifications too)
    kinds = dict(Notification.objects.filter(assignment__in=[overdue, due_today, soon, unacked])
                 .exclude(kind=NotificationKind.EVENT).values_list("assignment_id", "kind"))
    assert kinds[overdue.pk] in (NotificationKind.OVERDUE, NotificationKind.ESCALATED)
    assert kinds[due_today.pk] == NotificationKind.DUE_TODAY
    assert kinds[soon.pk] == NotificationKind.BEFORE_DUE
    assert kinds[unacked.pk] == NotificationKind.UNACKNOWLEDGED
    doers = set(Notification.objects.filter(assignment=unacked).values_list("user__username", flat=True))
    assert "ct.phuongcairang" in doers


def test_a_rerun_creates_nothing_new():
    run()

    def counts() -> tuple[int, ...]:
        return (User.objects.count(), Task.objects.count(), Assignment.objects.count(), Extension.objects.count(),
                ProgressNote.objects.count(), AuditLog.objects.count(), Document.objects.count())

    before = counts()
    statuses = list(Assignment.objects.order_by("id").values_list("status", "progress", "due_on"))
    output = run()
    assert counts() == before
    assert list(Assignment.objects.order_by("id").values_list("status", "progress", "due_on")) == statuses
    assert "không tạo thêm" in output and "Tổng hợp theo bốn nhóm" in output


def test_no_story_leaves_the_letter_to_the_specialist():
    run("--no-story")
    assert Task.objects.count() == 0
    assert Document.objects.get(ns_key="313/UBND").shared_with.filter(code="phong_noi_vu").exists()
    run()  # the story can still be added later
    assert len(story_tasks()) == 3
