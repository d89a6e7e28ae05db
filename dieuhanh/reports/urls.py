"""/bao-cao/: report requests, the units' reports, the consolidated report, outlines, timeliness."""

from django.urls import path

from dieuhanh.reports import views_consolidation, views_outlines, views_requests, views_submissions

app_name = "reports"
urlpatterns = [
    path("", views_requests.request_list, name="list"),
    path("tao/", views_requests.create, name="create"),
    path("dung-han/", views_requests.timeliness, name="timeliness"),
    path("<int:pk>/", views_requests.detail, name="detail"),
    path("<int:pk>/tong-hop/", views_consolidation.consolidation, name="consolidation"),
    path("<int:pk>/tong-hop/lap/", views_consolidation.consolidate, name="consolidate"),
    path("<int:pk>/tong-hop/docx/", views_consolidation.consolidation_docx, name="consolidation_docx"),
    path("<int:pk>/tong-hop/xlsx/", views_consolidation.consolidation_xlsx, name="consolidation_xlsx"),
    path("<int:pk>/tong-hop/phat-hanh/", views_consolidation.issue, name="consolidation_issue"),
    path("don-vi/<int:pk>/", views_submissions.submission, name="submission"),
    path("don-vi/<int:pk>/tiep-nhan/", views_submissions.accept, name="submission_accept"),
    path("don-vi/<int:pk>/tra-lai/", views_submissions.return_, name="submission_return"),
    path("don-vi/<int:pk>/tep/<int:attachment_pk>/", views_submissions.attachment, name="submission_file"),
    path("de-cuong/", views_outlines.outline_list, name="outlines"),
    path("de-cuong/nhap/", views_outlines.outline_import, name="outline_import"),
    path("de-cuong/<int:pk>/", views_outlines.outline_detail, name="outline"),
    path("de-cuong/<int:pk>/yaml/", views_outlines.outline_yaml, name="outline_yaml"),
]
