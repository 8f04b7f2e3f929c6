"""Measured effectiveness checks: judged from the rollups when due, once; the CAPA moves on."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from capa import services as capa_services
from capa.models import CheckResult, EffectivenessCheck
from capa.workflow import Status
from core.models import Notification
from metrics.models import DefectDaily, ReviewDaily
from metrics.services import effectiveness_checks_evaluate
from tests.capa.conftest import capa_at
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _measured_capa(people, *, threshold="1", comparator="lte", scope=None):
    capa = capa_at(people, Status.IMPLEMENTING)
    item = capa.items.get()
    capa_services.action_item_complete(item_id=item.pk, by=people.author, note="done")
    check = capa_services.capa_start_verification(
        capa_id=capa.pk,
        criteria="At most 1 disclosure defect per 100 reviews over 30 days",
        metric_key="defect_rate",
        metric_scope=scope if scope is not None else {"category": "disclosure", "days": 30},
        comparator=comparator,
        threshold=Decimal(threshold),
        by=people.qa,
    )
    return capa, check


def _data(team_id, day, *, reviews, disclosure, other=0, account_id=1):
    ReviewDaily.objects.create(
        day=day, team_id=team_id, account_id=account_id, platform="x", stage="post_publication",
        reviews=reviews, passed=reviews, passed_minor=0, failed=0,
    )  # fmt: skip
    if disclosure:
        DefectDaily.objects.create(
            day=day, team_id=team_id, account_id=account_id, platform="x", category="disclosure",
            severity="major", defects=disclosure,
        )  # fmt: skip
    if other:
        DefectDaily.objects.create(
            day=day, team_id=team_id, account_id=account_id, platform="x", category="link",
            severity="minor", defects=other,
        )  # fmt: skip


def _due(check, today):
    EffectivenessCheck.objects.filter(pk=check.pk).update(due_date=today)
    check.refresh_from_db()
    return check


def test_measured_check_passes_and_capa_is_ready_for_closure(people):
    capa, check = _measured_capa(people)
    today = timezone.localdate()
    _due(check, today)
    _data(people.team_a.pk, today - timedelta(days=5), reviews=200, disclosure=1, other=9)  # 0.5 %
    _data(people.team_a.pk, today - timedelta(days=40), reviews=10, disclosure=9)  # before the window
    _data(people.team_b.pk, today - timedelta(days=5), reviews=10, disclosure=9)  # another team
    _data(people.team_a.pk, today, reviews=10, disclosure=9)  # the due day itself: after the window
    assert effectiveness_checks_evaluate(now=timezone.now()) == 1
    check.refresh_from_db()
    capa.refresh_from_db()
    assert check.result == CheckResult.EFFECTIVE
    assert check.measured_value == Decimal("0.5000")
    assert check.checked_by is None
    assert "1 of 200" in check.evidence
    assert capa.status == Status.VERIFYING
    capa_services.capa_close(capa_id=capa.pk, password=PASSWORD, by=people.qa)  # ready for signed closure
    assert Notification.objects.filter(recipient=capa.owner, kind="capa_check_measured").count() == 1
    # Exactly once: a second run records nothing and changes nothing.
    assert effectiveness_checks_evaluate(now=timezone.now()) == 0
    assert capa.checks.count() == 1


def test_measured_check_fails_and_capa_goes_back_with_a_notice(people):
    capa, check = _measured_capa(people)
    today = timezone.localdate()
    _due(check, today)
    _data(people.team_a.pk, today - timedelta(days=3), reviews=100, disclosure=4)  # 4 %
    assert effectiveness_checks_evaluate(now=timezone.now()) == 1
    check.refresh_from_db()
    capa.refresh_from_db()
    assert check.result == CheckResult.NOT_EFFECTIVE
    assert check.measured_value == Decimal("4.0000")
    assert capa.status == Status.IMPLEMENTING
    assert "4.0% (4 of 100)" in capa.reopen_reason
    note = Notification.objects.get(recipient=capa.owner, kind="capa_check_measured")
    assert "not effective" in note.title
    assert effectiveness_checks_evaluate(now=timezone.now()) == 0
    # The record service is idempotent on its own too.
    again = capa_services.effectiveness_check_record_measurement(
        check_id=check.pk, value=Decimal(0), verdict=CheckResult.EFFECTIVE
    )
    assert again.result == CheckResult.NOT_EFFECTIVE
    capa.refresh_from_db()
    assert capa.status == Status.IMPLEMENTING


def test_not_due_or_no_data_stays_pending(people):
    _, check = _measured_capa(people)
    today = timezone.localdate()
    _data(people.team_a.pk, today - timedelta(days=3), reviews=100, disclosure=4)
    assert check.due_date > today
    assert effectiveness_checks_evaluate(now=timezone.now()) == 0  # not due yet
    _due(check, date(2020, 1, 1))
    assert effectiveness_checks_evaluate(now=timezone.now()) == 0  # due, but no reviews in its window
    check.refresh_from_db()
    assert check.result == ""


def test_scope_account_narrows_the_measure(people):
    _, check = _measured_capa(people, scope={"category": "disclosure", "account_id": 7})
    today = timezone.localdate()
    _due(check, today)
    _data(people.team_a.pk, today - timedelta(days=3), reviews=100, disclosure=50, account_id=1)
    _data(people.team_a.pk, today - timedelta(days=3), reviews=100, disclosure=0, account_id=7)
    assert effectiveness_checks_evaluate(now=timezone.now()) == 1
    check.refresh_from_db()
    assert (check.result, check.measured_value) == (CheckResult.EFFECTIVE, Decimal("0.0000"))
