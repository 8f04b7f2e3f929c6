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
