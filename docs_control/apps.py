from django.apps import AppConfig


class DocsControlConfig(AppConfig):
    name = "docs_control"
    verbose_name = "Document control"

    def ready(self) -> None:
        from core.registry import register_dashboard_panel, register_nav
        from core.reminders import register_reminders

        from .reminders import due_reminders
        from .selectors import dashboard_panel

        register_nav("Documents", "docs_control:register", order=10)
        register_dashboard_panel("docs_control", dashboard_panel, order=10)
        register_reminders("docs_control", due_reminders)
