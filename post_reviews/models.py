from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from simple_history.models import HistoricalRecords

# One severity scale and one category vocabulary: a defect's severity and category become its NC's.
from capa.vocabulary import Category, Severity
from core.models import JobRun, JobStatus

from .platforms import Platform
from .workflow import ENGAGEMENT_FIELDS, LotStatus, PostStatus, ReviewState


class SocialAccount(models.Model):
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="social_accounts")
    platform = models.CharField(max_length=20, choices=Platform.choices)
    handle = models.CharField(max_length=100, help_text="Without the @.")
    display_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["platform", "handle"]
        # Per team: another team may follow the same handle, and learns nothing from it.
        constraints = [
            models.UniqueConstraint(fields=["team", "platform", "handle"], name="account_unique_handle_per_team")
        ]

    def __str__(self) -> str:
        return f"@{self.handle} ({self.get_platform_display()})"


class PrecheckSettings(models.Model):
    """A team's pre-check configuration: which rules run and their word and domain lists."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="precheck_settings")
    enabled_rules = models.JSONField(default=list)
    disclosure_tokens = models.JSONField(default=list)
    banned_terms = models.JSONField(default=list)
    restricted_terms = models.JSONField(default=list)
    allowed_domains = models.JSONField(default=list)
    utm_required_domains = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Pre-check settings of {self.team}"


class Source(models.TextChoices):
    MANUAL = "manual", "Manual"
    CSV = "csv", "CSV import"
    API = "api", "API"
    PLATFORM_EXPORT = "platform_export", "Platform export"


class Post(models.Model):
    # No single-column indexes on account and team: the composite indexes below lead with them,
    # and every extra index slows bulk imports.
    # team is denormalised from the account so queue and list queries filter one table. On
    # PostgreSQL one composite foreign key, (account, team) -> social account (id, team), stands
    # for both (migration 0006): it also guarantees the copy matches, and an import checks one key
    # per row instead of two.
    account = models.ForeignKey(
        SocialAccount, on_delete=models.PROTECT, related_name="posts", db_index=False, db_constraint=False
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    external_id = models.CharField(max_length=100)
    url = models.URLField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    media = models.JSONField(default=list, blank=True)  # [{"type": "image", "url": "...", "alt_text": "..."}]
    campaign = models.CharField(max_length=120, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    author_name = models.CharField(max_length=150, blank=True)  # the author the import or API states
    # Who imported the post, or who (other than its author) last changed its reviewed content by
    # any path (the form's author is ``author``). Neither may pass its pre-publication review. No database
    # constraint, like the history user: users are deactivated, never deleted, and a bulk import
    # would check the key once per row.
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    sponsored = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=PostStatus.choices, default=PostStatus.DRAFT)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANUAL)
    content_hash = models.CharField(max_length=64)  # of REVIEWED_FIELDS (post_reviews.workflow)
    prechecks = models.JSONField(default=list, blank=True)
    precheck_failures = models.PositiveSmallIntegerField(default=0)
    prechecked_at = models.DateTimeField(null=True, blank=True)
    review_state = models.CharField(max_length=10, choices=ReviewState.choices, default=ReviewState.PENDING)
    # Engagement as the platform reports it (None: not reported). Platform data, not reviewed
    # content: a change never touches the review state or the approval (ENGAGEMENT_FIELDS).
    impressions = models.PositiveBigIntegerField(null=True, blank=True)
    reach = models.PositiveBigIntegerField(null=True, blank=True)
    likes = models.PositiveBigIntegerField(null=True, blank=True)
    comments = models.PositiveBigIntegerField(null=True, blank=True)
    shares = models.PositiveBigIntegerField(null=True, blank=True)
    saves = models.PositiveBigIntegerField(null=True, blank=True)
    video_views = models.PositiveBigIntegerField(null=True, blank=True)
    engagement_updated_at = models.DateTimeField(null=True, blank=True)
    approved_for_publishing = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # History is read per post (by id), never by account, team or author: those indexes would only
    # slow every bulk import. The history user has no database constraint either (a check per
    # imported row); users are deactivated, never deleted, and history rows are append-only.
    # The pre-check results (prechecks, precheck_failures, prechecked_at) are left out on purpose:
    # they are derived from the post's content and the team's rules, which both have history, and
    # re-running them (set-based UPDATEs after an import or a rules change) is not a change of the
    # post. updated_at is bookkeeping. Engagement is left out for the same reason: it is the
    # platform's counters, refreshed daily by imports and integrations, not a change anyone made to
    # the post; a history row per refresh would bury the real changes.
    history = HistoricalRecords(
        excluded_fields=["prechecks", "precheck_failures", "prechecked_at", "updated_at", *ENGAGEMENT_FIELDS],
        no_db_index=["account", "team", "author", "imported_by"],
        user_db_constraint=False,
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="post_unique_per_account"),
        ]
        indexes = [
            # The review queue: waiting posts of a team, pre-check failures first, then oldest.
            models.Index(
                fields=["team", "-precheck_failures", "id"],
                name="post_queue_idx",
                condition=Q(review_state__in=["pending", "changed"]),
            ),
            # Per-account queue (and the per-account counts, index-only).
            models.Index(
                fields=["team", "account", "-precheck_failures", "id"],
                name="post_waiting_account_idx",
                condition=Q(review_state__in=["pending", "changed"]),
            ),
            models.Index(fields=["team", "-id"], name="post_team_recent_idx"),
            models.Index(fields=["team", "review_state", "-id"], name="post_team_state_recent_idx"),
            models.Index(fields=["account", "published_at"], name="post_account_published_idx"),
            # The post rollups read a team's posts of a day by their publication day (metrics).
            models.Index("team", Coalesce("published_at", "scheduled_at"), name="post_team_day_idx"),
            # The API's account filter (alone or with another) in the list's order; and the few
            # posts approved for publishing, which a walk of the primary key never finds.
            models.Index(fields=["account", "-id"], name="post_account_recent_idx"),
            models.Index(fields=["-id"], name="post_approved_recent_idx", condition=Q(approved_for_publishing=True)),
        ]

    def __str__(self) -> str:
        return f"{self.account} #{self.external_id}"


class QueueCount(models.Model):
    """How many posts wait for review, per account, published or not (the queue's stage filter)
    and campaign. PostgreSQL keeps it with statement triggers on posts (`post_reviews.queue_counts`),
    so the queue's counts read a few hundred rows however long the backlog is."""

    account_id = models.BigIntegerField()
    team_id = models.BigIntegerField()
    published = models.BooleanField()
    campaign = models.CharField(max_length=120)
    waiting = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account_id", "published", "campaign"], name="queue_count_key")]

    def __str__(self) -> str:
        return f"account {self.account_id} published={self.published} {self.campaign!r}: {self.waiting}"


class Checklist(models.Model):
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="checklists")
    name = models.CharField(max_length=200)
    document_version = models.ForeignKey(
        "docs_control.DocumentVersion", on_delete=models.PROTECT, related_name="checklists"
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Checklist items and defects use capa's categories (capa is raised by post reviews): a defect's
# category is its nonconformity's, with no mapping in between.
DefectCategory = Category


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(default=0)
    criterion = models.CharField(max_length=300)
    category = models.CharField(max_length=20, choices=DefectCategory.choices, default=DefectCategory.OTHER)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MAJOR)
    sop_section = models.CharField(max_length=60, blank=True)
    precheck_rule = models.CharField(max_length=40, blank=True, help_text="A pre-check rule that pre-fills this item.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["checklist", "order", "id"]

    def __str__(self) -> str:
        return self.criterion


class Stage(models.TextChoices):
    PRE_PUBLICATION = "pre_publication", "Pre-publication approval"
    POST_PUBLICATION = "post_publication", "Post-publication sample"


class Outcome(models.TextChoices):
    PASS = "pass", "Pass"
    PASS_MINOR = "pass_minor", "Pass with minor issues"
    FAIL = "fail", "Fail"


class PostReview(models.Model):
    """Append-only: a correction is a new review that supersedes this one, so no history table."""

    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="reviews")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="reviews")
    checklist_version = models.CharField(max_length=60, help_text="SOP number and version the checklist came from.")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    score = models.DecimalField(max_digits=5, decimal_places=1)
    time_spent_seconds = models.PositiveIntegerField(default=0)
    post_content_hash = models.CharField(max_length=64)
    notes = models.TextField(blank=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    sampling_lot = models.ForeignKey(
        "post_reviews.SamplingLot", null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["team", "-id"], name="review_team_recent_idx"),
            models.Index(fields=["post", "stage", "-id"], name="review_post_stage_idx"),
            # The metrics rollups read a team's reviews of a day (and each team's first and last).
            models.Index(fields=["team", "submitted_at"], name="review_team_submitted_idx"),
        ]

    def __str__(self) -> str:
        return f"Review of {self.post_id}: {self.outcome}"


