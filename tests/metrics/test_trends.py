"""Defect trends: a category's rate on an account over twice its baseline for two weeks raises one NC."""

from datetime import date, timedelta
from unittest import mock

import pytest

from capa.models import Nonconformity, SourceKind
from metrics.models import DefectDaily, ReviewDaily, TrendAlert, TrendRule
from metrics.services import defect_trends_raise

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 10)  # a Thursday: the last two complete weeks are Nov 23-29 and Nov 30-Dec 6
WEEK1, WEEK2 = date(2026, 11, 23), date(2026, 11, 30)
BASELINE_DAY = date(2026, 10, 1)


def _day(team_id, day, *, reviews, defects, category="disclosure", account_id=1):
    ReviewDaily.objects.create(
        day=day, team_id=team_id, account_id=account_id, platform="x", stage="post_publication",
        reviews=reviews, passed=reviews - defects, passed_minor=0, failed=defects,
    )  # fmt: skip
    if defects:
        DefectDaily.objects.create(
            day=day, team_id=team_id, account_id=account_id, platform="x", category=category,
            severity="major", defects=defects,
        )  # fmt: skip


def _history(team_id, *, week_reviews=30, week_defects=3, account_id=1):
    _day(team_id, BASELINE_DAY, reviews=200, defects=4, account_id=account_id)  # 2 per 100
    _day(team_id, WEEK1 + timedelta(days=2), reviews=week_reviews, defects=week_defects, account_id=account_id)
    _day(team_id, WEEK2 + timedelta(days=1), reviews=week_reviews, defects=week_defects, account_id=account_id)


def test_a_trend_raises_exactly_one_nc_with_its_figures(people):
    _history(people.team_a.pk)  # 10 per 100 in both weeks > 2 x 2
    _history(people.team_b.pk, week_defects=0)
    assert defect_trends_raise(today=TODAY) == 1
    nc = Nonconformity.objects.get()
    assert nc.team == people.team_a
    assert nc.source_kind == SourceKind.DEFECT_TREND
    assert nc.category == "disclosure"
    assert nc.detected_by == people.qa
    assert "2.0 per 100 reviews (4 defects in 200 reviews)" in nc.description
    assert "Week 2026-11-23 to 2026-11-29: 10.0 per 100 reviews (3 defects in 30 reviews)" in nc.description
    alert = TrendAlert.objects.get()
    assert alert.nonconformity == nc and alert.week_start == WEEK1
    # Re-running, and the next day, raise nothing more.
    assert defect_trends_raise(today=TODAY) == 0
    assert defect_trends_raise(today=TODAY + timedelta(days=1)) == 0
    # The trend going on a third week is the same trend: still one NC.
    _day(people.team_a.pk, date(2026, 12, 8), reviews=30, defects=3)
    assert defect_trends_raise(today=TODAY + timedelta(days=7)) == 0
    assert Nonconformity.objects.count() == 1


def test_below_threshold_raises_none(people):
    _history(people.team_a.pk, week_defects=1)  # 3.3 per 100 < 4
    assert defect_trends_raise(today=TODAY) == 0
    assert not Nonconformity.objects.exists()


def test_one_week_only_raises_none(people):
    _day(people.team_a.pk, BASELINE_DAY, reviews=200, defects=4)
    _day(people.team_a.pk, WEEK1, reviews=30, defects=0)
    _day(people.team_a.pk, WEEK2, reviews=30, defects=6)
    assert defect_trends_raise(today=TODAY) == 0


def test_too_few_reviews_raises_none(people):
    _history(people.team_a.pk, week_reviews=19, week_defects=3)
    assert defect_trends_raise(today=TODAY) == 0
    assert not Nonconformity.objects.exists()


def test_the_team_rule_sets_the_factor(people):
    _history(people.team_a.pk)  # 5x the baseline
    TrendRule.objects.create(team=people.team_a, factor=6)
    assert defect_trends_raise(today=TODAY) == 0
    TrendRule.objects.filter(team=people.team_a).update(factor=4)
    assert defect_trends_raise(today=TODAY) == 1


def test_the_daily_task_runs_the_service_and_is_scheduled(people, settings):
    from metrics.tasks import defect_trends_raise as task

    _history(people.team_a.pk)
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        task()  # the task body, in-process
    assert Nonconformity.objects.count() == 1
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"metrics.tasks.defect_trends_raise", "metrics.tasks.evaluate_effectiveness_checks"} <= tasks


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_raise_one_nc(people):
    import threading

    from django.db import connection

    _history(people.team_a.pk)
    barrier = threading.Barrier(2)
    errors, raised = [], []

    def run():
        try:
            barrier.wait()
            raised.append(defect_trends_raise(today=TODAY))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(raised) == [0, 1]
    assert Nonconformity.objects.count() == TrendAlert.objects.count() == 1
