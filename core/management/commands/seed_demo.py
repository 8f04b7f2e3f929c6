"""Load the demo: teams, people and each installed module's demo records. Safe to run again."""

from importlib import import_module, util

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Create or complete the demo data (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            # accounts first: every other module's demo needs its people.
            configs = sorted(apps.get_app_configs(), key=lambda c: c.name != "accounts")
            for config in configs:
                module_name = f"{config.name}.demo"
                if util.find_spec(module_name) is None:
                    continue
                import_module(module_name).seed(stdout=self.stdout)
                self.stdout.write(f"  demo: {config.label}")
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
