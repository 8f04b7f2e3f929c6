import itertools
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import (
    Conflict,
    InvalidPassword,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationError,
)
from core.models import Signature
from core.workflow import assert_transition
from docs_control import services
from docs_control.models import Acknowledgement, DocumentVersion
from docs_control.workflow import TRANSITIONS, Status
from tests.docs_control.conftest import draft_of, make_document, submit
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ALLOWED = {
    ("draft", "in_review"),
    ("draft", "obsolete"),
    ("in_review", "draft"),
    ("in_review", "approved"),
    ("in_review", "obsolete"),
    ("approved", "effective"),
    ("approved", "obsolete"),
    ("effective", "superseded"),
    ("effective", "obsolete"),
}


@pytest.mark.parametrize("current,target", list(itertools.product(Status.values, Status.values)))
def test_transition_table_allows_exactly_the_designed_moves(current, target):
    if (current, target) in ALLOWED:
        assert_transition(TRANSITIONS, current, target)
    else:
        with pytest.raises(TransitionNotAllowed):
            assert_transition(TRANSITIONS, current, target)
    assert {(c, t) for c, ts in TRANSITIONS.items() for t in ts} == ALLOWED


def test_submit_approve_makes_effective_and_signs(people, document):
    version = draft_of(document)
    submit(people, version)
    assert DocumentVersion.objects.get(pk=version.pk).status == Status.IN_REVIEW
    services.version_approve(version_id=version.pk, by=people.lead, password=PASSWORD, comment="Looks right")
    version.refresh_from_db()
    assert version.status == Status.EFFECTIVE
    signature = Signature.objects.for_record(version).get()
    assert (signature.meaning, signature.printed_name, signature.comment) == ("approved", "Ben Tester", "Looks right")
    document.refresh_from_db()
    assert document.next_review_due is not None


def test_author_cannot_approve_own_version(people):
    document = services.document_create(team_id=people.team_a.pk, number="SOP-L-1", title="T", by=people.lead, body="x")
    version = draft_of(document)
    with pytest.raises(ValidationError) as exc:
        services.version_submit(version_id=version.pk, by=people.lead, approver_ids=[people.lead.pk])
    assert "author" in str(exc.value)
    services.version_submit(version_id=version.pk, by=people.lead, approver_ids=[people.lead2.pk])
    with pytest.raises(PermissionDenied, match="author"):
        services.version_approve(version_id=version.pk, by=people.lead, password=PASSWORD)


def test_non_team_lead_cannot_be_picked_or_approve(people, document):
    version = draft_of(document)
    with pytest.raises(ValidationError, match="team leads"):
        services.version_submit(version_id=version.pk, by=people.author, approver_ids=[people.qa.pk])
    submit(people, version)
    with pytest.raises(PermissionDenied):
        services.version_approve(version_id=version.pk, by=people.qa, password=PASSWORD)
    with pytest.raises(PermissionDenied, match="not an approver"):
        services.version_approve(version_id=version.pk, by=people.lead2, password=PASSWORD)
    assert Signature.objects.count() == 0


def test_team_lead_of_another_team_gets_not_found(people, document):
    from core.exceptions import NotFound

    version = draft_of(document)
    submit(people, version)
    with pytest.raises(NotFound):
        services.version_approve(version_id=version.pk, by=people.outsider, password=PASSWORD)


def test_wrong_password_creates_no_signature_and_no_transition(people, document):
    version = draft_of(document)
    submit(people, version)
    with pytest.raises(InvalidPassword):
        services.version_approve(version_id=version.pk, by=people.lead, password="wrong")
    version.refresh_from_db()
    assert version.status == Status.IN_REVIEW
    assert Signature.objects.count() == 0
    assert version.approvals.get().decision == "pending"


