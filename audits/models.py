"""Internal audits (ISO 9001 9.2): programmes, audits, checklists, answers, findings, evidence."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .workflow import FINAL, WORKING, Status


class AuditType(models.TextChoices):
    PROCESS = "process", "Process audit"
    CONTENT = "content", "Content audit (post-publication)"
    SUPPLIER = "supplier", "Supplier audit (agency or freelancer)"


class AnswerValue(models.TextChoices):
    CONFORMING = "conforming", "Conforming"
    NONCONFORMING = "nonconforming", "Nonconforming"
    OBSERVATION = "observation", "Observation"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class Classification(models.TextChoices):
    MAJOR_NC = "major_nc", "Major nonconformity"
    MINOR_NC = "minor_nc", "Minor nonconformity"
    OBSERVATION = "observation", "Observation"
    OFI = "ofi", "Opportunity for improvement"


# A major or minor NC finding raises one nonconformity in capa, of this severity.
NC_SEVERITY = {Classification.MAJOR_NC: "major", Classification.MINOR_NC: "minor"}


class QuestionSource(models.TextChoices):
    BANK = "bank", "Question bank"
    SOP_ITEM = "sop_item", "SOP checklist item"
    COPIED = "copied", "Copied from a previous audit"
    NEW = "new", "Written for this audit"


class RecordKind(models.TextChoices):
    """Records of other apps an evidence row may point to (read through their selectors)."""

    DOCUMENT_VERSION = "document_version", "Document version"
    POST_REVIEW = "post_review", "Post review"
    SAMPLING_LOT = "sampling_lot", "Sampling lot"
    NONCONFORMITY = "nonconformity", "Nonconformity"
    CAPA = "capa", "Corrective action"


class AuditCounter(models.Model):
    """One row per year, locked while a reference is taken: ``AUD-2026-003`` without gaps or twins."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"AUD-{self.year}: {self.last}"


class AuditProgramme(models.Model):
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="audit_programmes")
    year = models.PositiveSmallIntegerField()
    objectives = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "team__name", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "year"], name="audits_programme_team_year")]

    def __str__(self) -> str:
        return f"{self.team} audit programme {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("audits:programme", args=[self.pk])


