"""Every allowed and every forbidden CAPA transition, through the services."""

import pytest

from capa import services
from capa.models import CheckResult, Nonconformity
from capa.workflow import TRANSITIONS, NCStatus, Status
from core.exceptions import TransitionNotAllowed, ValidationError
from core.selectors import signatures_of
from tests.factories import PASSWORD

from .conftest import STAGES, capa_at

pytestmark = pytest.mark.django_db


def _go(capa, target, people):
    qa = people.qa
    if target == Status.INVESTIGATING:
        return services.capa_start_investigation(capa_id=capa.pk, by=qa)
    if target == Status.ACTION_PLAN:
        return services.capa_plan(capa_id=capa.pk, by=qa)
    if target == Status.IMPLEMENTING:
        return services.capa_implement(capa_id=capa.pk, by=qa)
    if target == Status.VERIFYING:
        return services.capa_start_verification(capa_id=capa.pk, criteria="No defects", by=qa)
    if target == Status.CLOSED:
        return services.capa_close(capa_id=capa.pk, password=PASSWORD, by=qa)
    if target == Status.CANCELLED:
        return services.capa_cancel(capa_id=capa.pk, reason="Duplicate of another CAPA", by=qa)
    raise AssertionError(target)


def _stage(people, stage):
    if stage == Status.CANCELLED:
        capa = capa_at(people, Status.OPEN)
        return services.capa_cancel(capa_id=capa.pk, reason="Raised by mistake", by=people.qa)
    return capa_at(people, stage)


FORBIDDEN = [
    (stage, target)
    for stage in [*STAGES, Status.CANCELLED]
    for target in Status.values
    if target != stage
    and target != Status.OPEN
    and (target not in TRANSITIONS[stage] or (stage, target) == (Status.VERIFYING, Status.IMPLEMENTING))
]


@pytest.mark.parametrize(("stage", "target"), FORBIDDEN)
def test_forbidden_transition_is_refused_and_changes_nothing(people, stage, target):
    capa = _stage(people, stage)
    history_rows = capa.history.count()
    with pytest.raises(TransitionNotAllowed):
        _go(capa, target, people)
    capa.refresh_from_db()
    assert capa.status == stage
    assert capa.history.count() == history_rows


def test_open_to_investigating(people):
    capa = capa_at(people, Status.OPEN)
    assert _go(capa, Status.INVESTIGATING, people).status == Status.INVESTIGATING


def test_investigating_to_action_plan_needs_the_root_cause(people):
    capa = capa_at(people, Status.OPEN)
    services.capa_start_investigation(capa_id=capa.pk, by=people.qa)
    with pytest.raises(ValidationError) as exc:
        services.capa_plan(capa_id=capa.pk, by=people.qa)
    assert "root_cause" in exc.value.errors
    services.capa_set_root_cause(capa_id=capa.pk, root_cause="No checklist item", five_whys=["a", "b"], by=people.qa)
    assert services.capa_plan(capa_id=capa.pk, by=people.qa).status == Status.ACTION_PLAN


def test_root_cause_needs_whys_or_fishbone(people):
    capa = capa_at(people, Status.INVESTIGATING)
    with pytest.raises(ValidationError) as exc:
        services.capa_set_root_cause(capa_id=capa.pk, root_cause="Tired", by=people.qa)
    assert "five_whys" in exc.value.errors
    services.capa_set_root_cause(
        capa_id=capa.pk,
        root_cause="No brand term list in the scheduler",
        root_cause_category="platform",
        fishbone={"platform": ["Scheduler has no term check"], "people": "New hire\nNo training"},
        by=people.qa,
    )
    capa.refresh_from_db()
    assert capa.fishbone == {
        "platform": ["Scheduler has no term check"],
        "people": ["New hire", "No training"],
    }


def test_root_cause_refused_after_planning(people):
    capa = capa_at(people, Status.IMPLEMENTING)
    with pytest.raises(TransitionNotAllowed):
        services.capa_set_root_cause(capa_id=capa.pk, root_cause="x", five_whys=["y"], by=people.qa)


