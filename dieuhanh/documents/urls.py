"""/van-ban/: registers, intake, document pages and downloads."""

from django.urls import path

from dieuhanh.documents import intake_views, views, views_routing
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
    path("cho-xu-ly/", views_routing.inbox, name="inbox"),
    path("<int:pk>/trinh/", views_routing.submit, name="submit"),
    path("<int:pk>/but-phe/", views_routing.instruct, name="instruct"),
    path("<int:pk>/xu-ly/<int:route_pk>/xong/", views_routing.finish, name="finish"),
    path("<int:pk>/gui/", views_routing.deliver, name="deliver"),
    path("so/<str:kind>/<int:pk>/huy/", views.void, name="void"),
]
