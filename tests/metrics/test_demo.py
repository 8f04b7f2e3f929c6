"""The metrics demo: a closed management review of last quarter and a draft of this one."""

import pytest
from django.core.management import call_command

from core.models import Signature
from metrics.models import ManagementReview

pytestmark = pytest.mark.django_db


def test_demo_has_a_closed_and_a_draft_management_review():
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    closed = ManagementReview.objects.get(status="closed")
    draft = ManagementReview.objects.get(status="draft")
    assert closed.period_end < draft.period_start
    assert closed.snapshot["process"]["reviews"]["value"] > 0
    assert Signature.objects.for_record(closed).get().meaning == "approved"
    assert closed.actions.count() == 1


def test_demo_has_ninety_days_of_engagement_and_an_engagement_objective():
    from metrics.models import Objective, PostDaily

    call_command("seed_demo")
    rows = PostDaily.objects.filter(impressions__gt=0)
    assert rows.values("day").distinct().count() >= 85
    assert rows.values("account_id").distinct().count() >= 3
    from django.utils.timezone import localdate

    from metrics.objectives import objective_statuses

    objective = Objective.objects.get(metric="engagement_rate")
    # The objective's status comes from the post rollups: this month's rate is a real figure.
    current = objective_statuses([objective], today=localdate(), count=2)[objective.pk][1]
    assert current.value is not None and 1 < current.value < 10


def test_demo_history_fills_the_quality_charts():
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Team
    from metrics.definitions import METRICS
    from metrics.models import CapaDaily, NcDaily
    from metrics.selectors import Filters, metric_total
    from metrics.selectors_quality import capa_ageing

    call_command("seed_demo")
    team = Team.objects.get(name="Brand")
    today = timezone.localdate()
    f = Filters(team_ids=frozenset({team.pk}), day_from=today - timedelta(days=89), day_to=today, interval="month")
    now = capa_ageing(f)["points"][-1]
    assert now["open"]["over 90"] >= 1 and now["open"]["31-60"] >= 1 and now["overdue_items"] >= 3
    assert NcDaily.objects.filter(team_id=team.pk).values("source").distinct().count() >= 3
    on_time = metric_total(METRICS["capa_on_time_rate"], f)
    assert on_time["denominator"] >= 4 and 0 < on_time["value"] < 100
    assert CapaDaily.objects.filter(team_id=team.pk, cancelled=1).exists()
