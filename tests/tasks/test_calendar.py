"""The Vietnamese working-day calendar, its overrides and the administrators' calendar page."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import include, path, reverse

from dieuhanh.accounts.models import AuditLog
from dieuhanh.lib.workcalendar import WorkCalendar
from dieuhanh.tasks.calendar import invalidate_calendar, work_calendar
from dieuhanh.tasks.models import CalendarDay


# --- URLs: the lead includes urls_calendar in dieuhanh.tasks.urls; until then this module
# serves as the URLconf (the site's URLs with the calendar routes added to the tasks namespace).
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
        if any(getattr(p, "name", None) == "calendar" for p in tasks_urls.urlpatterns):
            return root.urlpatterns
        tasks = list(tasks_urls.urlpatterns)
        kept = [p for p in root.urlpatterns if str(p.pattern) != "nhiem-vu/"]
    return [*kept, path("nhiem-vu/", include((tasks + urls_calendar.urlpatterns, "tasks")))]


urlpatterns = _urlpatterns()
pytestmark = pytest.mark.urls(__name__)

FROZEN = "2020-03-02 09:00 +0700"


@pytest.fixture(autouse=True)
def _frozen_today():  # type: ignore[no-untyped-def]
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture(autouse=True)
def _fresh_calendar():  # type: ignore[no-untyped-def]
    invalidate_calendar()
    yield
    invalidate_calendar()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- WorkCalendar (pure Python) ----------------------------------------------------------------

CAL = WorkCalendar()


@pytest.mark.parametrize("day", [date(2020, 1, d) for d in range(23, 30)])
def test_tet_2020_is_off_from_23_to_29_january(day):
    assert not CAL.is_working_day(day)


def test_days_around_tet_2020_are_working_days():
    assert CAL.is_working_day(date(2020, 1, 22))
    assert CAL.is_working_day(date(2020, 1, 30))
    assert CAL.holiday_name(date(2020, 1, 25)) == "Tết Nguyên Đán"
    assert CAL.holiday_name(date(2020, 1, 23)) == "29 Tết"


def test_counting_starts_the_day_after_and_skips_tet():
    assert CAL.add_working_days(date(2020, 1, 22), 1) == date(2020, 1, 30)
    assert CAL.add_working_days(date(2020, 1, 22), 2) == date(2020, 1, 31)
    assert CAL.add_working_days(date(2020, 1, 22), 3) == date(2020, 2, 3)  # Sat/Sun 1–2 Feb skipped
    assert CAL.add_working_days(date(2020, 1, 22), 0) == date(2020, 1, 22)
    assert CAL.add_working_days(date(2020, 1, 30), -1) == date(2020, 1, 22)


def test_working_days_between():
    assert CAL.working_days_between(date(2020, 1, 22), date(2020, 1, 31)) == 2
    assert CAL.working_days_between(date(2020, 1, 31), date(2020, 1, 22)) == -2
    assert CAL.working_days_between(date(2020, 2, 3), date(2020, 2, 3)) == 0
    # Fri 31/1 → Fri 7/2: Mon–Fri of the next week.
    assert CAL.working_days_between(date(2020, 1, 31), date(2020, 2, 7)) == 5
    a = date(2020, 1, 20)
    assert CAL.add_working_days(a, CAL.working_days_between(a, date(2020, 2, 5))) == date(2020, 2, 5)


def test_previous_working_day():
    assert CAL.previous_working_day(date(2020, 1, 30)) == date(2020, 1, 22)
    assert CAL.previous_working_day(date(2020, 5, 4)) == date(2020, 4, 29)  # 30/4, 1/5, weekend
    assert CAL.next_working_day(date(2020, 4, 29)) == date(2020, 5, 4)


def test_reunification_and_labour_days():
    assert not CAL.is_working_day(date(2020, 4, 30))
    assert not CAL.is_working_day(date(2020, 5, 1))
    assert CAL.add_working_days(date(2020, 4, 29), 1) == date(2020, 5, 4)
    assert CAL.holiday_name(date(2020, 4, 30)) == "Ngày Chiến thắng"
    assert CAL.holiday_name(date(2020, 5, 1)) == "Ngày Quốc tế Lao động"


def test_hung_kings_day_and_national_day():
    assert not CAL.is_working_day(date(2020, 4, 2))  # a Thursday, 10/3 lunar
    assert CAL.holiday_name(date(2020, 4, 2)) == "Ngày Giỗ Tổ Hùng Vương"
    assert CAL.add_working_days(date(2020, 4, 1), 1) == date(2020, 4, 3)
    assert not CAL.is_working_day(date(2020, 9, 2))
    assert CAL.is_working_day(date(2020, 9, 3))


def test_weekends_are_off_and_ordinary_days_have_no_name():
    assert not CAL.is_working_day(date(2020, 3, 7)) and not CAL.is_working_day(date(2020, 3, 8))
    assert CAL.is_working_day(date(2020, 3, 9))
    assert CAL.holiday_name(date(2020, 3, 7)) is None
    assert CAL.holiday_name(date(2020, 3, 9)) is None


def test_package_swaps_make_up_saturday_a_working_day():
    # 2019: 29/4 off in exchange for Saturday 4/5 worked (Công văn 6519/VPCP-KGVX).
    assert not CAL.is_working_day(date(2019, 4, 29))
    assert CAL.is_working_day(date(2019, 5, 4))
    assert CAL.add_working_days(date(2019, 5, 3), 1) == date(2019, 5, 4)
    assert "29/04/2019" in (CAL.holiday_name(date(2019, 5, 4)) or "")


def test_overrides_add_a_bridge_day_and_a_make_up_saturday():
    cal = WorkCalendar({date(2020, 3, 9): False, date(2020, 3, 14): True},
                       names={date(2020, 3, 14): "Làm bù theo Thông báo 12/TB-UBND"})
    assert not cal.is_working_day(date(2020, 3, 9))
    assert cal.is_working_day(date(2020, 3, 14))
    assert cal.add_working_days(date(2020, 3, 6), 1) == date(2020, 3, 10)
    assert cal.add_working_days(date(2020, 3, 13), 1) == date(2020, 3, 14)
    assert cal.holiday_name(date(2020, 3, 14)) == "Làm bù theo Thông báo 12/TB-UBND"
    assert cal.holiday_name(date(2020, 3, 9)) == "Ngày nghỉ (điều chỉnh)"
    # An override wins over the package: work on a holiday.
    assert WorkCalendar({date(2020, 4, 2): True}).is_working_day(date(2020, 4, 2))
    # The plain calendar is untouched.
    assert CAL.is_working_day(date(2020, 3, 9)) and not CAL.is_working_day(date(2020, 3, 14))


def test_days_off_lists_the_year():
    days = WorkCalendar({date(2020, 3, 14): True}).days_off(2020)
    assert date(2020, 1, 23) in days and date(2020, 4, 2) in days and date(2020, 3, 14) in days
    assert all(d.year == 2020 for d in days)
    assert list(days) == sorted(days)


def test_far_years_are_plain_weeks():
    assert WorkCalendar().is_working_day(date(2999, 1, 1)) == (date(2999, 1, 1).weekday() < 5)


# --- work_calendar(): overrides from the database, cached ------------------------------------------------------


@pytest.mark.django_db
def test_work_calendar_uses_and_refreshes_overrides(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert not work_calendar().is_working_day(date(2020, 3, 14))
    with django_assert_num_queries(0):
        work_calendar()  # cached
    row = CalendarDay.objects.create(day=date(2020, 3, 14), is_working_day=True, name="Làm bù")
    assert work_calendar().is_working_day(date(2020, 3, 14))
    row.is_working_day = False
    row.save()
    assert not work_calendar().is_working_day(date(2020, 3, 14))
    CalendarDay.objects.create(day=date(2020, 3, 9), is_working_day=False, name="Nghỉ thêm")
    assert not work_calendar().is_working_day(date(2020, 3, 9))
    CalendarDay.objects.filter(day=date(2020, 3, 9)).delete()
    assert work_calendar().is_working_day(date(2020, 3, 9))


# --- the page -------------------------------------------------------------------------------------------------------


def calendar_url(year: int | None = None) -> str:
    return reverse("tasks:calendar") + (f"?year={year}" if year else "")


def test_admin_sees_the_year(actors, login, django_assert_max_num_queries):
    CalendarDay.objects.create(day=date(2020, 3, 14), is_working_day=True, name="Làm bù thứ Bảy")
    client = login(actors["admin"])
    with django_assert_max_num_queries(12):
        response = client.get(calendar_url(2020))
    assert response.status_code == 200
    html = response.content.decode()
    assert "23/01/2020" in html and "Ngày Giỗ Tổ Hùng Vương" in html and "02/04/2020" in html
    assert "Làm bù thứ Bảy" in html and "14/03/2020" in html
    assert "Lịch làm việc năm 2020" in html


def test_bad_year_falls_back_to_this_year(actors, login):
    response = login(actors["admin"]).get(reverse("tasks:calendar") + "?year=abc")
    assert response.status_code == 200 and "Lịch làm việc năm 2020" in response.content.decode()
    response = login(actors["admin"]).get(reverse("tasks:calendar") + "?year=99999")
    assert response.status_code == 200 and "Lịch làm việc năm 2020" in response.content.decode()


def test_admin_adds_and_removes_an_override_audited(actors, login):
    client = login(actors["admin"])
    response = client.post(calendar_url(), {"action": "add", "day": "14/03/2020", "is_working_day": "1",
                                            "name": "Làm bù theo Thông báo 5/TB"})
    assert response.status_code == 302 and "year=2020" in response["Location"]
    row = CalendarDay.objects.get(day=date(2020, 3, 14))
    assert row.is_working_day and row.name == "Làm bù theo Thông báo 5/TB"
    assert work_calendar().is_working_day(date(2020, 3, 14))
    assert AuditLog.objects.filter(action="create", object_type="tasks.calendarday", object_id=str(row.pk)).exists()

    # The same day again updates it (a double post creates nothing twice).
    client.post(calendar_url(), {"action": "add", "day": "14/03/2020", "is_working_day": "0", "name": "Nghỉ"})
    row.refresh_from_db()
    assert not row.is_working_day and CalendarDay.objects.count() == 1
    assert AuditLog.objects.filter(action="update", object_type="tasks.calendarday").count() == 1

    response = client.post(calendar_url(), {"action": "remove", "pk": row.pk})
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert AuditLog.objects.filter(action="delete", object_type="tasks.calendarday", object_id=str(row.pk)).exists()
    assert work_calendar().is_working_day(date(2020, 3, 13))
    # Removing twice is harmless.
    response = client.post(calendar_url(), {"action": "remove", "pk": row.pk}, follow=True)
    assert response.status_code == 200 and "đã được xóa từ trước" in response.content.decode()
    assert client.post(calendar_url(), {"action": "remove", "pk": "x"}).status_code == 302


def test_bad_input_is_a_vietnamese_message_and_nothing_written(actors, login):
    client = login(actors["admin"])
    response = client.post(calendar_url(), {"action": "add", "day": "31/02/2020", "is_working_day": "1", "name": "x"})
    assert response.status_code == 400
    assert "dd/mm/yyyy" in response.content.decode()
    response = client.post(calendar_url(), {"action": "add", "day": "14/03/2020", "is_working_day": "1", "name": ""})
    assert response.status_code == 400 and "Hãy ghi lý do" in response.content.decode()
    response = client.post(calendar_url(), {"action": "add", "day": "14/03/1800", "is_working_day": "1", "name": "x"})
    assert response.status_code == 400
    assert client.post(calendar_url(), {"action": "zzz"}).status_code == 302
    assert not CalendarDay.objects.exists()
    assert not AuditLog.objects.filter(object_type="tasks.calendarday").exists()


@pytest.mark.parametrize("who", ["district_leader", "district_clerk", "ward_chairman", "outsider"])
def test_others_get_403(actors, login, who):
    client = login(actors[who])
    assert client.get(calendar_url(2020)).status_code == 403
    response = client.post(calendar_url(), {"action": "add", "day": "14/03/2020", "is_working_day": "1", "name": "x"})
    assert response.status_code == 403
    assert not CalendarDay.objects.exists()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(calendar_url(2020))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_wrong_method(actors, login):
    assert login(actors["admin"]).put(calendar_url()).status_code == 405
