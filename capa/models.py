from datetime import date

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .vocabulary import Category, Severity
from .workflow import FINAL, NCStatus, Status


class SourceKind(models.TextChoices):
    POST_REVIEW_DEFECT = "post_review_defect", "Post review defect"
    AUDIT_FINDING = "audit_finding", "Audit finding"
    DEFECT_TREND = "defect_trend", "Defect trend"
    COMPLAINT = "complaint", "Complaint"
    OTHER = "other", "Other"


class Disposition(models.TextChoices):
    """ISO 9001 8.7: what was done with a nonconforming published post."""

    TAKEN_DOWN = "taken_down", "Taken down"
    EDITED = "edited", "Edited"
    CORRECTION_POSTED = "correction_posted", "Correction posted"
    CLIENT_NOTIFIED = "client_notified", "Client notified"
    ACCEPTED_AS_IS = "accepted_as_is", "Accepted as is (concession)"


class Decision(models.TextChoices):
    NO_ACTION = "no_action", "No corrective action needed"
    CORRECTIVE_ACTION = "corrective_action", "Corrective action"


class CauseCategory(models.TextChoices):
    """Fishbone (Ishikawa) categories adapted to social media work."""

    PEOPLE = "people", "People"
    PROCESS = "process", "Process"
    PLATFORM = "platform", "Platform / tools"
    CONTENT = "content", "Content / materials"
    MEASUREMENT = "measurement", "Measurement"
    ENVIRONMENT = "environment", "Environment"


class ActionKind(models.TextChoices):
    CORRECTION = "correction", "Correction"
    CORRECTIVE = "corrective", "Corrective"
    PREVENTIVE = "preventive", "Preventive"


class CheckResult(models.TextChoices):
    EFFECTIVE = "effective", "Effective"
    NOT_EFFECTIVE = "not_effective", "Not effective"


class Comparator(models.TextChoices):
    LT = "lt", "below"
    LTE = "lte", "at most"
    GT = "gt", "above"
    GTE = "gte", "at least"


