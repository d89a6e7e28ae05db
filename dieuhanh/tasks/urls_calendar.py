"""Routes of the working-day calendar and the ICS feed.

No ``app_name`` here: add them to the ``tasks`` namespace in ``tasks/urls.py`` with
``urlpatterns += urls_calendar.urlpatterns`` (names: calendar, feed, feed_ics).
"""

from django.urls import path, re_path

from dieuhanh.tasks import views_calendar
from dieuhanh.tasks.ics import TOKEN_PATTERN

urlpatterns = [
    path("lich-lam-viec/", views_calendar.calendar_page, name="calendar"),
    path("lich/", views_calendar.feed_page, name="feed"),
    re_path(rf"^lich/(?P<token>{TOKEN_PATTERN})\.ics$", views_calendar.feed_ics, name="feed_ics"),
]
