from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "dieuhanh.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        # The search index follows every Document save/delete (see dieuhanh.documents.search).
        from dieuhanh.documents.search import connect_signals

        connect_signals()
