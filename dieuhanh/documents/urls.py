"""/van-ban/: registers, intake, document pages and downloads."""

from django.urls import path

from dieuhanh.documents import intake_views, views
from dieuhanh.documents.search import search_view

app_name = "documents"
urlpatterns = [
    path("den/", views.incoming, name="incoming"),
    path("di/", views.outgoing, name="outgoing"),
    path("du-thao/", views.drafts, name="drafts"),
    path("nhap/", intake_views.intake, name="intake"),
    path("nhap/<int:pk>/", intake_views.intake_job, name="intake_job"),
    path("nhap/<int:pk>/tien-do/", intake_views.intake_progress, name="intake_progress"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/sua/", views.edit, name="edit"),
    path("<int:pk>/tep/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("tim-kiem/", search_view, name="search"),
]