def test_action_plan_to_implementing_needs_an_action_item(people):
    capa = capa_at(people, Status.ACTION_PLAN)
    with pytest.raises(ValidationError) as exc:
        services.capa_implement(capa_id=capa.pk, by=people.qa)
    assert "items" in exc.value.errors


def test_implementing_to_verifying_needs_every_item_done(people):
    capa = capa_at(people, Status.IMPLEMENTING)
    with pytest.raises(ValidationError) as exc:
        services.capa_start_verification(capa_id=capa.pk, criteria="No defects", by=people.qa)
    assert "items" in exc.value.errors
    item = capa.items.get()
    services.action_item_complete(item_id=item.pk, by=people.author)
    check = services.capa_start_verification(capa_id=capa.pk, criteria="No defects", by=people.qa)
    capa.refresh_from_db()
    assert capa.status == Status.VERIFYING
    assert capa.implemented_at is not None
    # Default due date: 30 days after implementation.
    assert (check.due_date - capa.implemented_at.date()).days == 30


def test_failed_check_reopens_to_implementing_with_a_reason(people):
    capa = capa_at(people, Status.VERIFYING, effective=False)
    with pytest.raises(ValidationError) as exc:
        services.capa_verify(capa_id=capa.pk, result=CheckResult.NOT_EFFECTIVE, by=people.qa)
    assert "reason" in exc.value.errors
    capa = services.capa_verify(
        capa_id=capa.pk, result=CheckResult.NOT_EFFECTIVE, reason="Two more posts without #ad", by=people.qa
    )
    assert capa.status == Status.IMPLEMENTING
    assert capa.reopen_reason == "Two more posts without #ad"
    # Repeating it is a no-op.
    again = services.capa_verify(
        capa_id=capa.pk, result=CheckResult.NOT_EFFECTIVE, reason="Two more posts without #ad", by=people.qa
    )
    assert again.status == Status.IMPLEMENTING
    assert capa.checks.count() == 1
    # A new check is made for the next verification; the failed one stays on record.
    services.capa_start_verification(capa_id=capa.pk, criteria="No defects for 60 days", by=people.qa)
    assert capa.checks.count() == 2


def test_verifying_to_closed(people):
    capa = capa_at(people, Status.VERIFYING)
    capa = services.capa_close(capa_id=capa.pk, password=PASSWORD, by=people.qa)
    assert capa.status == Status.CLOSED
    assert capa.closed_by == people.qa
    nc = Nonconformity.objects.get(corrective_action=capa)
    assert nc.status == NCStatus.CLOSED


@pytest.mark.parametrize("stage", [s for s in STAGES if s != Status.CLOSED])
def test_cancel_from_any_state_but_closed_reopens_its_ncs(people, stage):
    capa = capa_at(people, stage)
    nc = Nonconformity.objects.get(corrective_action=capa)
    with pytest.raises(ValidationError):
        services.capa_cancel(capa_id=capa.pk, reason="  ", by=people.qa)
    capa = services.capa_cancel(capa_id=capa.pk, reason="Duplicate of CAPA-1", by=people.qa)
    assert capa.status == Status.CANCELLED
    assert capa.cancel_reason == "Duplicate of CAPA-1"
    nc.refresh_from_db()
    assert nc.status == NCStatus.OPEN
    assert nc.corrective_action is None


@pytest.mark.parametrize(
    ("stage", "call"),
    [
        (Status.INVESTIGATING, "capa_start_investigation"),
        (Status.ACTION_PLAN, "capa_plan"),
        (Status.IMPLEMENTING, "capa_implement"),
    ],
)
def test_repeating_a_done_transition_is_a_no_op(people, stage, call):
    capa = capa_at(people, stage)
    rows = capa.history.count()
    assert getattr(services, call)(capa_id=capa.pk, by=people.qa).status == stage
    assert capa.history.count() == rows


