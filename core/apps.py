from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core import checks  # noqa: F401  (registers the start-up checks)
        from core.db import guard_append_only_tables
        from core.registry import register_nav

        register_nav("Dashboard", "core:dashboard", order=0)
        # After every migrate (and test-database setup): guard every append-only table, including
        # history tables of apps added later.
        post_migrate.connect(guard_append_only_tables, sender=self, dispatch_uid="qms_append_only_guard")
