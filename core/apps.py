from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core import checks  # noqa: F401  (registers the start-up checks)
        from core.registry import register_nav

        register_nav("Dashboard", "core:dashboard", order=0)
