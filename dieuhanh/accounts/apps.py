from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "dieuhanh.accounts"
    label = "accounts"
    verbose_name = _("Tài khoản")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from dieuhanh.accounts.middleware import mark_session_start

        user_logged_in.connect(mark_session_start, dispatch_uid="dieuhanh.accounts.mark_session_start")
