"""Raising, containment, decisions, closure rules, permissions, history and signatures."""

from datetime import timedelta

import pytest
from django.utils import timezone

from capa import services
from capa.models import (
    CheckResult,
    ContainmentAction,
    CorrectiveAction,
    Decision,
    Disposition,
    Nonconformity,
    SourceKind,
)
from capa.selectors import due_effectiveness_checks, overdue_action_items
from capa.workflow import NCStatus, Status
from core.exceptions import InvalidPassword, PermissionDenied, TransitionNotAllowed, ValidationError
from core.models import Attachment, Meaning, Signature
from core.selectors import signatures_of
from tests.factories import PASSWORD

from .conftest import capa_at, evidence_file, raise_nc

pytestmark = pytest.mark.django_db


# --- raising -----------------------------------------------------------------------------------


def test_raise_gives_a_yearly_reference_and_a_history_row(people):
    first = raise_nc(people)
    second = raise_nc(people, description="Wrong link in bio")
    year = timezone.now().year
    assert first.reference == f"NC-{year}-0001"
    assert second.reference == f"NC-{year}-0002"
    assert first.status == NCStatus.OPEN
    assert first.title == "Missing #ad on a post"
    row = first.history.get()
    assert row.history_change_reason == "raised"


def test_raise_is_idempotent_per_source_record(people):
    source = people.viewer  # any record stands in for a post review defect or an audit finding
    first = services.nonconformity_raise(
        source=source,
        source_kind=SourceKind.AUDIT_FINDING,
        team=people.team_a,
        severity="major",
        description="Finding 3: no disclosure check",
        by=people.auditor,
    )
    again = services.nonconformity_raise(
        source=source, team=people.team_a, severity="critical", description="again", by=people.auditor
    )
    assert again.pk == first.pk
    assert Nonconformity.objects.count() == 1
    assert first.source == source
    assert first.source_kind == SourceKind.AUDIT_FINDING
    # A different source record is a different NC.
    other = services.nonconformity_raise(
        source=people.author, team=people.team_a, severity="minor", description="x", by=people.auditor
    )
    assert other.pk != first.pk
    assert other.source_kind == SourceKind.OTHER


def test_raise_without_source_needs_a_kind_and_valid_input(people):
    with pytest.raises(ValidationError) as exc:
        services.nonconformity_raise(source=None, team=people.team_a, severity="major", description="x", by=people.qa)
    assert "source_kind" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        services.nonconformity_raise(
            source=None,
            source_kind="complaint",
            team=people.team_a,
            severity="huge",
            description="x",
            by=people.qa,
        )
    assert "severity" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        services.nonconformity_raise(
            source=None,
            source_kind="complaint",
            team=people.team_a,
            severity="minor",
            description=" ",
            by=people.qa,
        )
    assert "description" in exc.value.errors
    assert Nonconformity.objects.count() == 0


def test_viewer_and_outsider_cannot_raise(people):
    with pytest.raises(PermissionDenied):
        raise_nc(people, by=people.viewer)
    with pytest.raises(PermissionDenied):
        raise_nc(people, by=people.outsider)


# --- containment and decisions -----------------------------------------------------------------


def test_containment_is_recorded_with_timestamps(people):
    nc = raise_nc(people)
    done = timezone.now() - timedelta(hours=2)
    action = services.nonconformity_contain(
        nonconformity_id=nc.pk,
        disposition=Disposition.TAKEN_DOWN,
        description="Post hidden on Instagram",
        done_at=done,
        by=people.author,
    )
    assert action.done_at == done
    assert action.recorded_at >= done
    assert action.history.get().history_change_reason == "containment recorded"
    assert not signatures_of(action).exists()


def test_concession_requires_a_qa_managers_signature(people):
    nc = raise_nc(people)
    for user in (people.lead, people.author):
        with pytest.raises(PermissionDenied):
            services.nonconformity_contain(
                nonconformity_id=nc.pk,
                disposition=Disposition.ACCEPTED_AS_IS,
                description="Typo is harmless",
                password=PASSWORD,
                by=user,
            )
    with pytest.raises(InvalidPassword):
        services.nonconformity_contain(
            nonconformity_id=nc.pk,
            disposition=Disposition.ACCEPTED_AS_IS,
            description="Typo is harmless",
            password="wrong",
            by=people.qa,
        )
    assert ContainmentAction.objects.count() == 0
    action = services.nonconformity_contain(
        nonconformity_id=nc.pk,
        disposition=Disposition.ACCEPTED_AS_IS,
        description="Typo is harmless",
        password=PASSWORD,
        by=people.qa,
    )
    signature = signatures_of(action).get()
    assert signature.signer == people.qa
    assert signature.meaning == Meaning.APPROVED


