"""Rollup tables of the quality figures (ISO 9001 9.1) and the queue of keys they must refresh.

Rollups are derived data, rebuilt from the base tables at any time, so they carry no history.
Every number the dashboard and the metrics API show is read from these tables, never from a
GROUP BY over the base tables at request time.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords


class RollupDirty(models.Model):
    """A (team, moment) whose business day must be re-aggregated.

    Written by PostgreSQL statement triggers on the base tables in the same transaction as the
    change, so it becomes visible exactly when the change does. An incremental run deletes the
    rows it can see and re-aggregates their days; a row of a transaction still in flight is not
    visible to that DELETE, so it waits for the next run: no watermark can skip a late commit.
    No unique key on purpose: a second change to a day that a run is refreshing must queue its
    own row, not be swallowed by a conflict with the row being deleted.
    """

    id = models.BigAutoField(primary_key=True)
    team_id = models.IntegerField()
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["at"], name="metrics_dirty_at")]

    def __str__(self) -> str:
        return f"team {self.team_id} at {self.at:%Y-%m-%d %H:%M}"


class ReviewDaily(models.Model):
    """Post reviews per business day, team, account and stage."""

    day = models.DateField()
    team_id = models.IntegerField()
    account_id = models.IntegerField()
    platform = models.CharField(max_length=20)
    stage = models.CharField(max_length=20)
    reviews = models.PositiveIntegerField(default=0)
    passed = models.PositiveIntegerField(default=0)
    passed_minor = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    review_seconds = models.BigIntegerField(default=0)
    run_token = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "team_id", "account_id", "stage"], name="metrics_review_daily_key")
        ]
        indexes = [models.Index(fields=["team_id", "day"], name="metrics_review_team_day")]

    def __str__(self) -> str:
        return f"{self.day} team {self.team_id} account {self.account_id} {self.stage}: {self.reviews}"


class DefectDaily(models.Model):
    """Defects per business day of their review, team, account, category and severity."""

    day = models.DateField()
    team_id = models.IntegerField()
    account_id = models.IntegerField()
    platform = models.CharField(max_length=20)
    category = models.CharField(max_length=20)
    severity = models.CharField(max_length=10)
    defects = models.PositiveIntegerField(default=0)
    run_token = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team_id", "account_id", "category", "severity"], name="metrics_defect_daily_key"
            )
        ]
        indexes = [models.Index(fields=["team_id", "day"], name="metrics_defect_team_day")]

    def __str__(self) -> str:
        return f"{self.day} team {self.team_id} {self.category}/{self.severity}: {self.defects}"


class PostDaily(models.Model):
    """Posts per business day of publication, team and account, with their engagement.

    A post's day is the day of ``published_at``, or of ``scheduled_at`` while it has none (a
    draft with neither has no day and is not counted). Engagement counters the platform didn't
    report count as 0; ``engagements`` is likes + comments + shares + saves, and
    ``engagements_rated`` the same of the posts whose impressions are known, so the engagement
    rate (engagements_rated / impressions) is never inflated by posts without impressions.
    """

    day = models.DateField()
    team_id = models.IntegerField()
    account_id = models.IntegerField()
    platform = models.CharField(max_length=20)
    posts = models.PositiveIntegerField(default=0)
    posts_published = models.PositiveIntegerField(default=0)
    posts_reviewed = models.PositiveIntegerField(default=0, help_text="Published posts with at least one review.")
    impressions = models.BigIntegerField(default=0)
    reach = models.BigIntegerField(default=0)
    likes = models.BigIntegerField(default=0)
    comments = models.BigIntegerField(default=0)
    shares = models.BigIntegerField(default=0)
    saves = models.BigIntegerField(default=0)
    video_views = models.BigIntegerField(default=0)
    engagements = models.BigIntegerField(default=0)
    engagements_rated = models.BigIntegerField(default=0)
    run_token = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "team_id", "account_id"], name="metrics_post_daily_key")]
        indexes = [models.Index(fields=["team_id", "day"], name="metrics_post_team_day")]

    def __str__(self) -> str:
        return f"{self.day} team {self.team_id} account {self.account_id}: {self.posts} posts"


class PrecheckDaily(models.Model):
    """Posts failing a pre-check rule (a critical or major finding), per business day of the post
    (as in ``PostDaily``), team, account and rule."""

    day = models.DateField()
    team_id = models.IntegerField()
    account_id = models.IntegerField()
    platform = models.CharField(max_length=20)
    rule = models.CharField(max_length=40)
    failures = models.PositiveIntegerField(default=0)
    run_token = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "team_id", "account_id", "rule"], name="metrics_precheck_daily_key")
        ]
        indexes = [models.Index(fields=["team_id", "day"], name="metrics_precheck_team_day")]

    def __str__(self) -> str:
        return f"{self.day} team {self.team_id} {self.rule}: {self.failures}"


class RollupRun(models.Model):
    """One rollup run: what it refreshed and how long it took (operations, not a controlled record)."""

    kind = models.CharField(max_length=12)  # incremental | full
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    keys = models.PositiveIntegerField(default=0)
    skipped = models.BooleanField(default=False, help_text="Another run held the lock.")

    def __str__(self) -> str:
        return f"{self.kind} rollup {self.started_at:%Y-%m-%d %H:%M}"


class Period(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    YEAR = "year", "Year"


class Comparator(models.TextChoices):
    AT_LEAST = "gte", "at least"
    AT_MOST = "lte", "at most"


class Objective(models.Model):
    """A quality objective (ISO 9001 6.2): a metric, a target and a period, owned by a person."""

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="objectives")
    name = models.CharField(max_length=200)
    metric = models.CharField(max_length=40)
    comparator = models.CharField(max_length=3, choices=Comparator.choices)
    target = models.DecimalField(max_digits=12, decimal_places=3)
    period = models.CharField(max_length=10, choices=Period.choices, default=Period.MONTH)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    platform = models.CharField(max_length=20, blank=True)
    account_id = models.IntegerField(null=True, blank=True)
    category = models.CharField(max_length=20, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["team_id", "name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="metrics_objective_name_per_team")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("metrics:objective", args=[self.pk])


class TrendRule(models.Model):
    """A team's defect-trend rule (ISO 9001 10.3): without a row, the defaults below apply."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="trend_rule")
    factor = models.DecimalField(max_digits=6, decimal_places=2, default=2)
    weeks = models.PositiveSmallIntegerField(default=2)
    min_reviews = models.PositiveIntegerField(default=20)
    baseline_days = models.PositiveSmallIntegerField(default=90)
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Trend rule of {self.team}"


