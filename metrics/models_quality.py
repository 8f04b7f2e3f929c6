"""Rollup tables of the quality system's own records (ISO 9001 9.1.3, 10.2, 7.3, 9.2): sampling
lots, nonconformities, CAPAs and their action items, acknowledgements and audit findings.

Like the review rollups they are derived data keyed by (business day, team), refreshed by the same
runs from the same dirty queue, and carry no history. Two tables hold *states* rather than events,
so that "how many were open at the end of day T" is exact for any past T and a full rebuild
reproduces it: ``CapaState`` (a CAPA's opened and ended days) and ``ActionItemState`` (an item's
created, due and resolved days). Both are keyed by the CAPA's opened day: every change to a CAPA or
to one of its items re-aggregates that one day.
"""

from datetime import date

from django.db import models

# The resolved day of what is still open: later than any day a chart asks for.
OPEN_END = date(9999, 12, 31)


class LotDaily(models.Model):
    """Sampling lots decided per business day, team and account (0: a lot over the whole team)."""

    day = models.DateField()
    team_id = models.IntegerField()
    account_id = models.IntegerField()
    platform = models.CharField(max_length=20)
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    run_token = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "team_id", "account_id"], name="metrics_lot_daily_key")]
        indexes = [models.Index(fields=["team_id", "day"], name="metrics_lot_team_day")]

    def __str__(self) -> str:
        return f"{self.day} team {self.team_id} account {self.account_id}: {self.accepted}/{self.rejected}"


class NcDaily(models.Model):
    """Nonconformities opened (detected) and closed per business day, team, source, category and
    severity. An NC closes with its CAPA (the CAPA's closing time) or by a signed no-action decision."""

    day = models.DateField()
    team_id = models.IntegerField()
    source = models.CharField(max_length=30)
    category = models.CharField(max_length=30)
    severity = models.CharField(max_length=10)
    opened = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    run_token = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team_id", "source", "category", "severity"], name="metrics_nc_daily_key"
            )
        ]
        indexes = [models.Index(fields=["team_id", "day"], name="metrics_nc_team_day")]

    def __str__(self) -> str:
        return f"{self.day} team {self.team_id} {self.source}/{self.category}: +{self.opened} -{self.closed}"


class CapaDaily(models.Model):
    """CAPAs opened, closed and cancelled per business day and team. Closed on time: every action
    item was done on or before its due day. Age at close in whole days, as the CAPA page shows it."""

    day = models.DateField()
    team_id = models.IntegerField()
    opened = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    closed_on_time = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    age_days_at_close = models.BigIntegerField(default=0, help_text="Sum over the CAPAs closed that day.")
    run_token = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "team_id"], name="metrics_capa_daily_key")]

    def __str__(self) -> str:
        return f"{self.day} team {self.team_id}: +{self.opened} -{self.closed}"


class CapaState(models.Model):
    """CAPAs by the day they opened (``day``) and the day they were closed or cancelled
    (``end_day``, ``OPEN_END`` while active). Open at the end of T: day <= T < end_day."""

    day = models.DateField()
    team_id = models.IntegerField()
    end_day = models.DateField()
    capas = models.PositiveIntegerField(default=0)
    run_token = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "team_id", "end_day"], name="metrics_capa_state_key")]
        indexes = [models.Index(fields=["team_id", "end_day"], name="metrics_capa_state_end")]

    def __str__(self) -> str:
        return f"team {self.team_id}: {self.capas} opened {self.day}, ended {self.end_day}"


class ActionItemState(models.Model):
    """CAPA action items by their CAPA's opened day (``day``), their created and due days and the
    day they stopped being owed (done, or their CAPA cancelled; ``OPEN_END`` until then).
    Overdue at the end of T: created_day <= T, due_day < T and resolved_day > T."""

    day = models.DateField()
    team_id = models.IntegerField()
    created_day = models.DateField()
    due_day = models.DateField()
    resolved_day = models.DateField()
    items = models.PositiveIntegerField(default=0)
    run_token = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team_id", "created_day", "due_day", "resolved_day"], name="metrics_item_state_key"
            )
        ]
        indexes = [models.Index(fields=["team_id", "resolved_day"], name="metrics_item_state_resolved")]

    def __str__(self) -> str:
        return f"team {self.team_id}: {self.items} due {self.due_day}, resolved {self.resolved_day}"


class AckDaily(models.Model):
    """Acknowledgements per business day they were due, team of the document and document:
    done on time (at or before the due time), done late, and still outstanding."""

    day = models.DateField()
    team_id = models.IntegerField()
    document_id = models.IntegerField()
    due = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    outstanding = models.PositiveIntegerField(default=0)
    run_token = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "team_id", "document_id"], name="metrics_ack_daily_key")]
        indexes = [models.Index(fields=["team_id", "day"], name="metrics_ack_team_day")]

    def __str__(self) -> str:
        return f"{self.day} team {self.team_id} document {self.document_id}: {self.on_time}/{self.due}"


class FindingDaily(models.Model):
    """Audit findings per business day they were recorded, audited team, classification and
    ISO 9001 clause ('' when none was given)."""

    day = models.DateField()
    team_id = models.IntegerField()
    classification = models.CharField(max_length=20)
    clause = models.CharField(max_length=20)
    findings = models.PositiveIntegerField(default=0)
    run_token = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team_id", "classification", "clause"], name="metrics_finding_daily_key"
            )
        ]
        indexes = [models.Index(fields=["team_id", "day"], name="metrics_finding_team_day")]

    def __str__(self) -> str:
        return f"{self.day} team {self.team_id} {self.classification} {self.clause}: {self.findings}"