def test_no_action_decision_requires_a_qa_managers_signature_and_justification(people):
    nc = raise_nc(people)
    with pytest.raises(PermissionDenied):
        services.nonconformity_decide_no_action(
            nonconformity_id=nc.pk, justification="One-off", password=PASSWORD, by=people.lead
        )
    with pytest.raises(InvalidPassword):
        services.nonconformity_decide_no_action(
            nonconformity_id=nc.pk, justification="One-off", password="nope", by=people.qa
        )
    with pytest.raises(ValidationError) as exc:
        services.nonconformity_decide_no_action(
            nonconformity_id=nc.pk, justification="", password=PASSWORD, by=people.qa
        )
    assert "justification" in exc.value.errors
    nc.refresh_from_db()
    assert nc.status == NCStatus.OPEN
    assert Signature.objects.count() == 0

    nc = services.nonconformity_decide_no_action(
        nonconformity_id=nc.pk, justification="One-off typo, corrected", password=PASSWORD, by=people.qa
    )
    assert nc.status == NCStatus.CLOSED
    assert nc.decision == Decision.NO_ACTION
    assert signatures_of(nc).get().comment == "One-off typo, corrected"
    assert nc.history.first().history_change_reason == "no corrective action needed"
    # Closed NCs are read-only.
    with pytest.raises(TransitionNotAllowed):
        services.nonconformity_open_capa(nonconformity_id=nc.pk, owner=people.qa, by=people.qa)
    with pytest.raises(TransitionNotAllowed):
        services.nonconformity_contain(nonconformity_id=nc.pk, description="late", by=people.qa)


def test_open_capa_links_the_nc_and_is_idempotent(people):
    nc = raise_nc(people)
    capa = services.nonconformity_open_capa(nonconformity_id=nc.pk, owner=people.lead, by=people.qa)
    again = services.nonconformity_open_capa(nonconformity_id=nc.pk, owner=people.lead, by=people.qa)
    assert again.pk == capa.pk
    assert capa.reference == f"CAPA-{timezone.now().year}-0001"
    nc.refresh_from_db()
    assert nc.status == NCStatus.IN_CAPA
    assert nc.decision == Decision.CORRECTIVE_ACTION
    assert CorrectiveAction.objects.count() == 1


def test_open_capa_owner_must_work_capas_in_the_team(people):
    nc = raise_nc(people)
    for owner in (people.viewer, people.outsider):
        with pytest.raises(ValidationError) as exc:
            services.nonconformity_open_capa(nonconformity_id=nc.pk, owner=owner, by=people.qa)
        assert "owner" in exc.value.errors


def test_a_duplicate_nc_is_linked_to_the_open_capa(people):
    capa = capa_at(people, "investigating")
    duplicate = raise_nc(people, description="Same missing #ad on TikTok")
    services.nonconformity_link_capa(nonconformity_id=duplicate.pk, capa_id=capa.pk, by=people.author)
    assert set(capa.nonconformities.values_list("id", flat=True)) == {
        duplicate.pk,
        Nonconformity.objects.exclude(pk=duplicate.pk).get().pk,
    }


# --- closure -----------------------------------------------------------------------------------


def test_closure_refused_without_a_passed_effectiveness_check(people):
    capa = capa_at(people, Status.VERIFYING, effective=False)
    with pytest.raises(ValidationError) as exc:
        services.capa_close(capa_id=capa.pk, password=PASSWORD, by=people.qa)
    assert "check" in exc.value.errors
    services.capa_verify(capa_id=capa.pk, result=CheckResult.NOT_EFFECTIVE, reason="Still happening", by=people.qa)
    with pytest.raises(TransitionNotAllowed):
        services.capa_close(capa_id=capa.pk, password=PASSWORD, by=people.qa)
    assert not Signature.objects.exists()


