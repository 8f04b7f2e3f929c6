from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Metrics"

    def ready(self) -> None:
        from core.registry import register_nav

        register_nav("Metrics", "metrics:dashboard", order=50)
