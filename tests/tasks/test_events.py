"""Event notifications: every state change of an assignment, an extension and a report
submission tells the people it concerns (and never the actor), in one transaction."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from dieuhanh.accounts.models import Role
from dieuhanh.tasks import events, services
from dieuhanh.tasks.models import Notification, NotificationKind
from tests.factories import UserFactory

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def _today():  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime(2020, 3, 5, 9, 0, tzinfo=TZ), tick=True):
        yield


@pytest.fixture
def ward_staff(units):  # type: ignore[no-untyped-def]
    return UserFactory(username="cv.lebinh", unit=units["le_binh"], role=Role.CHUYEN_VIEN)


@pytest.fixture
def task(units, actors, ward_staff):  # type: ignore[no-untyped-def]
    return services.create_task(actors["district_specialist"], "Rà soát thủ tục hành chính", [units["le_binh"]],
                                date(2020, 3, 20), source_note="Cuộc họp giao ban ngày 02/03/2020")


def told(event: str) -> set[str]:
    return set(Notification.objects.filter(event=event).values_list("user__username", flat=True))


def test_a_new_task_tells_the_whole_assignee_unit_but_not_the_actor(task, actors) -> None:
    assert told("task.assigned") == {"ct.lebinh", "vanthu.lebinh", "cv.lebinh"}
    n = Notification.objects.filter(event="task.assigned").first()
    assert n.kind == NotificationKind.EVENT
    assert "Rà soát thủ tục hành chính" in n.message and "20/03/2020" in n.message
    assert n.link == f"/nhiem-vu/phan-cong/{n.assignment_id}/"


def test_the_day_of_an_assignment_tells_each_side_in_turn(task, actors, ward_staff) -> None:
    a = task.assignments.get()
    chairman, specialist, head = actors["ward_chairman"], actors["district_specialist"], actors["noi_vu_head"]
    services.acknowledge(chairman, a)
    assert told("task.acknowledged") == {"cv.noivu"}  # the assigner
    services.update_progress(ward_staff, a, 40, "Đã rà soát 12/30 thủ tục")
    assert told("task.progress") == {"cv.noivu"}
    ext = services.request_extension(chairman, a, "Chờ số liệu của Sở", date(2020, 3, 27))
    # the assigner and the assigning unit's leaders may decide; the requester is not told of his own act
    assert told("extension.requested") == {"cv.noivu", "tp.noivu"}
    services.decide_extension(head, ext, True, "")
    assert told("extension.approved") == {"ct.lebinh", "vanthu.lebinh", "cv.lebinh"}
    assert "27/03/2020" in Notification.objects.get(event="extension.approved", user=chairman).message
    services.submit_result(ward_staff, a, note="Báo cáo kết quả rà soát")
    assert told("task.submitted") == {"cv.noivu", "tp.noivu"}
    services.return_assignment(specialist, a, "Thiếu phụ lục")
    assert "Thiếu phụ lục" in Notification.objects.get(event="task.returned", user=chairman).message
    services.submit_result(ward_staff, a, note="Đã bổ sung phụ lục")
    services.accept(specialist, a)
    assert told("task.accepted") == {"ct.lebinh", "vanthu.lebinh", "cv.lebinh"}
    # one row per user per event: the second submission is a second event
    assert Notification.objects.filter(event="task.submitted", user=head).count() == 2


def test_refused_extension_and_delegation(task, actors, ward_staff) -> None:
    a = task.assignments.get()
    services.acknowledge(actors["ward_chairman"], a)
    ext = services.request_extension(ward_staff, a, "Chờ số liệu", date(2020, 3, 27))
    services.decide_extension(actors["noi_vu_head"], ext, False, "Đủ thời gian")
    assert "Đủ thời gian" in Notification.objects.get(event="extension.refused", user=ward_staff).message
    services.delegate(actors["ward_chairman"], a, [ward_staff], date(2020, 3, 18), "Rà soát lĩnh vực đất đai")
    assert told("task.delegated") == {"cv.noivu"}
    sub = Notification.objects.filter(event="task.assigned", user=ward_staff).order_by("-id").first()
    assert "Rà soát lĩnh vực đất đai" in sub.message


def test_a_rolled_back_change_leaves_no_notification(task, actors) -> None:
    a = task.assignments.get()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.acknowledge(actors["ward_chairman"], a)
        raise RuntimeError
    assert told("task.acknowledged") == set()


def test_notify_event_is_generic_and_refuses_unknown_events(actors) -> None:
    events.register_event("document.routed", "Văn bản được chuyển")
    n = events.notify_event("document.routed", None, recipients=[actors["ward_chairman"], actors["ward_clerk"].pk],
                            message="Văn bản 313/UBND chuyển đến phường", actor=actors["district_clerk"],
                            key="routed:313", link="/van-ban/1/")
    again = events.notify_event("document.routed", None, recipients=[actors["ward_chairman"]], message="x",
                                key="routed:313")
    assert n == 2 and again == 1  # counted, but the key exists: nothing new is stored
    assert Notification.objects.filter(event="document.routed").count() == 2
    assert events.event_label("document.routed") == "Văn bản được chuyển"
    with pytest.raises(ValueError):
        events.notify_event("no.such", None, recipients=[actors["ward_chairman"]], message="x")


# --- e-mail per preference and the settings page ---------------------------------------------------


@pytest.fixture
def mailbox(settings, actors, ward_staff):  # type: ignore[no-untyped-def]
    from dieuhanh.accounts.models import User

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for user in User.objects.all():
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    from django.core import mail

    return mail.outbox


def test_immediate_users_get_a_mail_each_round_others_wait_for_the_digest(task, actors, ward_staff, mailbox,
                                                                         login) -> None:
    from dieuhanh.tasks import worker
    from dieuhanh.tasks.models import EmailMode

    client = login(actors["ward_chairman"])
    page = client.get("/nhiem-vu/thong-bao/cai-dat/")
    assert page.status_code == 200 and "Gửi thư ngay khi có thông báo" in page.content.decode()
    assert 'checked' in page.content.decode()  # the daily digest, the default, is shown as chosen
    assert client.post("/nhiem-vu/thong-bao/cai-dat/", {"email_mode": EmailMode.IMMEDIATE}).status_code == 302
    login(ward_staff).post("/nhiem-vu/thong-bao/cai-dat/", {"email_mode": EmailMode.OFF})
    assert client.post("/nhiem-vu/thong-bao/cai-dat/", {"email_mode": "bogus"}).status_code == 200

    stats = worker.Stats(day=date(2020, 3, 5))
    from dieuhanh.tasks.mailing import send_immediate

    send_immediate(date(2020, 3, 5), datetime(2020, 3, 5, 9, 1, tzinfo=TZ), stats)
    assert [m.to for m in mailbox] == [["ct.lebinh@example.org"]]
    assert "Rà soát thủ tục hành chính" in mailbox[0].body
    send_immediate(date(2020, 3, 5), datetime(2020, 3, 5, 9, 2, tzinfo=TZ), stats)
    assert len(mailbox) == 1  # sent once
    mailbox.clear()
    worker.send_digests(date(2020, 3, 5), datetime(2020, 3, 5, 9, 3, tzinfo=TZ), stats)
    # the clerk (digest by default) gets the digest, grouped under the event's label; the specialist chose none
    assert [m.to for m in mailbox] == [["vanthu.lebinh@example.org"]]
    assert "Nhiệm vụ mới (1):" in mailbox[0].body


def test_fan_out_to_many_users_is_one_insert(units, actors, django_assert_max_num_queries) -> None:
    users = [UserFactory(username=f"cv{i}", unit=units["le_binh"]) for i in range(60)]
    with django_assert_max_num_queries(2):
        n = events.notify_event("task.assigned", None, recipients=users, message="Nhiệm vụ mới", key="bulk:1")
    assert n == 60 and Notification.objects.filter(key__contains="bulk:1").count() == 60
