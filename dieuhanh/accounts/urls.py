from django.urls import path

from dieuhanh.accounts.views import audit, auth, recovery, tokens, twofactor, user_manage, users

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", auth.login_view, name="login"),
    path("dang-nhap/xac-thuc/", auth.login_verify, name="login_verify"),
    path("dang-xuat/", auth.logout_view, name="logout"),
    path("doi-mat-khau/", auth.password_change, name="password_change"),
    path("doi-mat-khau/xong/", auth.password_change_done, name="password_change_done"),
    path("quen-mat-khau/", recovery.password_reset, name="password_reset"),
    path("dat-lai-mat-khau/<str:uidb64>/<str:token>/", recovery.password_reset_confirm,
         name="password_reset_confirm"),
    path("xac-thuc-hai-buoc/", twofactor.status, name="twofactor"),
    path("xac-thuc-hai-buoc/cai-dat/", twofactor.enrol, name="twofactor_enrol"),
    path("xac-thuc-hai-buoc/ma-du-phong/", twofactor.recovery_codes, name="twofactor_codes"),
    path("xac-thuc-hai-buoc/tat/", twofactor.disable, name="twofactor_disable"),
    path("nhat-ky/", audit.audit_log, name="audit"),
    path("ma-api/", tokens.token_list, name="tokens"),
    path("ma-api/tao/", tokens.token_create, name="token_create"),
    path("ma-api/<int:pk>/thu-hoi/", tokens.token_revoke, name="token_revoke"),
    path("nguoi-dung/", users.user_list, name="users"),
    path("nguoi-dung/tao/", users.user_create, name="user_create"),
    path("nguoi-dung/<int:pk>/", user_manage.user_detail, name="user_detail"),
    path("nguoi-dung/<int:pk>/khoa/", user_manage.user_deactivate, name="user_deactivate"),
    path("nguoi-dung/<int:pk>/mo-lai/", user_manage.user_activate, name="user_activate"),
    path("nguoi-dung/<int:pk>/mat-khau/", user_manage.user_password, name="user_password"),
    path("nguoi-dung/<int:pk>/huy-xac-thuc-hai-buoc/", user_manage.user_twofactor_reset,
         name="user_twofactor_reset"),
    path("nguoi-dung/<int:pk>/mo-khoa-dang-nhap/", user_manage.user_unlock, name="user_unlock"),
]
