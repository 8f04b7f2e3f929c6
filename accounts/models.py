import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from simple_history.models import HistoricalRecords

from .roles import Role


class Delivery(models.TextChoices):
    DIGEST = "digest", "One daily digest email"
    IMMEDIATE = "immediate", "An email for each reminder"


class User(AbstractUser):
    # How reminders reach this person by email (the in-app inbox always shows each one), and the
    # zone of their 08:00 digest.
    reminder_delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.DIGEST)
    time_zone = models.CharField(max_length=60, blank=True, help_text="Empty: the site's time zone.")
    """The project's user from the first migration, so fields can be added later without pain."""

    @property
    def printed_name(self) -> str:
        # ISO 9001 / 21 CFR 11 style: a signature shows the signer's name as printed at signing.
        return self.get_full_name() or self.username

    def __str__(self) -> str:
        return self.printed_name


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    # Overdue items go to their owner; after these many days also to the team leads, then to the
    # team's QA managers.
    escalate_lead_days = models.PositiveSmallIntegerField(default=3)
    escalate_qa_days = models.PositiveSmallIntegerField(default=7)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["team__name", "user__username", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "team", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.team} · {self.get_role_display()}"


class ApiToken(models.Model):
    """An API token. Only the SHA-256 of the key is stored: the key is shown once, when issued.

    The key is 240 random bits, so a plain (fast) hash is enough: there is nothing to guess.
    ``prefix`` (the key's first characters) lets a person tell their tokens apart.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=60, default="API")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
