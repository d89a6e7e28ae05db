"""The notification centre (list, mark read, badge) and notify() for in-app events."""

from __future__ import annotations

from datetime import date

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import NoReverseMatch, include, path, reverse

import dieuhanh.urls as root_urls
from dieuhanh.tasks import urls as tasks_urls
from dieuhanh.tasks import urls_notifications
from dieuhanh.tasks.models import Assignment, Notification, NotificationKind as K, Task
from dieuhanh.tasks.notify import notify, row_key
from dieuhanh.tasks.views_notifications import notifications_context, unread_count

# Until the lead includes urls_notifications in dieuhanh/tasks/urls.py, route it here the same way.
try:
    reverse("tasks:notifications")
    urlpatterns = root_urls.urlpatterns
except NoReverseMatch:
    urlpatterns = [p for p in root_urls.urlpatterns if getattr(p, "namespace", None) != "tasks"] + [
        path("nhiem-vu/", include(([*tasks_urls.urlpatterns, *urls_notifications.urlpatterns], "tasks")))]

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def assignment(units, actors):  # type: ignore[no-untyped-def]
    task = Task.objects.create(title="Kiểm tra công vụ", assigned_by_unit=units["district"])
    return Assignment.objects.create(task=task, unit=units["noi_vu"], due_on=date(2026, 10, 16))


@pytest.fixture
def mine(actors, assignment):  # type: ignore[no-untyped-def]
    me = actors["district_specialist"]
    notify([me], assignment, K.OVERDUE, "Đã quá hạn 1 ngày", key="a")
    notify([me], assignment, K.EVENT, "Nhiệm vụ mới được giao", key="b")
    notify([actors["outsider"]], assignment, K.EVENT, "Của người khác", key="c")
    return {n.key: n for n in Notification.objects.all()}


def _own(actors, key):  # type: ignore[no-untyped-def]
    return Notification.objects.get(user=actors["district_specialist"], key__contains=f":{key}:")


# --- list ------------------------------------------------------------------------------------


