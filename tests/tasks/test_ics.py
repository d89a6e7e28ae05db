"""The ICS feed: RFC 5545 text, the secret URL, and the page to get or renew it."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import include, path, reverse

from dieuhanh.accounts.models import AuditLog
from dieuhanh.documents.models import Direction, Document, Register
from dieuhanh.tasks.ics import escape_text, fold, regenerate_token, render_calendar
from dieuhanh.tasks.models import Assignment, FeedToken, Role, Status, Task


def _urlpatterns() -> list:
    from django.views.i18n import set_language

    from dieuhanh.tasks import urls_calendar

    try:
        from dieuhanh import urls as root
        from dieuhanh.tasks import urls as tasks_urls
    except Exception:  # the tasks views are being written alongside: serve the calendar routes alone
        tasks: list = []
        kept = [path("", include("dieuhanh.web.urls")), path("tai-khoan/", include("dieuhanh.accounts.urls")),
                path("i18n/setlang/", set_language, name="set_language")]
    else:
        if any(getattr(p, "name", None) == "feed_ics" for p in tasks_urls.urlpatterns):
            return root.urlpatterns
        tasks = list(tasks_urls.urlpatterns)
        kept = [p for p in root.urlpatterns if str(p.pattern) != "nhiem-vu/"]
    return [*kept, path("nhiem-vu/", include((tasks + urls_calendar.urlpatterns, "tasks")))]


urlpatterns = _urlpatterns()
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def _frozen_today():  # type: ignore[no-untyped-def]
    with time_machine.travel("2020-04-06 09:00 +0700", tick=False):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


LONG_TITLE = ("Rà soát, tổng hợp danh sách hộ nghèo; cận nghèo trên địa bàn phường và báo cáo kết quả "
              "về Phòng Lao động - Thương binh và Xã hội quận\\ngay")


@pytest.fixture
def data(units):  # type: ignore[no-untyped-def]
    register = Register.objects.create(unit=units["district"], direction=Direction.OUTGOING, name="Sổ đi")
    doc = Document.objects.create(register=register, direction=Direction.OUTGOING, owner_unit=units["district"],
                                  doc_type="Kế hoạch", number_symbol="313/UBND", reg_year=2020)
    task = Task.objects.create(title=LONG_TITLE, document=doc, assigned_by_unit=units["district"],
                               deadline_phrase="trước ngày 10/4/2020", deadline_kind="before")
    return {
        "open": Assignment.objects.create(task=task, unit=units["le_binh"], status=Status.IN_PROGRESS,
                                          due_on=date(2020, 4, 9), original_due_on=date(2020, 4, 9)),
        "coord": Assignment.objects.create(task=task, unit=units["ba_lang"], role=Role.COORDINATE,
                                           due_on=date(2020, 4, 20), original_due_on=date(2020, 4, 9)),
        "done": Assignment.objects.create(task=task, unit=units["noi_vu"], status=Status.DONE,
                                          due_on=date(2020, 4, 9), completed_on=date(2020, 4, 8)),
        "undated": Assignment.objects.create(task=task, unit=units["van_phong"]),
        "other": Assignment.objects.create(task=task, unit=units["tan_an"], due_on=date(2020, 4, 9)),
    }


def unfold(text: str) -> list[str]:
    assert "\n" not in text.replace("\r\n", "")
    return text.replace("\r\n ", "").split("\r\n")


def test_escape_and_fold():
    assert escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    line = "SUMMARY:" + "Rà soát hộ nghèo, " * 10
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line
    for p in parts:
        p.encode("utf-8").decode("utf-8")  # no character split across lines
    assert fold("SHORT:x") == "SHORT:x"


def test_ward_chairman_feed(data, actors, client):
    feed = regenerate_token(actors["ward_chairman"])
    response = client.get(reverse("tasks:feed_ics", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    raw = response.content.decode("utf-8")
    assert raw.endswith("\r\n") and "\n" not in raw.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in raw.split("\r\n"))
    lines = unfold(raw)
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"] and lines[-2:] == ["END:VCALENDAR", ""]
    assert lines.count("BEGIN:VEVENT") == 1  # only Lê Bình's open, dated assignment
    assert f"UID:assignment-{data['open'].pk}@dieuhanh" in lines
    assert "DTSTART;VALUE=DATE:20200409" in lines and "DTEND;VALUE=DATE:20200410" in lines
    summary = next(line for line in lines if line.startswith("SUMMARY:"))
    assert summary == "SUMMARY:" + LONG_TITLE.replace(",", "\\,").replace(";", "\\;").replace("\\n", "\\\\n")
    description = next(line for line in lines if line.startswith("DESCRIPTION:"))
    assert "Văn bản: 313/UBND\\n" in description
    assert "Thời hạn trong văn bản: trước ngày 10/4/2020" in description
    assert any(line.startswith("DTSTAMP:") and line.endswith("Z") for line in lines)
    assert "X-WR-CALNAME:Hạn nhiệm vụ — Ủy ban nhân dân phường Lê Bình" in lines


def test_district_leader_sees_the_subtree_with_extended_dates(data, actors, client, django_assert_max_num_queries):
    feed = regenerate_token(actors["district_leader"])
    with django_assert_max_num_queries(5):
        lines = unfold(client.get(reverse("tasks:feed_ics", args=[feed.token])).content.decode())
    assert lines.count("BEGIN:VEVENT") == 2  # Lê Bình and Ba Láng; not done, undated or Tân An
    assert f"UID:assignment-{data['other'].pk}@dieuhanh" not in lines
    assert "DTSTART;VALUE=DATE:20200420" in lines
    assert any("Hạn ban đầu: 09/04/2020" in line for line in lines)


def test_uid_is_stable_across_fetches(data, actors, client):
    feed = regenerate_token(actors["ward_chairman"])
    url = reverse("tasks:feed_ics", args=[feed.token])
    assert client.get(url).content == client.get(url).content


@pytest.mark.parametrize("token", ["x" * 43, "abc", "a" * 70, "../../etc"])
def test_unknown_token_is_404(data, client, token):
    response = client.get(f"/nhiem-vu/lich/{token}.ics")
    assert response.status_code == 404


def test_regenerated_or_inactive_token_is_404(data, actors, client):
    user = actors["ward_chairman"]
    old = regenerate_token(user).token
    new = regenerate_token(user).token
    assert old != new and FeedToken.objects.filter(user=user).count() == 1
    assert client.get(reverse("tasks:feed_ics", args=[old])).status_code == 404
    assert client.get(reverse("tasks:feed_ics", args=[new])).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(reverse("tasks:feed_ics", args=[new])).status_code == 404


def test_feed_post_is_405(data, actors, client):
    token = regenerate_token(actors["ward_chairman"]).token
    assert client.post(reverse("tasks:feed_ics", args=[token])).status_code == 405


def test_render_calendar_without_events():
    text = render_calendar([], "Trống; rỗng")
    assert "X-WR-CALNAME:Trống\\; rỗng\r\n" in text and "BEGIN:VEVENT" not in text


# --- the page ----------------------------------------------------------------------------------------


def test_feed_page_creates_shows_and_renews(data, actors, login):
    user = actors["ward_clerk"]
    client = login(user)
    response = client.get(reverse("tasks:feed"))
    assert response.status_code == 200 and "Bạn chưa có đường dẫn lịch" in response.content.decode()
    assert not FeedToken.objects.exists()  # a GET writes nothing

    assert client.post(reverse("tasks:feed")).status_code == 302
    token = FeedToken.objects.get(user=user).token
    html = client.get(reverse("tasks:feed")).content.decode()
    assert f"http://testserver/nhiem-vu/lich/{token}.ics" in html
    assert f"webcal://testserver/nhiem-vu/lich/{token}.ics" in html
    assert AuditLog.objects.filter(action="create", object_type="tasks.feedtoken").count() == 1
    assert not AuditLog.objects.filter(note__contains=token).exists()

    client.post(reverse("tasks:feed"))
    new = FeedToken.objects.get(user=user).token
    assert new != token
    audit = AuditLog.objects.get(action="update", object_type="tasks.feedtoken")
    assert token not in str(audit.after) and new not in str(audit.after)


def test_feed_page_anonymous_and_wrong_method(client, db):
    response = client.get(reverse("tasks:feed"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client.post(reverse("tasks:feed")).status_code == 302
    assert not FeedToken.objects.exists()


def test_feed_page_put_is_405(actors, login):
    assert login(actors["ward_clerk"]).put(reverse("tasks:feed")).status_code == 405
