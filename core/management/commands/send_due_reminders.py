"""Run the reminder job once (beat runs it hourly)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from core.services import reminders_send_due


class Command(BaseCommand):
    help = "Send every reminder that is due and was never sent."

    def handle(self, *args, **options):
        created = reminders_send_due(now=timezone.now())
        self.stdout.write(f"{created} reminder{'s' if created != 1 else ''} sent.")
