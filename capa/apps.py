from django.apps import AppConfig


class CapaConfig(AppConfig):
    name = "capa"
    verbose_name = "CAPA"

    def ready(self) -> None:
        from core.registry import register_dashboard_panel, register_nav
        from core.reminders import register_reminders

        from .reminders import due_reminders
        from .selectors import dashboard_panel

        register_nav("CAPA", "capa:board", order=40)
        register_dashboard_panel("capa", dashboard_panel, order=40)
        register_reminders("capa", due_reminders)