def test_closure_refused_unless_every_action_item_is_done(people):
    capa = capa_at(people, Status.VERIFYING, effective=False)
    # An item can't be added while verifying; one left undone at verification is refused earlier.
    with pytest.raises(TransitionNotAllowed):
        services.action_item_add(
            capa_id=capa.pk,
            description="late",
            action_type="preventive",
            owner=people.qa,
            due_date=timezone.localdate(),
            by=people.qa,
        )
    # Reopen, add an item, and try to close around it: refused at verification and at closure.
    services.capa_verify(capa_id=capa.pk, result=CheckResult.NOT_EFFECTIVE, reason="Recurred", by=people.qa)
    item = services.action_item_add(
        capa_id=capa.pk,
        description="Train the team",
        action_type="preventive",
        owner=people.lead,
        due_date=timezone.localdate() + timedelta(days=3),
        by=people.qa,
    )
    with pytest.raises(ValidationError) as exc:
        services.capa_start_verification(capa_id=capa.pk, criteria="x", by=people.qa)
    assert "items" in exc.value.errors
    with pytest.raises(TransitionNotAllowed):
        services.capa_close(capa_id=capa.pk, password=PASSWORD, by=people.qa)
    services.action_item_complete(item_id=item.pk, by=people.lead)
    services.capa_start_verification(capa_id=capa.pk, criteria="x", by=people.qa)
    services.capa_verify(capa_id=capa.pk, result=CheckResult.EFFECTIVE, evidence="ok", by=people.qa)
    assert services.capa_close(capa_id=capa.pk, password=PASSWORD, by=people.qa).status == Status.CLOSED


@pytest.mark.parametrize("who", ["lead", "author", "auditor", "viewer", "outsider"])
def test_closure_refused_for_anyone_but_a_qa_manager(people, who):
    capa = capa_at(people, Status.VERIFYING)
    with pytest.raises(PermissionDenied):
        services.capa_close(capa_id=capa.pk, password=PASSWORD, by=getattr(people, who))
    capa.refresh_from_db()
    assert capa.status == Status.VERIFYING


def test_closure_with_a_wrong_password_writes_nothing(people):
    capa = capa_at(people, Status.VERIFYING)
    rows = capa.history.count()
    with pytest.raises(InvalidPassword):
        services.capa_close(capa_id=capa.pk, password="not-it", by=people.qa)
    capa.refresh_from_db()
    assert capa.status == Status.VERIFYING
    assert capa.closed_at is None
    assert capa.history.count() == rows
    assert not Signature.objects.exists()


def test_closure_signature_covers_the_closed_record(people):
    capa = capa_at(people, Status.CLOSED)
    signature = signatures_of(capa).get()
    assert signature.meaning == Meaning.CLOSED
    assert signature.record_version == capa.reference
    assert signature.printed_name == people.qa.printed_name


def test_every_step_leaves_a_history_row_with_a_reason(people):
    capa = capa_at(people, Status.CLOSED)
    reasons = list(capa.history.order_by("history_date", "history_id").values_list("history_change_reason", flat=True))
    assert reasons == [
        f"opened for {capa.nonconformities.get().reference}",
        "investigation started",
        "root cause recorded",
        "action plan started",
        "implementation started",
        "implemented; verification started",
        "check effective",
        "closed",
    ]
    item = capa.items.get()
    assert list(item.history.order_by("history_date").values_list("history_change_reason", flat=True)) == [
        "action item added",
        "action done",
    ]
    check = capa.checks.get()
    assert [h.history_change_reason for h in check.history.order_by("history_date")] == [
        "effectiveness check defined",
        "check: effective",
    ]
    assert {h.history_user_id for h in capa.history.all()} == {people.qa.pk}  # every step was alice's
    nc = capa.nonconformities.get()
    assert [h.history_change_reason for h in nc.history.order_by("history_date")] == [
        "raised",
        f"corrective action {capa.reference} opened",
        f"closed with {capa.reference}",
    ]


# --- action items ------------------------------------------------------------------------------


def test_action_item_owner_marks_done_with_evidence(people):
    capa = capa_at(people, Status.IMPLEMENTING)
    item = capa.items.get()
    with pytest.raises(PermissionDenied):
        services.action_item_complete(item_id=item.pk, by=people.viewer)
    services.action_item_complete(item_id=item.pk, by=people.author, note="Checklist v3", evidence=[evidence_file()])
    item.refresh_from_db()
    assert item.done_by == people.author
    attachment = Attachment.objects.get()
    assert (attachment.record_type.model, attachment.record_id) == ("actionitem", item.pk)
    # Done twice is a no-op.
    services.action_item_complete(item_id=item.pk, by=people.author, evidence=[evidence_file()])
    assert Attachment.objects.count() == 1


def test_bad_evidence_file_writes_nothing(people):
    capa = capa_at(people, Status.IMPLEMENTING)
    item = capa.items.get()
    with pytest.raises(ValidationError):
        services.action_item_complete(item_id=item.pk, by=people.author, evidence=[evidence_file("x.png", b"text")])
    item.refresh_from_db()
    assert item.done_at is None


