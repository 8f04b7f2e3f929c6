"""Metrics tasks: one service call each."""

from celery import shared_task


@shared_task(acks_late=True, time_limit=30 * 60, soft_time_limit=28 * 60)
def rollup_metrics() -> None:
    from metrics.services import rollup_metrics as run

    run()


@shared_task(acks_late=True, time_limit=60 * 60, soft_time_limit=58 * 60)
def rollup_metrics_recent() -> None:
    from metrics.services import rollup_recent_days

    rollup_recent_days(days=2)


@shared_task(acks_late=True)
def objectives_evaluate() -> None:
    from django.utils import timezone

    from metrics.services import objectives_evaluate as run

    run(today=timezone.localdate())


@shared_task(acks_late=True)
def evaluate_effectiveness_checks() -> None:
    from django.utils import timezone

    from metrics.services import effectiveness_checks_evaluate

    effectiveness_checks_evaluate(now=timezone.now())


@shared_task(acks_late=True)
def defect_trends_raise() -> None:
    from django.utils import timezone

    from metrics.services import defect_trends_raise as run

    run(today=timezone.localdate())