class ItemResult(models.TextChoices):
    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"
    NOT_APPLICABLE = "na", "Not applicable"


class ReviewItem(models.Model):
    review = models.ForeignKey(PostReview, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(max_length=4, choices=ItemResult.choices)
    prefilled = models.BooleanField(default=False)

    class Meta:
        ordering = ["review", "item__order"]
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="review_item_once")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.result}"


class Defect(models.Model):
    review = models.ForeignKey(PostReview, on_delete=models.CASCADE, related_name="defects")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="defects")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=20, choices=DefectCategory.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    # The failed checklist item this defect records, if any: a failed critical or major item
    # always has one (given by the reviewer or recorded from the item), so the NC rule applies.
    checklist_item = models.ForeignKey(
        ChecklistItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "id"]

    def __str__(self) -> str:
        return f"{self.get_severity_display()} {self.get_category_display()} defect"

    # A nonconformity's source (capa's Nonconformity.source_summary): no query beyond the defect.
    def qms_source_label(self) -> str:
        return f"{self.get_severity_display()} {self.get_category_display().lower()} defect in review {self.review_id}"

    def qms_source_url(self) -> str:
        return reverse("post_reviews:post", args=[self.post_id]) + f"#review-{self.review_id}"


# An import run is a background job row: the statuses are the shared job statuses.
ImportStatus = JobStatus