def test_action_item_due_date_and_owner_are_validated(people):
    capa = capa_at(people, Status.ACTION_PLAN)
    with pytest.raises(ValidationError) as exc:
        services.action_item_add(
            capa_id=capa.pk,
            description="x",
            action_type="corrective",
            owner=people.qa,
            due_date=timezone.localdate() - timedelta(days=1),
            by=people.qa,
        )
    assert "due_date" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        services.action_item_add(
            capa_id=capa.pk,
            description="x",
            action_type="corrective",
            owner=people.outsider,
            due_date=timezone.localdate(),
            by=people.qa,
        )
    assert "owner" in exc.value.errors


def test_assigning_an_item_notifies_its_owner(people, django_capture_on_commit_callbacks):
    capa = capa_at(people, Status.ACTION_PLAN)
    with django_capture_on_commit_callbacks(execute=True):
        services.action_item_add(
            capa_id=capa.pk,
            description="Update the brand guide",
            action_type="preventive",
            owner=people.lead,
            due_date=timezone.localdate() + timedelta(days=5),
            by=people.qa,
        )
    notification = people.lead.notifications.get()
    assert capa.reference in notification.title


# --- effectiveness check and due selectors -----------------------------------------------------


def test_measured_criterion_is_stored(people):
    capa = capa_at(people, Status.IMPLEMENTING)
    services.action_item_complete(item_id=capa.items.get().pk, by=people.author)
    with pytest.raises(ValidationError) as exc:
        services.capa_start_verification(
            capa_id=capa.pk, criteria="Disclosure defects below 1%", metric_key="defect_rate", by=people.qa
        )
    assert "comparator" in exc.value.errors
    for scope, field in (("junk", "metric_scope"), ({"days": 30}, "metric_key")):  # a scope needs a metric
        with pytest.raises(ValidationError) as exc:
            services.capa_start_verification(
                capa_id=capa.pk, criteria="Fewer defects", metric_scope=scope, by=people.qa
            )
        assert field in exc.value.errors
    capa.refresh_from_db()
    assert capa.status == Status.IMPLEMENTING and not capa.checks.exists()
    check = services.capa_start_verification(
        capa_id=capa.pk,
        criteria="Disclosure defects below 1% over 30 days",
        metric_key="defect_rate",
        metric_scope={"category": "disclosure", "days": 30},
        comparator="lt",
        threshold="0.01",
        by=people.qa,
    )
    check.refresh_from_db()
    assert check.is_measured
    assert str(check.threshold) == "0.0100"
    assert check.metric_scope == {"category": "disclosure", "days": 30}


def test_overdue_items_and_due_checks(people):
    capa = capa_at(people, Status.IMPLEMENTING)
    item = capa.items.get()
    later = timezone.now() + timedelta(days=8)
    assert list(overdue_action_items(timezone.now())) == []
    assert list(overdue_action_items(later)) == [item]
    services.action_item_complete(item_id=item.pk, by=people.author)
    assert list(overdue_action_items(later)) == []
    check = services.capa_start_verification(capa_id=capa.pk, criteria="x", by=people.qa)
    assert list(due_effectiveness_checks(timezone.now())) == []
    assert list(due_effectiveness_checks(timezone.now() + timedelta(days=30))) == [check]
    services.capa_verify(capa_id=capa.pk, result="effective", evidence="ok", by=people.qa)
    assert list(due_effectiveness_checks(timezone.now() + timedelta(days=31))) == []


def test_effective_check_needs_evidence(people):
    capa = capa_at(people, Status.VERIFYING, effective=False)
    with pytest.raises(ValidationError) as exc:
        services.capa_verify(capa_id=capa.pk, result="effective", by=people.qa)
    assert "evidence" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        services.capa_verify(capa_id=capa.pk, result="maybe", evidence="x", by=people.qa)
    assert "result" in exc.value.errors


@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_people_without_capa_work_cannot_move_a_capa(people, who):
    capa = capa_at(people, Status.OPEN)
    with pytest.raises(PermissionDenied):
        services.capa_start_investigation(capa_id=capa.pk, by=getattr(people, who))


def test_cancel_is_for_qa_managers(people):
    capa = capa_at(people, Status.OPEN)
    with pytest.raises(PermissionDenied):
        services.capa_cancel(capa_id=capa.pk, reason="x", by=people.lead)
