"""Recompute every signature's and attachment's SHA-256 and list what no longer matches."""

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from core.integrity import integrity_attachments, integrity_signatures
from core.models import Attachment, Signature
from core.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Check each signature against the signed record's content at signing time and each "
        "attachment against its stored bytes. Lists every mismatch; exits 1 if there is any."
    )

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=500, help="Rows fetched per query.")

    def handle(self, *args, chunk_size: int, **options):
        # The bar redraws one line with "\r": write to the stream itself, not through Django's
        # wrapper, which ends every write with a newline.
        stderr = self.stderr._out if isinstance(self.stderr, OutputWrapper) else self.stderr
        mismatches = 0
        for label, total, rows in (
            ("signatures", Signature.objects.count(), integrity_signatures(chunk_size=chunk_size)),
            ("attachments", Attachment.objects.count(), integrity_attachments(chunk_size=chunk_size)),
        ):
            bar = ProgressBar(stderr, label, total)
            for _row, mismatch in rows:
                bar.advance()
                if mismatch is not None:
                    mismatches += 1
                    self.stdout.write(f"MISMATCH {mismatch}")
            bar.close()
            self.stdout.write(f"{bar.done} {label} checked")
        if mismatches:
            raise CommandError(f"{mismatches} mismatch(es): see above.", returncode=1)
        self.stdout.write(self.style.SUCCESS("No mismatches."))
