from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DraftsConfig(AppConfig):
    name = "dieuhanh.drafts"
    label = "drafts"
    verbose_name = _("Dự thảo văn bản")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # This app's section of the home inbox (dieuhanh.web.inbox).
        from dieuhanh.drafts.inbox import register_sections

        register_sections()
