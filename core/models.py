import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Meaning(models.TextChoices):
    AUTHORED = "authored", "Authored"
    REVIEWED = "reviewed", "Reviewed"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    CLOSED = "closed", "Closed"
    VERIFIED = "verified", "Verified"


class SignatureQuerySet(models.QuerySet):
    def for_record(self, record: models.Model) -> "SignatureQuerySet":
        return self.filter(record_type=ContentType.objects.get_for_model(record), record_id=record.pk)

    def update(self, **kwargs):  # pragma: no cover - guard
        raise TypeError("Signatures are append-only.")

    def delete(self):  # pragma: no cover - guard
        raise TypeError("Signatures are append-only.")


class Signature(models.Model):
    """An electronic signature: who signed which record, meaning what, when, over which content.

    Append-only: the app has no update or delete path and PostgreSQL refuses UPDATE, DELETE and
    TRUNCATE (triggers, core.db).
    """

    qms_append_only = True

    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures")
    printed_name = models.CharField(max_length=300)
    meaning = models.CharField(max_length=20, choices=Meaning.choices)
    signed_at = models.DateTimeField()
    record_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    record_id = models.PositiveBigIntegerField()
    record_version = models.CharField(max_length=40, blank=True)
    content_sha256 = models.CharField(max_length=64)
    comment = models.TextField(blank=True)
    record = GenericForeignKey("record_type", "record_id")

    objects = SignatureQuerySet.as_manager()

    class Meta:
        ordering = ["signed_at", "id"]
        indexes = [models.Index(fields=["record_type", "record_id"], name="signature_record_idx")]

    def __str__(self) -> str:
        return f"{self.printed_name} · {self.get_meaning_display()} · {self.signed_at:%Y-%m-%d %H:%M} UTC"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Signatures are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Signatures are append-only.")


def _attachment_path(instance: "Attachment", filename: str) -> str:
    # Never the user's file name: a random name with the extension of the detected type.
    return f"attachments/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}{instance.extension}"


class Attachment(models.Model):
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    extension = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    # Optional link to the record it is evidence for (a CAPA action, an audit finding...).
    record_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    record_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["record_type", "record_id"], name="attachment_record_idx")]

    def __str__(self) -> str:
        return self.original_name


class Notification(models.Model):
    """Outbox and inbox in one row. Unique per (recipient, kind, subject, due bucket): a reminder
    enqueued twice, by a retried task or a second beat tick, is stored and emailed once."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=60)
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    subject_id = models.PositiveBigIntegerField()
    due_bucket = models.CharField(max_length=32, blank=True)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The task it asks for is done (acknowledged, superseded, decided): it no longer counts as
    # unread and is not emailed any more, whether or not the recipient opened it.
    done_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject_type", "subject_id", "due_bucket"],
                name="notification_once_per_bucket",
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title


class WorkerHeartbeat(models.Model):
    """Written by the `heartbeat` beat task; /readyz reads it to know a worker is consuming."""

    name = models.CharField(max_length=60, unique=True)
    last_seen_at = models.DateTimeField()
    hostname = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_seen_at:%Y-%m-%d %H:%M:%S}"


class DigestLog(models.Model):
    """A digest email sent to a person for a local day: unique, so two runs send one."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_day")]

    def __str__(self) -> str:
        return f"digest for {self.user_id} on {self.day}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class JobRun(models.Model):
    """Fields of a background job's row (an import, a PDF render, an evidence pack).

    The worker claims the row (`core.services.job_claim`), touches `heartbeat_at` after each
    committed step and from a timer (`core.jobs.heartbeat`), and finishes it done or failed.
    `sweep_stale_jobs` resumes or fails rows whose heartbeat went quiet (see docs/operations.md).
    A concrete model registers itself with `core.jobs.register_job`.
    """

    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)  # times a worker started it
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # last sign of life (queued or running)
    failure_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        # The sweeper's scan: only queued and running rows, by heartbeat. A subclass with its own
        # Meta inherits this one (`class Meta(JobRun.Meta)`) to keep the index.
        indexes = [
            models.Index(
                fields=["heartbeat_at"],
                name="%(class)s_active_idx",
                condition=models.Q(status__in=["queued", "running"]),
            )
        ]

    @property
    def is_active(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)