def test_list_shows_own_notifications_unread_first(login, actors, mine, django_assert_max_num_queries) -> None:
    me = actors["district_specialist"]
    Notification.objects.filter(user=me, kind=K.EVENT).update(read_at="2026-10-16T08:00:00+07:00")
    client = login(me)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("tasks:notifications"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Của người khác" not in body
    assert body.index("Đã quá hạn 1 ngày") < body.index("Nhiệm vụ mới được giao")
    assert reverse("tasks:assignment", args=[mine[row_key(K.OVERDUE, "a", me.pk)].assignment_id]) in body \
        if _has_assignment_page() else True
    assert response.context["unread"] == 1


def _has_assignment_page() -> bool:
    try:
        reverse("tasks:assignment", args=[1])
    except NoReverseMatch:
        return False
    return True


def test_list_query_count_does_not_grow_with_rows(login, actors, assignment, django_assert_max_num_queries) -> None:
    me = actors["district_specialist"]
    for i in range(60):
        notify([me], assignment, K.EVENT, f"Sự kiện {i}", key=f"k{i}")
    client = login(me)
    with django_assert_max_num_queries(7):  # session, user, count, page, unread, unit (top bar)
        response = client.get(reverse("tasks:notifications"), {"page": "2"})
    assert response.status_code == 200 and len(response.context["items"]) == 10


def test_list_htmx_returns_the_fragment(login, actors, mine) -> None:
    response = login(actors["district_specialist"]).get(reverse("tasks:notifications"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content and "Đã quá hạn 1 ngày" in response.content.decode()


def test_list_anonymous_is_sent_to_login(client, db) -> None:
    response = client.get(reverse("tasks:notifications"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_list_wrong_method(login, actors, mine) -> None:
    assert login(actors["district_specialist"]).post(reverse("tasks:notifications")).status_code == 405


def test_a_bad_page_number_shows_the_first_page(login, actors, mine) -> None:
    response = login(actors["district_specialist"]).get(reverse("tasks:notifications"), {"page": "abc"})
    assert response.status_code == 200


# --- mark read ---------------------------------------------------------------------------------


def test_mark_one_read(login, actors, mine) -> None:
    n = _own(actors, "a")
    response = login(actors["district_specialist"]).post(reverse("tasks:notification_read", args=[n.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("tasks:notifications")
    n.refresh_from_db()
    first = n.read_at
    assert first is not None
    # A double post changes nothing.
    login(actors["district_specialist"]).post(reverse("tasks:notification_read", args=[n.pk]))
    n.refresh_from_db()
    assert n.read_at == first


def test_mark_one_read_htmx_returns_the_row_and_refreshes_the_badge(login, actors, mine) -> None:
    n = _own(actors, "a")
    response = login(actors["district_specialist"]).post(reverse("tasks:notification_read", args=[n.pk]),
                                                         HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "notifications-changed"
    assert f'id="notification-{n.pk}"' in response.content.decode()


def test_mark_read_of_someone_elses_notification_is_404(login, actors, mine) -> None:
    theirs = Notification.objects.get(user=actors["outsider"])
    response = login(actors["district_specialist"]).post(reverse("tasks:notification_read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_wrong_method_and_anonymous(client, login, actors, mine) -> None:
    n = _own(actors, "a")
    url = reverse("tasks:notification_read", args=[n.pk])
    assert client.post(url).status_code == 302  # anonymous → login
    assert login(actors["district_specialist"]).get(url).status_code == 405


def test_mark_all_read_touches_only_mine(login, actors, mine) -> None:
    client = login(actors["district_specialist"])
    response = client.post(reverse("tasks:notifications_read_all"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Trigger"] == "notifications-changed"
    assert not Notification.objects.filter(user=actors["district_specialist"], read_at__isnull=True).exists()
    assert Notification.objects.get(user=actors["outsider"]).read_at is None
    assert client.get(reverse("tasks:notifications_read_all")).status_code == 405
    assert client.post(reverse("tasks:notifications_read_all")).status_code == 302


def test_mark_all_read_anonymous(client, db) -> None:
    assert client.post(reverse("tasks:notifications_read_all")).status_code == 302


# --- badge ------------------------------------------------------------------------------------


def test_unread_count_is_one_query(actors, mine, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        assert unread_count(actors["district_specialist"]) == 2


def test_badge_snippet_renders_the_count_with_one_query(actors, mine, django_assert_num_queries) -> None:
    request = RequestFactory().get("/")
    request.user = actors["district_specialist"]
    context = notifications_context(request)
    with django_assert_num_queries(1):
        html = render_to_string("tasks/notifications_badge.html", context)
    assert '<span class="badge">2</span>' in html and "load," not in html


def test_badge_caps_at_99_and_loads_itself_without_the_context_processor(actors, assignment) -> None:
    me = actors["district_specialist"]
    notify([me], assignment, K.EVENT, "x", key="many")  # one row per key
    Notification.objects.bulk_create([Notification(user=me, kind=K.EVENT, key=f"bulk{i}", message="x")
                                      for i in range(120)])
    html = render_to_string("tasks/notifications_badge.html", {"unread_notifications": unread_count(me)})
    assert "99+" in html
    bare = render_to_string("tasks/notifications_badge.html", {})
    assert 'hx-trigger="load, notifications-changed from:body"' in bare and "badge" not in bare.split(">", 1)[1]


def test_badge_endpoint(login, client, actors, mine) -> None:
    response = login(actors["district_specialist"]).get(reverse("tasks:notifications_badge"))
    assert response.status_code == 200 and '<span class="badge">2</span>' in response.content.decode()
    assert login(actors["district_specialist"]).post(reverse("tasks:notifications_badge")).status_code == 405
    client.logout()
    assert client.get(reverse("tasks:notifications_badge")).status_code == 302


# --- notify() ----------------------------------------------------------------------------------


def test_notify_is_idempotent_by_key(actors, assignment) -> None:
    users = [actors["district_specialist"], actors["noi_vu_head"].pk, None, actors["district_specialist"]]
    assert notify(users, assignment, K.EVENT, "Nhiệm vụ mới", key=f"issued:{assignment.pk}") == 2
    assert notify(users, assignment, K.EVENT, "Nhiệm vụ mới", key=f"issued:{assignment.pk}") == 0
    assert Notification.objects.count() == 2
    assert notify([actors["district_specialist"]], assignment, K.EVENT, "Trả lại", key=f"returned:{assignment.pk}") == 1


def test_notify_long_keys_are_hashed_and_bad_input_refused(actors, assignment) -> None:
    long_key = "x" * 300
    assert notify([actors["district_specialist"]], assignment, K.EVENT, "m", key=long_key) == 1
    assert notify([actors["district_specialist"]], assignment, K.EVENT, "m", key=long_key) == 0
    assert len(Notification.objects.get().key) <= 120
    with pytest.raises(ValueError):
        notify([actors["district_specialist"]], assignment, "khong_co", "m", key="k")
    with pytest.raises(ValueError):
        notify([actors["district_specialist"]], assignment, K.EVENT, "m", key="")
    assert notify([], assignment, K.EVENT, "m", key="none") == 0


# --- audit (issue 9: notification reads are audited, cheaply) ----------------------------------

def test_reading_one_writes_one_audit_row_and_a_double_post_none(login, actors, mine) -> None:
    from dieuhanh.accounts.models import AuditAction, AuditLog

    n = _own(actors, "a")
    client = login(actors["district_specialist"])
    for _ in range(2):
        client.post(reverse("tasks:notification_read", args=[n.pk]), REMOTE_ADDR="10.1.2.3")
    [row] = AuditLog.objects.filter(object_type="tasks.notification")
    assert row.action == AuditAction.STATE and row.note == "Đánh dấu thông báo đã đọc"
    assert row.actor == actors["district_specialist"] and row.object_id == str(n.pk) and row.ip == "10.1.2.3"
    theirs = Notification.objects.get(user=actors["outsider"])
    client.post(reverse("tasks:notification_read", args=[theirs.pk]))  # 404: nothing written
    assert AuditLog.objects.filter(object_type="tasks.notification").count() == 1


def test_reading_all_writes_one_row_however_many(login, actors, assignment, django_assert_max_num_queries) -> None:
    from dieuhanh.accounts.models import AuditLog

    me = actors["district_specialist"]
    for i in range(40):
        notify([me], assignment, K.EVENT, f"Việc {i}", key=f"k{i}")
    client = login(me)
    client.get(reverse("tasks:notifications"))
    with django_assert_max_num_queries(8):
        client.post(reverse("tasks:notifications_read_all"))
    client.post(reverse("tasks:notifications_read_all"))  # nothing left unread: no row
    [row] = AuditLog.objects.filter(object_type="tasks.notification")
    assert row.note == "Đánh dấu tất cả thông báo đã đọc" and row.after["count"] == 40 and row.object_id == ""