class ReferenceCounter(models.Model):
    """One row per (prefix, year), locked while a reference number is taken: no gaps from races,
    no duplicates (the references are unique too)."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="capa_counter_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class Nonconformity(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="nonconformities")
    source_kind = models.CharField(max_length=30, choices=SourceKind.choices)
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    category = models.CharField(max_length=30, choices=Category.choices, default=Category.OTHER)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    title = models.CharField(max_length=200)
    description = models.TextField()
    status = models.CharField(max_length=20, choices=NCStatus.choices, default=NCStatus.OPEN)
    detected_at = models.DateTimeField()
    detected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_justification = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    corrective_action = models.ForeignKey(
        "capa.CorrectiveAction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nonconformities",
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-detected_at", "-id"]
        verbose_name = "nonconformity"
        verbose_name_plural = "nonconformities"
        constraints = [
            # nonconformity_raise is idempotent per source record; this makes a race lose too.
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=Q(source_id__isnull=False),
                name="capa_nc_once_per_source",
            ),
            models.CheckConstraint(
                condition=Q(source_id__isnull=True, source_type__isnull=True)
                | Q(source_id__isnull=False, source_type__isnull=False),
                name="capa_nc_source_complete",
            ),
        ]
        indexes = [models.Index(fields=["team", "status", "category"], name="capa_nc_team_status_idx")]

    def __str__(self) -> str:
        return f"{self.reference} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("capa:nc-detail", args=[self.pk])

    def source_summary(self) -> dict | None:
        """What raised this NC, for its page and the API: ``{type, id, label, url}``, or None.

        Generic over sources: a model that raises NCs (a post review defect, a sampling lot, an
        audit finding) defines ``qms_source_label()`` and ``qms_source_url()``; capa names no app.
        """
        if self.source_type_id is None:
            return None
        kind = f"{self.source_type.app_label}.{self.source_type.model}"
        source = self.source
        if source is None:  # sources are protected from deletion; kept readable all the same
            return {"type": kind, "id": self.source_id, "label": f"{kind} #{self.source_id}", "url": None}
        label = source.qms_source_label() if hasattr(source, "qms_source_label") else str(source)
        url = source.qms_source_url() if hasattr(source, "qms_source_url") else None
        return {"type": kind, "id": self.source_id, "label": label, "url": url}

    @property
    def is_closed(self) -> bool:
        return self.status == NCStatus.CLOSED

    @property
    def awaiting_decision(self) -> bool:
        """Open and not yet in a corrective action: a CAPA can be opened or linked, or "no action" signed."""
        return self.status == NCStatus.OPEN and self.corrective_action_id is None

    @property
    def signature_version(self) -> str:
        return self.reference


class ContainmentAction(models.Model):
    """Containment or immediate correction, recorded as it happens (ISO 9001 10.2.1 a, 8.7)."""

    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.PROTECT, related_name="containments")
    disposition = models.CharField(max_length=30, choices=Disposition.choices, blank=True)
    description = models.TextField()
    done_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["done_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_disposition_display() or 'Containment'}: {self.description[:60]}"

    @property
    def is_concession(self) -> bool:
        return self.disposition == Disposition.ACCEPTED_AS_IS


class CorrectiveAction(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="corrective_actions")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    follows = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followed_by",
        help_text="The closed CAPA this one follows, when a problem came back.",
    )
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Root cause analysis: a 5-whys chain (list of answers) and fishbone causes {category: [causes]}.
    five_whys = models.JSONField(default=list, blank=True)
    fishbone = models.JSONField(default=dict, blank=True)
    root_cause = models.TextField(blank=True)
    root_cause_category = models.CharField(max_length=20, choices=CauseCategory.choices, blank=True)
    implemented_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = "corrective action"
        indexes = [models.Index(fields=["team", "status"], name="capa_team_status_idx")]

    def __str__(self) -> str:
        return f"{self.reference} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("capa:capa-detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    @property
    def age_days(self) -> int:
        end = self.closed_at or self.cancelled_at or timezone.now()
        return (end - self.opened_at).days

    @property
    def signature_version(self) -> str:
        return self.reference

    def signature_content(self) -> dict:
        return {
            "reference": self.reference,
            "title": self.title,
            "status": self.status,
            "owner": self.owner_id,
            "root_cause": self.root_cause,
            "root_cause_category": self.root_cause_category,
            "five_whys": self.five_whys,
            "fishbone": self.fishbone,
            "implemented_at": self.implemented_at,
            "closed_at": self.closed_at,
        }


class ActionItem(models.Model):
    corrective_action = models.ForeignKey(CorrectiveAction, on_delete=models.PROTECT, related_name="items")
    description = models.TextField()
    action_type = models.CharField("type", max_length=20, choices=ActionKind.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, done_by__isnull=True)
                | Q(done_at__isnull=False, done_by__isnull=False),
                name="capa_item_done_complete",
            )
        ]
        indexes = [models.Index(fields=["due_date"], name="capa_item_due_idx", condition=Q(done_at=None))]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.done_at is None and self.due_date < today


class EffectivenessCheck(models.Model):
    """Was the action effective? Criteria and due date are set when verification starts; a failed
    check stays on record and a new one is made for the next verification."""

    corrective_action = models.ForeignKey(CorrectiveAction, on_delete=models.PROTECT, related_name="checks")
    criteria = models.TextField()
    due_date = models.DateField()
    # Optional measured criterion, evaluated by the daily job once metrics exist, e.g.
    # metric "defect_rate", scope {"category": "disclosure", "days": 30}, comparator lt, threshold 0.01.
    metric_key = models.CharField(max_length=60, blank=True)
    metric_scope = models.JSONField(default=dict, blank=True)
    comparator = models.CharField(max_length=4, choices=Comparator.choices, blank=True)
    threshold = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    result = models.CharField(max_length=20, choices=CheckResult.choices, blank=True)
    # What the daily job measured for a measured criterion, in the metric's unit.
    measured_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    evidence = models.TextField(blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # At most one check waiting for a result per CAPA.
            models.UniqueConstraint(
                fields=["corrective_action"], condition=Q(result=""), name="capa_one_pending_check"
            ),
        ]

    def __str__(self) -> str:
        return f"Check of {self.corrective_action_id}: {self.result or 'pending'}"

    @property
    def is_measured(self) -> bool:
        return bool(self.metric_key)

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return not self.result and self.due_date < today
