"""/danh-gia/: criteria sets, evaluation rounds, score sheets, ranking and commendation."""

from django.urls import path

from dieuhanh.evaluation import views, views_commend

app_name = "evaluation"
urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("mo-dot/", views.round_create, name="round_create"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/chuyen-giai-doan/", views.round_advance, name="round_advance"),
    path("<int:pk>/dieu-tra/", views.round_survey, name="round_survey"),
    path("<int:pk>/xep-hang/", views.ranking_page, name="ranking"),
    path("<int:pk>/khen-thuong/", views_commend.campaign_create, name="campaign_create"),
    path("don-vi/<int:pk>/", views.participant, name="participant"),
    path("don-vi/<int:pk>/minh-chung/", views.evidence_add, name="evidence_add"),
    path("minh-chung/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("khen-thuong/<int:pk>/", views_commend.campaign_detail, name="campaign"),
    path("khen-thuong/<int:pk>/<slug:kind>/", views_commend.campaign_output, name="campaign_output"),
    path("bo-tieu-chi/", views.set_list, name="sets"),
    path("bo-tieu-chi/nhap/", views.set_import, name="set_import"),
    path("bo-tieu-chi/<int:pk>/", views.set_detail, name="set"),
    path("bo-tieu-chi/<int:pk>/yaml/", views.set_yaml, name="set_yaml"),
]
