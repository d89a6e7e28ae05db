from django.urls import path

from dieuhanh.accounts.views import audit, auth, tokens, users

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", auth.login_view, name="login"),
    path("dang-xuat/", auth.logout_view, name="logout"),
    path("doi-mat-khau/", auth.password_change, name="password_change"),
    path("doi-mat-khau/xong/", auth.password_change_done, name="password_change_done"),
    path("nhat-ky/", audit.audit_log, name="audit"),
    path("ma-api/", tokens.token_list, name="tokens"),
    path("ma-api/tao/", tokens.token_create, name="token_create"),
    path("ma-api/<int:pk>/thu-hoi/", tokens.token_revoke, name="token_revoke"),
    path("nguoi-dung/", users.user_list, name="users"),
    path("nguoi-dung/tao/", users.user_create, name="user_create"),
]
