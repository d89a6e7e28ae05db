"""/du-thao/: drafts, review, signing, issuing and the review chain."""

from django.urls import path

from dieuhanh.drafts import views

app_name = "drafts"
urlpatterns = [
    path("", views.draft_list, name="list"),
    path("moi/", views.create, name="create"),
    path("quy-trinh/", views.chain, name="chain"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/kiem-tra/", views.check, name="check"),
    path("<int:pk>/trinh/", views.submit, name="submit"),
    path("<int:pk>/dong-y/", views.approve, name="approve"),
    path("<int:pk>/tra-lai/", views.send_back, name="return"),
    path("<int:pk>/ky/", views.sign, name="sign"),
    path("<int:pk>/phien-ban/<int:number>/", views.version, name="version"),
    path("<int:pk>/phien-ban/<int:number>/khoi-phuc/", views.restore, name="restore"),
    path("<int:pk>/so-sanh/", views.compare, name="compare"),
    path("<int:pk>/docx/", views.docx, name="docx"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
    path("<int:pk>/phat-hanh/", views.issue, name="issue"),
]
