from django.apps import AppConfig


class DocsControlConfig(AppConfig):
    name = "docs_control"
    verbose_name = "Document control"

    def ready(self) -> None:
        from core.registry import register_dashboard_panel, register_nav

        from .selectors import dashboard_panel

        register_nav("Documents", "docs_control:register", order=10)
        register_dashboard_panel("docs_control", dashboard_panel, order=10)