class TrendAlert(models.Model):
    """One defect trend found: a category's rate on an account above its baseline for the rule's
    weeks. Unique per (team, account, category, first week), so a re-run or a race raises nothing
    more; it is also the source record of the nonconformity it raised."""

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    account_id = models.IntegerField()
    category = models.CharField(max_length=20)
    week_start = models.DateField(help_text="Monday of the first week over the baseline.")
    week_end = models.DateField(help_text="Sunday of the last week over the baseline.")
    figures = models.JSONField(default=dict)
    nonconformity = models.ForeignKey(
        "capa.Nonconformity", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-week_start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "account_id", "category", "week_start"], name="metrics_trend_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} trend on account {self.account_id} from {self.week_start}"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    CLOSED = "closed", "Closed"


class ManagementReview(models.Model):
    """A management review (ISO 9001 9.3) of a team for a period. The computed inputs are read
    live while it is a draft and frozen into ``snapshot`` when the chair signs it closed."""

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="management_reviews")
    title = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    # 9.3.2 inputs people write.
    issues_changes = models.TextField("changes in internal and external issues", blank=True)
    external_providers = models.TextField("performance of external providers", blank=True)
    resources = models.TextField("adequacy of resources", blank=True)
    risks = models.TextField("effectiveness of actions on risks and opportunities", blank=True)
    improvement = models.TextField("opportunities for improvement", blank=True)
    # 9.3.3 outputs (actions are ManagementReviewAction rows).
    decisions = models.TextField(blank=True)
    resource_needs = models.TextField(blank=True)
    snapshot = models.JSONField(null=True, blank=True, help_text="The computed inputs, frozen on closing.")
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    TEXT_FIELDS = ("issues_changes", "external_providers", "resources", "risks", "improvement")
    OUTPUT_FIELDS = ("decisions", "resource_needs")

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="metrics_mr_period"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("metrics:review", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status == ReviewStatus.CLOSED

    @property
    def signature_version(self) -> str:
        return f"MR-{self.pk}"

    def signature_content(self) -> dict:
        fields = ("title", "period_start", "period_end", "chair_id", "status", *self.TEXT_FIELDS, *self.OUTPUT_FIELDS)
        return {
            **{f: getattr(self, f) for f in fields},
            "participants": sorted(self.participants.values_list("pk", flat=True)),
            "actions": [[a.pk, a.description, a.owner_id, a.due_date] for a in self.actions.all()],
            "snapshot": self.snapshot,
        }


class ManagementReviewAction(models.Model):
    """An output action of a review (9.3.3): tracked until done, and input a) of the next one."""

    review = models.ForeignKey(ManagementReview, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.description[:80]


# The quality-record rollups live in their own module; importing them here registers them.
from .models_quality import (  # noqa: E402, F401
    AckDaily,
    ActionItemState,
    CapaDaily,
    CapaState,
    FindingDaily,
    LotDaily,
    NcDaily,
)
