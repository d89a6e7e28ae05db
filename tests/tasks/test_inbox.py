"""The home page is the user's inbox: new work, decisions, due soon, overdue (red, in working
days), then the unit's documents; the navigation's count; the lateness badges."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from dieuhanh.tasks import lateness, services
from dieuhanh.tasks.models import Assignment, Status
from dieuhanh.web import inbox

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2020, 3, 16)  # a Monday


@pytest.fixture(autouse=True)
def _today():  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime(2020, 3, 16, 9, 0, tzinfo=TZ), tick=False):
        yield


@pytest.fixture
def day(units, actors):  # type: ignore[no-untyped-def]
    """Three tasks of Phòng Nội vụ for Lê Bình: new (due in 2 working days), overdue 5 working days,
    and one whose result waits for Phòng Nội vụ, plus an extension request waiting for it."""
    cv, chairman = actors["district_specialist"], actors["ward_chairman"]
    new = services.create_task(cv, "Rà soát thủ tục hành chính", [units["le_binh"]], date(2020, 3, 18),
                               source_note="Giao ban").assignments.get()
    late = services.create_task(cv, "Báo cáo sơ kết cải cách hành chính", [units["le_binh"]], date(2020, 3, 20),
                                source_note="Giao ban").assignments.get()
    Assignment.objects.filter(pk=late.pk).update(due_on=date(2020, 3, 9), original_due_on=date(2020, 3, 9),
                                                 status=Status.IN_PROGRESS)
    sent = services.create_task(cv, "Tổng hợp ý kiến cử tri", [units["le_binh"]], date(2020, 3, 31),
                                source_note="Giao ban").assignments.get()
    services.acknowledge(chairman, sent)
    services.request_extension(chairman, sent, "Chờ ý kiến các khu vực", date(2020, 4, 10))
    other = services.create_task(cv, "Kiểm tra công vụ", [units["le_binh"]], date(2020, 3, 31),
                                 source_note="Giao ban").assignments.get()
    services.acknowledge(chairman, other)
    services.submit_result(chairman, other, note="Đã kiểm tra 5 bộ phận")
    return {"new": new, "late": late, "sent": sent, "other": other}


def test_lateness_is_counted_in_working_days(db) -> None:  # type: ignore[no-untyped-def]
    assert lateness.working_days_late(date(2020, 3, 9), TODAY) == 5  # Tue–Fri and Mon
    state = lateness.deadline_state(Status.IN_PROGRESS, date(2020, 3, 9), on=TODAY)
    assert (state.tone, state.label) == ("late", "quá hạn 5 ngày làm việc")
    assert lateness.deadline_state(Status.NEW, TODAY, on=TODAY).label == "đến hạn hôm nay"
    assert lateness.deadline_state(Status.NEW, date(2020, 3, 18), on=TODAY).label == "còn 2 ngày làm việc"
    assert lateness.deadline_state(Status.NEW, date(2020, 4, 18), on=TODAY).label == ""
    done = lateness.deadline_state(Status.DONE, date(2020, 3, 9), original_due=date(2020, 3, 9),
                                   completed_on=date(2020, 3, 11), on=TODAY)
    assert done.label == "hoàn thành trễ 2 ngày làm việc"


def test_the_ward_chairman_sees_what_needs_him(login, actors, day, django_assert_max_num_queries) -> None:
    client = login(actors["ward_chairman"])
    with django_assert_max_num_queries(20):
        response = client.get(reverse("web:home"))
    assert response.status_code == 200
    body = response.content.decode()
    sections = {s.key: f for s, f in response.context["sections"]}
    assert [i.title for i in sections["task_new"].items] == ["Rà soát thủ tục hành chính"]
    assert sections["task_new"].count == 1  # the overdue one was started
    assert sections["task_overdue"].count == 1 and "quá hạn 5 ngày làm việc" in body
    assert sections["task_due_soon"].count == 1 and "còn 2 ngày làm việc" in body
    assert sections["task_decisions"].count == 0
    assert 'class="inbox-section inbox-late"' in body
    count = client.get(reverse("web:inbox_count")).content.decode()
    assert ">2<" in count  # new + overdue (decisions: none)


def test_the_assigner_sees_results_and_extensions_to_decide(login, actors, day) -> None:
    response = login(actors["district_specialist"]).get(reverse("web:home"))
    sections = {s.key: f for s, f in response.context["sections"]}
    assert sections["task_decisions"].count == 2
    badges = {i.badge for i in sections["task_decisions"].items}
    assert badges == {"Chờ duyệt gia hạn", "Chờ nghiệm thu"}
    assert sections["task_new"].count == sections["task_overdue"].count == 0


def test_a_clerk_sees_empty_states_and_documents(login, actors, day) -> None:
    response = login(actors["ward_clerk"]).get(reverse("web:home"))
    body = response.content.decode()
    assert "Không có việc mới." in body and "Không có việc quá hạn." in body
    assert "Văn bản mới của đơn vị" in body
    assert login(actors["outsider"]).get(reverse("web:inbox_count")).content.decode().strip() == ""


def test_other_apps_register_sections(actors) -> None:
    section = inbox.Section("drafts_to_review", 25, "Dự thảo chờ tôi cho ý kiến",
                            lambda user, limit: inbox.Filled(3, [inbox.Item("Dự thảo tờ trình")][:limit]),
                            counted=True)
    inbox.register(section)
    try:
        keys = [s.key for s in inbox.sections()]
        assert keys.index("task_decisions") < keys.index("drafts_to_review") < keys.index("task_due_soon")
        assert inbox.count(actors["ward_clerk"]) == 3
    finally:
        inbox.SECTIONS.pop("drafts_to_review")


def test_inbox_rejects_post(login, actors) -> None:
    client = login(actors["ward_chairman"])
    assert client.post(reverse("web:home")).status_code == 405
    assert client.post(reverse("web:inbox_count")).status_code == 405
