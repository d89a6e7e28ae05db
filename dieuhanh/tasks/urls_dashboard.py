"""Dashboard URLs, included by ``dieuhanh.tasks.urls`` under /nhiem-vu/ (namespace ``tasks``)."""

from django.urls import path

from dieuhanh.tasks import views_dashboard

urlpatterns = [
    path("tong-hop/", views_dashboard.dashboard, name="dashboard"),
]
