"""The finished-work tally follows every change an assignment can go through, and a rebuild agrees."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from dieuhanh.tasks import services, tally
from dieuhanh.tasks.buckets import bucket_counts
from dieuhanh.tasks.dashboard import leader_dashboard
from dieuhanh.tasks.models import Assignment, DoneTally, Status, Task
from dieuhanh.tasks.worker import run_once

pytestmark = pytest.mark.django_db
TODAY = date(2024, 6, 15)
D = timedelta


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def tallies() -> dict[tuple[int, date], tuple[int, int]]:
    return {(t.unit_id, t.month): (t.on_time, t.late)
            for t in DoneTally.objects.all() if t.on_time or t.late}


def assign(unit, by, status=Status.NEW, due=None, done=None):  # type: ignore[no-untyped-def]
    task = Task.objects.create(title="Nhiệm vụ", assigned_by_unit=by)
    return Assignment.objects.create(task=task, unit=unit, status=status, due_on=due, original_due_on=due,
                                     completed_on=done)


def test_saves_move_the_counts_and_a_rebuild_agrees(units):
    le_binh, district = units["le_binh"], units["district"]
    on_time = assign(le_binh, district, Status.DONE, TODAY - D(5), done=TODAY - D(6))
    late = assign(le_binh, district, Status.DONE, TODAY - D(20), done=TODAY - D(2))
    assign(le_binh, district, Status.IN_PROGRESS, TODAY + D(3))
    no_due = assign(units["noi_vu"], district, Status.DONE, None, done=TODAY)
    assert tallies() == {(le_binh.id, date(2024, 6, 1)): (1, 0), (le_binh.id, date(2024, 5, 1)): (0, 1),
                         (units["noi_vu"].id, tally.NO_DUE_MONTH): (1, 0)}
    # Reopened (returned after acceptance by an admin fix), moved to another month, deleted.
    late.refresh_from_db()
    late.status = Status.RETURNED
    late.save()
    on_time.original_due_on = TODAY + D(30)
    on_time.save(update_fields=["original_due_on"])
    no_due.task.delete()
    expected = {(le_binh.id, date(2024, 7, 1)): (1, 0)}
    assert tallies() == expected
    tally.rebuild()
    assert tallies() == expected


def test_saves_through_a_partial_load_still_count(units):
    a = assign(units["le_binh"], units["district"], Status.SUBMITTED, TODAY)
    partial = Assignment.objects.only("id").get(pk=a.pk)
    partial.status, partial.completed_on = Status.DONE, TODAY
    partial.save(update_fields=["status", "completed_on"])
    assert tallies() == {(units["le_binh"].id, date(2024, 6, 1)): (1, 0)}


@time_machine.travel(date(2024, 6, 15), tick=False)
def test_service_transitions_and_the_dashboard_agree_with_live_counts(units, actors):
    specialist, chairman = actors["district_specialist"], actors["ward_chairman"]
    task = services.create_task(specialist, "Báo cáo tổng kết CCHC", [units["le_binh"], units["ba_lang"]],
                                TODAY + D(5), source_note="Cuộc họp giao ban")
    mine = task.assignments.get(unit=units["le_binh"])
    services.acknowledge(chairman, mine)
    services.submit_result(chairman, mine, note="Đã gửi báo cáo")
    services.accept(specialist, mine)
    assert tallies() == {(units["le_binh"].id, date(2024, 6, 1)): (1, 0)}
    data = leader_dashboard(actors["district_leader"], on=TODAY + D(10))
    live = bucket_counts(Assignment.objects.filter(unit__in=[units["le_binh"], units["ba_lang"]]), TODAY + D(10))
    assert data.counts == live
    assert (live["done_on_time"], live["open_overdue"]) == (1, 1)


def test_bulk_writes_are_mended_by_the_worker_once_a_day(units):
    a = assign(units["le_binh"], units["district"], Status.IN_PROGRESS, TODAY)
    Assignment.objects.filter(pk=a.pk).update(status=Status.DONE, completed_on=TODAY + D(1))  # bypasses save()
    assert tallies() == {}
    with time_machine.travel(date(2024, 6, 17), tick=False):  # a Monday: the daily scan runs
        stats = run_once(worker_id="w1")
    assert stats.scan_state == "done" and stats.extra["tally_rows"] == 1
    assert tallies() == {(units["le_binh"].id, date(2024, 6, 1)): (0, 1)}
