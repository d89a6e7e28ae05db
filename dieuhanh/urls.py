"""URL map: one include per domain app; the API under /api/."""

from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("dieuhanh.web.urls")),
    path("tai-khoan/", include("dieuhanh.accounts.urls")),
    path("don-vi/", include("dieuhanh.orgs.urls")),
    path("van-ban/", include("dieuhanh.documents.urls")),
    path("nhiem-vu/", include("dieuhanh.tasks.urls")),
    path("bao-cao/", include("dieuhanh.reports.urls")),
    path("danh-gia/", include("dieuhanh.evaluation.urls")),
    path("du-thao/", include("dieuhanh.drafts.urls")),
    path("api/", include("dieuhanh.api.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
]