def test_repeated_approval_is_a_no_op(people, document):
    version = draft_of(document)
    submit(people, version)
    services.version_approve(version_id=version.pk, by=people.lead, password=PASSWORD)
    services.version_approve(version_id=version.pk, by=people.lead, password=PASSWORD)
    assert Signature.objects.filter(meaning="approved").count() == 1


def test_two_required_approvals(people):
    document = make_document(people, required_approvals=2)
    version = draft_of(document)
    with pytest.raises(ValidationError, match="at least 2"):
        submit(people, version)
    submit(people, version, approvers=[people.lead, people.lead2])
    services.version_approve(version_id=version.pk, by=people.lead, password=PASSWORD)
    version.refresh_from_db()
    assert version.status == Status.IN_REVIEW
    services.version_approve(version_id=version.pk, by=people.lead2, password=PASSWORD)
    version.refresh_from_db()
    assert version.status == Status.EFFECTIVE


def test_reject_sends_back_to_draft_with_comment_and_signature(people, document):
    version = draft_of(document)
    submit(people, version)
    with pytest.raises(ValidationError):
        services.version_reject(version_id=version.pk, by=people.lead, password=PASSWORD, comment="  ")
    services.version_reject(version_id=version.pk, by=people.lead, password=PASSWORD, comment="Add the UTM rule")
    version.refresh_from_db()
    assert version.status == Status.DRAFT
    assert version.review_comment == "Add the UTM rule"
    assert Signature.objects.for_record(version).get().meaning == "rejected"
    # Resubmitting starts a new round with fresh approvals.
    submit(people, version)
    version.refresh_from_db()
    assert version.review_round == 2
    services.version_approve(version_id=version.pk, by=people.lead, password=PASSWORD)
    version.refresh_from_db()
    assert version.status == Status.EFFECTIVE


def test_new_effective_version_supersedes_the_previous_in_one_transaction(people, effective):
    document, v1 = effective
    v2 = services.version_create_draft(document_id=document.pk, by=people.author, change_summary="UTM")
    assert v2.label == "1.1"
    services.version_update_draft(
        version_id=v2.pk, by=people.author, body=v1.body + "\n3. Add UTM.", change_summary="UTM", lock_version=1
    )
    submit(people, v2)
    services.version_approve(version_id=v2.pk, by=people.lead, password=PASSWORD)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (Status.SUPERSEDED, Status.EFFECTIVE)
    assert document.versions.filter(status=Status.EFFECTIVE).count() == 1


def test_major_revision_label(people, effective):
    document, _ = effective
    v2 = services.version_create_draft(document_id=document.pk, by=people.author, major=True)
    assert v2.label == "2.0"


def test_second_draft_is_refused(people, document):
    with pytest.raises(Conflict, match="already being drafted"):
        services.version_create_draft(document_id=document.pk, by=people.author)


def test_database_refuses_two_effective_or_two_draft_versions(people, effective):
    document, _v1 = effective
    for status in (Status.EFFECTIVE, Status.DRAFT):
        if status == Status.DRAFT:
            DocumentVersion.objects.create(document=document, major=9, minor=0, author=people.author, status=status)
        with pytest.raises(IntegrityError), transaction.atomic():
            DocumentVersion.objects.create(
                document=document, major=8, minor=status == Status.DRAFT, author=people.author, status=status
            )


def test_body_cannot_change_after_leaving_draft(people, document):
    version = draft_of(document)
    submit(people, version)
    with pytest.raises(Conflict, match="can't change"):
        services.version_update_draft(
            version_id=version.pk,
            by=people.author,
            body="changed",
            change_summary="",
            lock_version=version.lock_version,
        )
    version.refresh_from_db()
    assert "changed" not in version.body


def test_optimistic_lock_refuses_a_stale_save(people, document):
    version = draft_of(document)
    services.version_update_draft(
        version_id=version.pk, by=people.author, body="first", change_summary="", lock_version=1
    )
    with pytest.raises(Conflict) as exc:
        services.version_update_draft(
            version_id=version.pk, by=people.reviewer, body="second", change_summary="", lock_version=1
        )
    assert exc.value.current["body"] == "first"
    version.refresh_from_db()
    assert (version.body, version.lock_version) == ("first", 2)


