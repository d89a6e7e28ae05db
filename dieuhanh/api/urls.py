"""/api/: the JSON API (dieuhanh.api.core), its OpenAPI schema and the offline docs page."""

from django.urls import path

from dieuhanh.api import views
from dieuhanh.api.core import api

app_name = "api"
urlpatterns = [
    path("docs", views.docs, name="docs"),
    *api.urls[0],
]
