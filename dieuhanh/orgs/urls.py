from django.urls import path

from dieuhanh.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<slug:code>/", views.detail, name="detail"),
]