def test_obsolete_requires_a_reason_and_a_lead(people, effective):
    _, version = effective
    with pytest.raises(ValidationError, match="why"):
        services.version_obsolete(version_id=version.pk, by=people.lead, reason=" ")
    with pytest.raises(PermissionDenied):
        services.version_obsolete(version_id=version.pk, by=people.author, reason="old")
    services.version_obsolete(version_id=version.pk, by=people.lead, reason="Replaced by the new publishing policy")
    version.refresh_from_db()
    assert version.status == Status.OBSOLETE
    with pytest.raises(TransitionNotAllowed):
        services.version_make_effective(version_id=version.pk, by=people.lead)


@pytest.mark.parametrize("start", ["draft", "in_review", "approved", "effective"])
def test_withdraw_from_each_allowed_state(people, start):
    document = make_document(people)
    version = draft_of(document)
    if start != "draft":
        submit(
            people, version, effective_from=timezone.localdate() + timedelta(days=5) if start == "approved" else None
        )
    if start in ("approved", "effective"):
        services.version_approve(version_id=version.pk, by=people.lead, password=PASSWORD)
    version.refresh_from_db()
    assert version.status == start
    services.version_obsolete(version_id=version.pk, by=people.qa, reason="withdrawn")
    version.refresh_from_db()
    assert version.status == Status.OBSOLETE


def test_forbidden_transitions_from_services(people, effective):
    document, version = effective
    with pytest.raises(TransitionNotAllowed):
        services.version_submit(version_id=version.pk, by=people.author, approver_ids=[people.lead.pk])
    with pytest.raises(TransitionNotAllowed):
        services.version_approve(version_id=version.pk, by=people.lead2, password=PASSWORD)
    with pytest.raises(TransitionNotAllowed):
        services.version_reject(version_id=version.pk, by=people.lead, password=PASSWORD, comment="x")
    draft = services.version_create_draft(document_id=document.pk, by=people.author)
    with pytest.raises(TransitionNotAllowed):
        services.version_make_effective(version_id=draft.pk, by=people.lead)
    with pytest.raises(TransitionNotAllowed):
        services.version_acknowledge(version_id=draft.pk, by=people.author, password=PASSWORD)


def test_scheduled_version_becomes_effective_on_its_day_once(people, effective):
    document, v1 = effective
    v2 = services.version_create_draft(document_id=document.pk, by=people.author)
    day = timezone.localdate() + timedelta(days=3)
    submit(people, v2, effective_from=day)
    services.version_approve(version_id=v2.pk, by=people.lead, password=PASSWORD)
    v2.refresh_from_db()
    assert v2.status == Status.APPROVED
    assert services.versions_make_due_effective(today=day - timedelta(days=1)) == []
    assert services.versions_make_due_effective(today=day) == [v2.pk]
    assert services.versions_make_due_effective(today=day) == []
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (Status.SUPERSEDED, Status.EFFECTIVE)


def test_make_effective_refuses_a_past_date(people):
    document = make_document(people)
    version = draft_of(document)
    submit(people, version, effective_from=timezone.localdate() + timedelta(days=5))
    services.version_approve(version_id=version.pk, by=people.lead, password=PASSWORD)
    with pytest.raises(ValidationError):
        services.version_make_effective(
            version_id=version.pk, by=people.lead, effective_from=timezone.localdate() - timedelta(days=1)
        )
    services.version_make_effective(version_id=version.pk, by=people.lead)
    version.refresh_from_db()
    assert version.status == Status.EFFECTIVE


