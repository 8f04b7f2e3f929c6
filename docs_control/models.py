from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .workflow import Status


class Kind(models.TextChoices):
    POLICY = "policy", "Policy"
    SOP = "sop", "SOP"
    WORK_INSTRUCTION = "work_instruction", "Work instruction"
    CHECKLIST = "checklist", "Checklist"
    BRAND_GUIDE = "brand_guide", "Brand guide"
    EXTERNAL = "external", "External document"


class Document(models.Model):
    # Unique per team: another team may use the same number, and learns nothing from it.
    number = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="documents")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_documents")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SOP)
    source_url = models.URLField(blank=True, help_text="Where an external document lives.")
    review_interval_months = models.PositiveSmallIntegerField(default=12)
    next_review_due = models.DateField(null=True, blank=True)
    required_approvals = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    # Number, title and the current body as plain text. On PostgreSQL a generated tsvector
    # column over it (GIN-indexed, see migration 0002) serves the register's search.
    search_text = models.TextField(blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["team", "number"], name="document_number_unique_per_team"),
            models.CheckConstraint(condition=Q(required_approvals__gte=1), name="document_needs_an_approver"),
            models.CheckConstraint(condition=Q(review_interval_months__gte=1), name="document_review_interval"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    major = models.PositiveSmallIntegerField()
    minor = models.PositiveSmallIntegerField()
    body = models.TextField(blank=True)
    change_summary = models.CharField(max_length=500, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Optimistic lock for the draft editor: bumped on every body save.
    lock_version = models.PositiveIntegerField(default=1)
    review_round = models.PositiveSmallIntegerField(default=0)
    extra_teams = models.ManyToManyField("accounts.Team", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    effective_from = models.DateField(null=True, blank=True, help_text="Scheduled date to become effective.")
    effective_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    obsolete_reason = models.TextField(blank=True)
    review_comment = models.TextField(blank=True, help_text="Why changes were requested.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["document", "-major", "-minor"]
        constraints = [
            models.UniqueConstraint(fields=["document", "major", "minor"], name="version_label_unique"),
            # ISO 9001 7.5.3: one version in force, one being drafted, never two.
            models.UniqueConstraint(
                fields=["document"], condition=Q(status=Status.DRAFT), name="version_one_draft_per_document"
            ),
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status=Status.EFFECTIVE),
                name="version_one_effective_per_document",
            ),
        ]
        indexes = [models.Index(fields=["status", "effective_from"], name="version_due_effective_idx")]

    def __str__(self) -> str:
        return f"{self.document.number} v{self.label}"

    @property
    def label(self) -> str:
        return f"{self.major}.{self.minor}"

    def signature_version(self) -> str:
        return self.label

    def signature_content(self) -> dict:
        # What an approver or reader signs: the identity and text of this version.
        return {
            "document": self.document.number,
            "title": self.document.title,
            "version": self.label,
            "body": self.body,
            "change_summary": self.change_summary,
        }


class Decision(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Changes requested"


class Approval(models.Model):
    """An approver picked for one review round of a version, and their signed decision."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="approvals")
    round = models.PositiveSmallIntegerField()
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    signature = models.OneToOneField("core.Signature", null=True, blank=True, on_delete=models.PROTECT)
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "round", "approver"], name="approval_once_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.version} round {self.round}: {self.approver} {self.decision}"


class Acknowledgement(models.Model):
    """A person asked to read and acknowledge an effective version (ISO 9001 7.3 awareness)."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="acknowledgements")
    requested_at = models.DateTimeField()
    due_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    signature = models.OneToOneField("core.Signature", null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["version", "user"]
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="acknowledgement_once")]
        indexes = [models.Index(fields=["user", "acknowledged_at"], name="ack_pending_idx")]

    def __str__(self) -> str:
        return f"{self.version} · {self.user}"


class PeriodicReview(models.Model):
    """'Reviewed, no change': a signed confirmation that the effective version is still right."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="periodic_reviews")
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField()
    comment = models.TextField(blank=True)
    next_review_due = models.DateField()
    signature = models.OneToOneField("core.Signature", on_delete=models.PROTECT)

    class Meta:
        ordering = ["-reviewed_at"]

    def __str__(self) -> str:
        return f"{self.document.number} reviewed {self.reviewed_at:%Y-%m-%d}"
