"""Notification centre URLs. No app_name: include them inside the ``tasks`` namespace, e.g. in
``dieuhanh/tasks/urls.py``: ``path("", include("dieuhanh.tasks.urls_notifications"))`` → /nhiem-vu/thong-bao/.
"""

from django.urls import path

from dieuhanh.tasks import views_notifications as views

urlpatterns = [
    path("thong-bao/", views.notifications, name="notifications"),
    path("thong-bao/<int:pk>/da-doc/", views.notification_read, name="notification_read"),
    path("thong-bao/da-doc-tat-ca/", views.notifications_read_all, name="notifications_read_all"),
    path("thong-bao/cai-dat/", views.notification_settings, name="notification_settings"),
    path("thong-bao/chua-doc/", views.notifications_badge, name="notifications_badge"),
]
