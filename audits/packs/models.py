"""An evidence pack export: the job that builds it and, once done, the record of what was exported.

The row is the export record the issue asks for (who, when, which audit, size, the manifest's
SHA-256) and the job the page polls. ``file_name`` is set only in the same save that marks the
job done, after the ZIP is complete in storage: a job that is queued, running or failed has no
file to offer. History is tracked so the export shows in the audit's history.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class PackStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class EvidencePackJob(models.Model):
    audit = models.ForeignKey("audits.Audit", on_delete=models.PROTECT, related_name="evidence_packs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=PackStatus.choices, default=PackStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent of files written
    files_total = models.PositiveIntegerField(default=0)
    files_done = models.PositiveIntegerField(default=0)
    failure_message = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)  # times a worker started it
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # last progress written by the worker
    file_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["progress", "files_done", "heartbeat_at"])

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["audit", "-created_at"], name="audits_pack_audit_idx"),
            models.Index(fields=["manifest_sha256"], name="audits_pack_manifest_idx"),
        ]
        constraints = [
            # Downloadable means done, and done means complete: a file, its size and its hash.
            models.CheckConstraint(
                condition=Q(status=PackStatus.DONE, size__isnull=False, manifest_sha256__regex=r"^[0-9a-f]{64}$")
                & ~Q(file_name="")
                | ~Q(status=PackStatus.DONE) & Q(file_name=""),
                name="audits_pack_done_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Evidence pack {self.pk} of audit {self.audit_id} ({self.status})"

    @property
    def is_downloadable(self) -> bool:
        return self.status == PackStatus.DONE and bool(self.file_name)

    @property
    def is_active(self) -> bool:
        return self.status in (PackStatus.QUEUED, PackStatus.RUNNING)

    @property
    def download_name(self) -> str:
        return f"{self.audit.reference}-evidence-pack-{self.pk}.zip"
