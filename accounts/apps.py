from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and teams"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .services import roles_sync_after_migrate

        post_migrate.connect(roles_sync_after_migrate, sender=self)
