from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "dieuhanh.documents"
    label = "documents"
    verbose_name = _("Văn bản")

    def ready(self) -> None:
        # This app's section of the home inbox (dieuhanh.web.inbox).
        from dieuhanh.documents.inbox import register_sections

        register_sections()