class Audit(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    programme = models.ForeignKey(AuditProgramme, on_delete=models.PROTECT, related_name="audits")
    # The programme's team, kept on the audit so every scoped list filters one indexed column.
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="audits")
    title = models.CharField(max_length=200)
    audit_type = models.CharField("type", max_length=20, choices=AuditType.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    # Scope
    audited_teams = models.ManyToManyField("accounts.Team", related_name="+", blank=True)
    documents = models.ManyToManyField("docs_control.Document", related_name="+", blank=True)
    clauses = models.JSONField(default=list, blank=True, help_text='ISO 9001 clauses, e.g. ["7.5.3", "8.7"].')
    processes = models.TextField(blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    # Content audits: the account whose posts are sampled, and the lot drawn for it.
    account = models.ForeignKey(
        "post_reviews.SocialAccount", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sampling_lot = models.ForeignKey(
        "post_reviews.SamplingLot", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # People
    lead_auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    auditors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    auditees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    # Dates
    planned_start = models.DateField()
    planned_end = models.DateField()
    actual_start = models.DateField(null=True, blank=True)
    actual_end = models.DateField(null=True, blank=True)
    # Report
    summary = models.TextField(blank=True)
    method = models.TextField(blank=True)
    conclusion = models.TextField(blank=True)
    cancel_reason = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_signature = models.ForeignKey(
        "core.Signature", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords(m2m_fields=[audited_teams, documents, auditors, auditees])

    class Meta:
        ordering = ["-planned_start", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(planned_end__gte=models.F("planned_start")), name="audits_planned"),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="audits_period",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "status"], name="audits_team_status_idx"),
            models.Index(fields=["programme", "audit_type", "planned_start"], name="audits_prog_type_idx"),
            # The audit list's order: a page is read from the index instead of sorting every
            # visible audit (10,000 at scale) to keep 25.
            models.Index(fields=["-planned_start", "-id"], name="audits_list_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("audits:detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    @property
    def is_working(self) -> bool:
        return self.status in WORKING

    @property
    def signature_version(self) -> str:
        return self.reference

    def signature_content(self) -> dict:
        return {
            "reference": self.reference,
            "title": self.title,
            "type": self.audit_type,
            "status": self.status,
            "period": [self.period_start, self.period_end],
            "actual": [self.actual_start, self.actual_end],
            "summary": self.summary,
            "method": self.method,
            "conclusion": self.conclusion,
            "findings": list(self.findings.order_by("number").values_list("number", "classification", "statement")),
            "answers": list(
                Answer.objects.filter(question__audit=self).order_by("question_id").values_list("question_id", "value")
            ),
        }


class BankQuestion(models.Model):
    """A team's question bank: questions an audit checklist is built from. A question is never
    deleted (audit questions point to it); a retired one (``active`` false) is no longer offered."""

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="audit_questions")
    question = models.TextField()
    clause = models.CharField(max_length=20, blank=True)
    document = models.ForeignKey(
        "docs_control.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    guidance = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["clause", "id"]
        indexes = [models.Index(fields=["team", "active", "clause"], name="audits_bank_team_clause_idx")]

    def __str__(self) -> str:
        return self.question[:80]


class AuditQuestion(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="questions")
    order = models.PositiveIntegerField()
    text = models.TextField()
    clause = models.CharField(max_length=20, blank=True)
    guidance = models.TextField(blank=True)
    source = models.CharField(max_length=20, choices=QuestionSource.choices)
    bank_question = models.ForeignKey(BankQuestion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    checklist_item = models.ForeignKey(
        "post_reviews.ChecklistItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["audit", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["audit", "order"], name="audits_question_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.text[:80]}"


class Answer(models.Model):
    question = models.OneToOneField(AuditQuestion, on_delete=models.PROTECT, related_name="answer")
    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="answers")
    value = models.CharField("answer", max_length=20, choices=AnswerValue.choices)
    notes = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["question__order", "id"]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"


class Finding(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="findings")
    number = models.PositiveSmallIntegerField()
    # The audited team the finding is about: its nonconformity is raised in that team.
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    question = models.ForeignKey(AuditQuestion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    classification = models.CharField(max_length=20, choices=Classification.choices)
    clause = models.CharField(max_length=20, blank=True)
    statement = models.TextField()
    requirement = models.TextField(blank=True)
    evidence_text = models.TextField("objective evidence", blank=True)
    auditee_response = models.TextField(blank=True)
    # When the auditee's response is due: set when the finding is recorded, changed by the lead
    # auditor; the reminder job reminds and escalates from it (audits/reminders.py).
    response_due = models.DateField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    nonconformity = models.OneToOneField(
        "capa.Nonconformity", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_finding"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["audit", "number"]
        constraints = [models.UniqueConstraint(fields=["audit", "number"], name="audits_finding_number")]
        indexes = [
            models.Index(fields=["classification", "clause"], name="audits_finding_class_idx"),
            # The reminder job's read: findings still waiting for a response, by due date.
            models.Index(fields=["response_due"], condition=Q(auditee_response=""), name="audits_finding_awaiting_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.get_classification_display()}"

    def get_absolute_url(self) -> str:
        return reverse("audits:finding", args=[self.pk])

    # How a nonconformity raised by this finding names and links its source (capa's NC page, API).
    def qms_source_label(self) -> str:
        return f"Audit finding {self.reference}: {self.get_classification_display().lower()}"

    def qms_source_url(self) -> str:
        return self.get_absolute_url()

    @property
    def reference(self) -> str:
        return f"{self.audit.reference}-F{self.number:02d}"

    @property
    def is_nonconformity(self) -> bool:
        return self.classification in NC_SEVERITY

    # capa's nonconformity_raise reads ``category`` from its source.
    category = "process"


class Evidence(models.Model):
    """A piece of evidence on an answer or a finding: a stored file (core Attachment, hashed) or a
    link to a record of another app."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="evidence")
    answer = models.ForeignKey(Answer, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence")
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence")
    attachment = models.ForeignKey("core.Attachment", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    record_kind = models.CharField(max_length=20, choices=RecordKind.choices, blank=True)
    record_id = models.PositiveBigIntegerField(null=True, blank=True)
    record_label = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=500, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=Q(answer__isnull=False, finding__isnull=True) | Q(answer__isnull=True, finding__isnull=False),
                name="audits_evidence_on_one",
            ),
            models.CheckConstraint(
                condition=Q(attachment__isnull=False, record_kind="", record_id__isnull=True)
                | Q(attachment__isnull=True, record_id__isnull=False) & ~Q(record_kind=""),
                name="audits_evidence_file_or_record",
            ),
        ]

    def __str__(self) -> str:
        return self.attachment.original_name if self.attachment_id else self.record_label


class IndependenceOverride(models.Model):
    """ISO 9001 9.2.2 c: a QA manager's signed decision that auditors with a working role in an
    audited team may audit it anyway. ``conflicts`` is a snapshot of what was overridden."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="independence_overrides")
    conflicts = models.JSONField(default=list)
    user_ids = models.JSONField(default=list)
    justification = models.TextField()
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now)
    signature = models.ForeignKey("core.Signature", null=True, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["signed_at", "id"]

    def __str__(self) -> str:
        return f"Independence override on {self.audit_id}"

    @property
    def signature_version(self) -> str:
        return str(self.pk)

    def signature_content(self) -> dict:
        return {"audit": self.audit_id, "conflicts": self.conflicts, "justification": self.justification}


# The evidence pack job lives with the pack machinery; imported here so Django registers it.
from .packs.models import EvidencePackJob, PackStatus  # noqa: E402, F401
