from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "dieuhanh.tasks"
    label = "tasks"
    verbose_name = _("Nhiệm vụ")

    def ready(self) -> None:
        # The tasks' sections of the home inbox (dieuhanh.web.inbox).
        from dieuhanh.tasks.inbox import register_sections

        register_sections()