def test_acknowledgements_are_requested_from_every_member_and_signed(people, effective):
    _, version = effective
    asked = set(Acknowledgement.objects.filter(version=version).values_list("user__username", flat=True))
    assert asked == {"admin", "dan", "ben", "cara", "alice", "rita", "erin", "vic"}
    with pytest.raises(InvalidPassword):
        services.version_acknowledge(version_id=version.pk, by=people.author, password="nope")
    ack = services.version_acknowledge(version_id=version.pk, by=people.author, password=PASSWORD)
    assert ack.acknowledged_at is not None
    assert ack.signature.meaning == "acknowledged"
    again = services.version_acknowledge(version_id=version.pk, by=people.author, password=PASSWORD)
    assert again.signature_id == ack.signature_id


def test_extra_teams_must_be_teams_of_the_submitter(people):
    version = draft_of(make_document(people))
    with pytest.raises(ValidationError) as exc:
        submit(people, version, extra_team_ids=[people.team_b.pk])
    assert "your own teams" in exc.value.errors["extra_teams"][0]
    assert DocumentVersion.objects.get(pk=version.pk).status == Status.DRAFT


def _also_in_team_b(user, people):
    from accounts.permissions import forget_roles
    from tests.factories import MembershipFactory

    MembershipFactory(user=user, team=people.team_b, role="viewer")
    forget_roles(user)


def test_extra_teams_are_asked_to_acknowledge(people):
    document = make_document(people)
    version = draft_of(document)
    _also_in_team_b(people.author, people)
    submit(people, version, extra_team_ids=[people.team_b.pk])
    services.version_approve(version_id=version.pk, by=people.lead, password=PASSWORD)
    assert Acknowledgement.objects.filter(version=version, user=people.outsider).exists()
    services.version_acknowledge(version_id=version.pk, by=people.outsider, password=PASSWORD)


def test_someone_not_asked_cannot_acknowledge(people, effective):
    _, version = effective
    from core.exceptions import NotFound

    with pytest.raises(NotFound):
        services.version_acknowledge(version_id=version.pk, by=people.outsider, password=PASSWORD)


def test_periodic_review_no_change_is_signed_and_resets_the_due_date(people, effective):
    document, _version = effective
    document.refresh_from_db()
    document.next_review_due = timezone.localdate() - timedelta(days=3)
    document.save()
    with pytest.raises(PermissionDenied):
        services.document_review_no_change(document_id=document.pk, by=people.author, password=PASSWORD)
    review = services.document_review_no_change(document_id=document.pk, by=people.lead, password=PASSWORD)
    document.refresh_from_db()
    assert document.next_review_due == review.next_review_due > timezone.localdate()
    assert review.signature.meaning == "reviewed"


def test_history_rows_carry_user_and_reason(people, effective):
    _, version = effective
    rows = list(
        version.history.order_by("history_id").values_list("history_user__username", "history_change_reason", "status")
    )
    assert rows[0] == ("dan", "first draft", "draft")
    assert ("dan", "submitted for review (round 1)", "in_review") in rows
    assert ("ben", "approved (1 of 1)", "approved") in rows
    assert rows[-1] == ("ben", "effective", "effective")


def test_document_create_validates_by_field(people):
    with pytest.raises(ValidationError) as exc:
        services.document_create(team_id=people.team_a.pk, number=" ", title="", by=people.author)
    assert set(exc.value.errors) == {"number", "title"}
    make_document(people, number="SOP-DUP-1")
    with pytest.raises(ValidationError) as exc:
        make_document(people, number="sop-dup-1")
    assert "already used" in exc.value.errors["number"][0]


def test_viewer_cannot_create_documents(people):
    with pytest.raises(PermissionDenied):
        services.document_create(team_id=people.team_a.pk, number="X-1", title="x", by=people.viewer)


def test_browser_line_breaks_are_stored_as_lf(people, document):
    version = draft_of(document)
    services.version_update_draft(
        version_id=version.pk, by=people.author, body="a\r\nb\rc\n", change_summary="", lock_version=1
    )
    version.refresh_from_db()
    assert version.body == "a\nb\nc\n"
