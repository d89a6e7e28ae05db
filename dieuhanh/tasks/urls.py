"""/nhiem-vu/: my tasks, "Giao việc", assignments and their actions, status per document, chains.

The lead adds includes for the calendar, exports and dashboard url modules.
"""

from django.urls import path

from dieuhanh.tasks import views

app_name = "tasks"
urlpatterns = [
    path("", views.task_list, name="list"),
    path("giao-viec/<int:document_pk>/", views.propose, name="propose"),
    path("tao/", views.create, name="create"),
    path("phan-cong/<int:pk>/", views.assignment, name="assignment"),
    path("phan-cong/<int:pk>/chuoi/", views.chain_view, name="chain"),
    path("phan-cong/<int:pk>/tep/<int:note_pk>/", views.note_file, name="note_file"),
    path("phan-cong/<int:pk>/<slug:action>/", views.assignment_action, name="action"),
    path("van-ban/<int:document_pk>/", views.document_status, name="document_status"),
]

# Routes kept in their own modules (calendar and ICS feed, dashboards, notifications).
from dieuhanh.tasks import urls_calendar, urls_dashboard, urls_notifications  # noqa: E402

urlpatterns += urls_calendar.urlpatterns + urls_dashboard.urlpatterns + urls_notifications.urlpatterns
