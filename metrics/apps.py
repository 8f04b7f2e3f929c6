from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Metrics"

    def ready(self) -> None:
        from core.registry import register_dashboard_panel, register_nav

        from .selectors import dashboard_panel

        register_nav("Metrics", "metrics:dashboard", order=50)
        register_nav("Management reviews", "metrics:reviews", order=51)
        register_dashboard_panel("metrics", dashboard_panel, order=5)
