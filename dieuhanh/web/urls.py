from django.urls import path

from dieuhanh.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("viec-can-lam/so-luong/", views.inbox_count, name="inbox_count"),
]