class ImportRun(JobRun):
    """One uploaded file being imported. Status, attempts, heartbeat and failure message come
    from `core.models.JobRun`; the run registers with the sweeper in `apps.py`."""

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, default="csv")  # csv | x_archive
    # The X account an archive belongs to (an X archive names no account of its own).
    account = models.ForeignKey(SocialAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=200)
    original_name = models.CharField(max_length=255)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)  # rows of committed batches: where a resume starts
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"line": 7, "reason": "..."}], first 1000

    class Meta(JobRun.Meta):
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.status})"

    @property
    def message(self) -> str:
        """The failure message (the field was called `message` before job rows shared fields)."""
        return self.failure_message

    @message.setter
    def message(self, value: str) -> None:
        self.failure_message = value

    @property
    def percent(self) -> int:
        return (
            100
            if self.status == ImportStatus.DONE
            else int(100 * self.rows_done / self.rows_total)
            if self.rows_total
            else 0
        )


class SamplingLot(models.Model):
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(SocialAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="lots")
    period_start = models.DateField()
    period_end = models.DateField()
    method = models.CharField(max_length=12)  # iso2859 | percentage
    aql = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    code_letter = models.CharField(max_length=1, blank=True)
    lot_size = models.PositiveIntegerField()
    sample_size = models.PositiveIntegerField()
    accept = models.PositiveIntegerField()
    reject = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    sample_post_ids = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=LotStatus.choices, default=LotStatus.OPEN)
    defectives = models.PositiveIntegerField(default=0)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["sample_post_ids"])

    class Meta:
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="lot_period")]

    def __str__(self) -> str:
        return f"Lot {self.pk} {self.period_start} to {self.period_end}"

    def qms_source_label(self) -> str:
        return f"Sampling lot {self.pk}, {self.period_start} to {self.period_end}"

    def qms_source_url(self) -> str:
        return reverse("post_reviews:lot", args=[self.pk])