def test_repeating_cancel_and_verification_is_a_no_op(people):
    capa = capa_at(people, Status.VERIFYING, effective=False)
    check = capa.checks.get()
    again = services.capa_start_verification(capa_id=capa.pk, criteria="Other", by=people.qa)
    assert again.pk == check.pk
    services.capa_cancel(capa_id=capa.pk, reason="Superseded", by=people.qa)
    rows = capa.history.count()
    services.capa_cancel(capa_id=capa.pk, reason="Superseded", by=people.qa)
    assert capa.history.count() == rows


def test_closed_capa_is_read_only(people):
    capa = capa_at(people, Status.CLOSED)
    item = capa.items.get()
    from datetime import date, timedelta

    with pytest.raises(TransitionNotAllowed):
        services.action_item_add(
            capa_id=capa.pk,
            description="More",
            action_type="preventive",
            owner=people.qa,
            due_date=date.today() + timedelta(days=3),
            by=people.qa,
        )
    with pytest.raises(TransitionNotAllowed):
        services.capa_start_investigation(capa_id=capa.pk, by=people.qa)
    # Closing again is a no-op, not a second signature.
    signatures = signatures_of(capa).count()
    services.capa_close(capa_id=capa.pk, password=PASSWORD, by=people.qa)
    assert signatures_of(capa).count() == signatures == 1
    assert item.history.count() == 2


def test_a_recurrence_opens_a_new_capa_that_follows_the_closed_one(people):
    closed = capa_at(people, Status.CLOSED)
    nc = services.nonconformity_raise(
        source=None,
        source_kind="complaint",
        team=people.team_a,
        severity="major",
        description="Missing #ad again",
        by=people.qa,
    )
    new = services.nonconformity_open_capa(
        nonconformity_id=nc.pk, owner=people.lead, follows_id=closed.pk, by=people.qa
    )
    assert new.follows == closed
    assert new.pk != closed.pk


def _step_calls(people, capa):
    from datetime import timedelta

    from django.utils import timezone

    qa = people.qa
    return {
        "start-investigation": lambda: services.capa_start_investigation(capa_id=capa.pk, by=qa),
        "root-cause": lambda: services.capa_set_root_cause(
            capa_id=capa.pk, root_cause="A cause", five_whys=["Why 1", "Why 2"], by=qa
        ),
        "plan": lambda: services.capa_plan(capa_id=capa.pk, by=qa),
        "items": lambda: services.action_item_add(
            capa_id=capa.pk,
            description="One more action",
            action_type="corrective",
            owner=qa,
            due_date=timezone.localdate() + timedelta(days=5),
            by=qa,
        ),
        "implement": lambda: services.capa_implement(capa_id=capa.pk, by=qa),
        "start-verification": lambda: services.capa_start_verification(capa_id=capa.pk, criteria="Fewer", by=qa),
        "verify": lambda: services.capa_verify(capa_id=capa.pk, result=CheckResult.EFFECTIVE, evidence="ok", by=qa),
        "close": lambda: services.capa_close(capa_id=capa.pk, password=PASSWORD, by=qa),
        "cancel": lambda: services.capa_cancel(capa_id=capa.pk, reason="Duplicate", by=qa),
    }


@pytest.mark.parametrize(
    ("stage", "effective"),
    [(s, True) for s in STAGES] + [(Status.VERIFYING, False)],
)
def test_the_steps_the_page_offers_are_exactly_the_ones_the_services_accept(people, stage, effective):
    from django.db import transaction

    from capa.workflow import available_steps

    capa = capa_at(people, stage, effective=effective)
    offered = available_steps(capa, items=list(capa.items.all()), checks=list(capa.checks.order_by("created_at", "id")))

    def recorded():  # every change of a CAPA, its items or its checks leaves a history row
        return (
            capa.history.count()
            + sum(i.history.count() for i in capa.items.all())
            + sum(c.history.count() for c in capa.checks.all())
        )

    for step, call in _step_calls(people, capa).items():
        before = recorded()
        with transaction.atomic():
            try:
                call()
                accepted = recorded() > before  # a repeated step is a no-op, not a step
            except (TransitionNotAllowed, ValidationError):
                accepted = False
            transaction.set_rollback(True)
        assert accepted == (step in offered), (stage, step, offered)
