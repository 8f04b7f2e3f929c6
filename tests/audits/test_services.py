"""Audit services: transitions, the freeze after closing, independence, checklists, findings → NCs."""

import pytest

from accounts.roles import Role
from audits import services
from audits.models import Answer, AuditQuestion, Evidence, Finding, QuestionSource
from audits.workflow import TRANSITIONS, Status
from capa.models import Nonconformity, SourceKind
from core.exceptions import InvalidPassword, PermissionDenied, TransitionNotAllowed, ValidationError
from core.models import Meaning, Signature
from tests.factories import PASSWORD, MembershipFactory

from .conftest import audit_at, evidence_file, plan_audit

pytestmark = pytest.mark.django_db

STEPS = {
    Status.IN_PROGRESS: lambda p, a: services.audit_start(audit_id=a.pk, by=p.auditor),
    Status.REPORTING: lambda p, a: services.audit_report(audit_id=a.pk, conclusion="Effective", by=p.auditor),
    Status.CLOSED: lambda p, a: services.audit_close(audit_id=a.pk, password=PASSWORD, by=p.auditor),
    Status.CANCELLED: lambda p, a: services.audit_cancel(audit_id=a.pk, reason="No longer needed", by=p.qa),
}
PAIRS = [(s, t) for s in Status.values for t in STEPS if s != t]


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_every_transition_is_allowed_or_refused_by_the_table(people, programme, source, target):
    audit = audit_at(people, programme, source)
    if target in TRANSITIONS[source]:
        STEPS[target](people, audit)
        audit.refresh_from_db()
        assert audit.status == target
    else:
        with pytest.raises(TransitionNotAllowed):
            STEPS[target](people, audit)
        audit.refresh_from_db()
        assert audit.status == source


def test_reference_is_numbered_per_year(people, programme):
    first = plan_audit(people, programme)
    second = plan_audit(people, programme, title="Second")
    year = first.created_at.year
    assert first.reference == f"AUD-{year}-001"
    assert second.reference == f"AUD-{year}-002"


def test_close_is_signed_by_the_lead_auditor_with_meaning_approved(people, programme):
    audit = audit_at(people, programme, Status.CLOSED)
    signature = Signature.objects.for_record(audit).get()
    assert audit.closed_signature_id == signature.pk
    assert signature.meaning == Meaning.APPROVED
    assert signature.signer == people.auditor
    assert audit.history.filter(history_change_reason="report signed: closed", history_user=people.auditor).exists()


def test_close_with_a_wrong_password_signs_nothing(people, programme):
    audit = audit_at(people, programme, Status.REPORTING)
    with pytest.raises(InvalidPassword):
        services.audit_close(audit_id=audit.pk, password="wrong", by=people.auditor)
    audit.refresh_from_db()
    assert audit.status == Status.REPORTING
    assert not Signature.objects.for_record(audit).exists()


def test_only_the_lead_auditor_closes(people, programme):
    audit = audit_at(people, programme, Status.REPORTING)
    with pytest.raises(PermissionDenied):
        services.audit_close(audit_id=audit.pk, password=PASSWORD, by=people.qa)


def test_a_closed_audit_accepts_no_answer_finding_question_or_evidence(people, programme):
    audit = audit_at(people, programme, Status.CLOSED)
    question = audit.questions.first()
    answer = question.answer
    erin = people.auditor
    with pytest.raises(TransitionNotAllowed):
        services.answer_record(audit_id=audit.pk, question_id=question.pk, value="nonconforming", by=erin)
    with pytest.raises(TransitionNotAllowed):
        services.finding_create(audit_id=audit.pk, classification="minor_nc", statement="Late", by=erin)
    with pytest.raises(TransitionNotAllowed):
        services.audit_question_add(audit_id=audit.pk, text_="One more", by=erin)
    with pytest.raises(TransitionNotAllowed):
        services.evidence_add(audit_id=audit.pk, answer_id=answer.pk, upload=evidence_file(), by=erin)
    with pytest.raises(TransitionNotAllowed):
        services.audit_report_update(audit_id=audit.pk, summary="rewritten", by=erin)
    answer.refresh_from_db()
    assert answer.value == "conforming"
    assert not Finding.objects.filter(audit=audit).exists()
    assert not Evidence.objects.filter(audit=audit).exists()


def test_a_closed_audits_finding_cannot_change(people, programme):
    audit = audit_at(people, programme, Status.REPORTING)
    finding = services.finding_create(
        audit_id=audit.pk, classification="ofi", statement="Could be faster", by=people.auditor
    )
    services.audit_close(audit_id=audit.pk, password=PASSWORD, by=people.auditor)
    with pytest.raises(TransitionNotAllowed):
        services.finding_update(finding_id=finding.pk, statement="Changed", by=people.auditor)
    with pytest.raises(TransitionNotAllowed):
        services.finding_respond(finding_id=finding.pk, response="We agree", by=people.lead)
    with pytest.raises(TransitionNotAllowed):
        services.evidence_add(audit_id=audit.pk, finding_id=finding.pk, upload=evidence_file(), by=people.auditor)


def test_plan_changes_only_while_planned(people, programme):
    audit = audit_at(people, programme, Status.PLANNED)
    services.audit_update(audit_id=audit.pk, title="Renamed", by=people.qa)
    services.audit_start(audit_id=audit.pk, by=people.auditor)
    with pytest.raises(TransitionNotAllowed):
        services.audit_update(audit_id=audit.pk, title="Again", by=people.qa)


# --- independence --------------------------------------------------------------------------------


def test_an_auditor_with_a_working_role_in_the_audited_team_is_refused(people, programme):
    MembershipFactory(user=people.author, team=people.team_a, role=Role.AUDITOR)  # dan: reviewer and auditor
    audit = plan_audit(people, programme, lead=people.author)
    with pytest.raises(ValidationError) as refused:
        services.audit_start(audit_id=audit.pk, by=people.author)
    assert "auditors" in refused.value.errors
    assert "Reviewer" in refused.value.message
    audit.refresh_from_db()
    assert audit.status == Status.PLANNED


def test_an_auditor_only_member_is_independent(people, programme):
    audit = plan_audit(people, programme)
    assert services.independence_conflicts(audit) == []
    services.audit_start(audit_id=audit.pk, by=people.auditor)


def test_a_signed_override_lets_the_audit_start_and_appears_on_the_audit(people, programme):
    MembershipFactory(user=people.author, team=people.team_a, role=Role.AUDITOR)
    audit = plan_audit(people, programme, lead=people.author)
    override = services.independence_override_sign(
        audit_id=audit.pk, justification="Only trained auditor available", password=PASSWORD, by=people.qa
    )
    signature = Signature.objects.for_record(override).get()
    assert signature.meaning == Meaning.APPROVED and signature.comment == "Only trained auditor available"
    assert override.conflicts[0]["user"] == people.author.pk
    services.audit_start(audit_id=audit.pk, by=people.author)
    audit.refresh_from_db()
    assert audit.status == Status.IN_PROGRESS


def test_an_override_needs_a_qa_manager_and_a_justification(people, programme):
    MembershipFactory(user=people.author, team=people.team_a, role=Role.AUDITOR)
    audit = plan_audit(people, programme, lead=people.author)
    with pytest.raises(PermissionDenied):
        services.independence_override_sign(audit_id=audit.pk, justification="x", password=PASSWORD, by=people.lead)
    with pytest.raises(ValidationError):
        services.independence_override_sign(audit_id=audit.pk, justification="  ", password=PASSWORD, by=people.qa)


def test_an_override_covers_only_the_people_it_was_signed_for(people, programme):
    MembershipFactory(user=people.author, team=people.team_a, role=Role.AUDITOR)
    audit = plan_audit(people, programme, lead=people.author)
    services.independence_override_sign(audit_id=audit.pk, justification="ok", password=PASSWORD, by=people.qa)
    MembershipFactory(user=people.reviewer, team=people.team_a, role=Role.AUDITOR)
    services.audit_update(audit_id=audit.pk, auditors=[people.reviewer.pk], by=people.qa)
    with pytest.raises(ValidationError):
        services.audit_start(audit_id=audit.pk, by=people.author)


# --- checklists ------------------------------------------------------------------------------------


def test_copy_previous_copies_questions_and_no_answers(people, programme):
    closed = audit_at(people, programme, Status.CLOSED, questions=3)
    later = plan_audit(people, programme, title="Next year's", days=30)
    copied = services.audit_questions_copy_previous(audit_id=later.pk, by=people.auditor)
    assert [q.text for q in copied] == [q.text for q in closed.questions.order_by("order")]
    assert all(q.source == QuestionSource.COPIED for q in copied)
    assert not Answer.objects.filter(question__audit=later).exists()
    again = services.audit_questions_copy_previous(audit_id=later.pk, by=people.auditor)
    assert again == []
    assert AuditQuestion.objects.filter(audit=later).count() == 3


def test_copy_previous_needs_an_earlier_audit_of_the_same_type(people, programme):
    audit_at(people, programme, Status.CLOSED)
    content = plan_audit(people, programme, audit_type="content", days=30)
    with pytest.raises(ValidationError):
        services.audit_questions_copy_previous(audit_id=content.pk, by=people.auditor)


def test_bank_questions_are_added_with_their_clause(people, programme):
    bank = services.bank_question_create(
        team=people.team_a, question="Are SOPs reviewed?", clause="7.5.2", by=people.qa
    )
    audit = plan_audit(people, programme)
    question = services.audit_question_add(audit_id=audit.pk, bank_question_id=bank.pk, by=people.auditor)
    assert (question.text, question.clause, question.source) == ("Are SOPs reviewed?", "7.5.2", QuestionSource.BANK)


def test_answers_need_the_audit_started_and_a_known_value(people, programme):
    audit = audit_at(people, programme, Status.PLANNED)
    question = audit.questions.first()
    with pytest.raises(TransitionNotAllowed):
        services.answer_record(audit_id=audit.pk, question_id=question.pk, value="conforming", by=people.auditor)
    services.audit_start(audit_id=audit.pk, by=people.auditor)
    with pytest.raises(ValidationError):
        services.answer_record(audit_id=audit.pk, question_id=question.pk, value="maybe", by=people.auditor)


def test_a_team_lead_cannot_answer_the_checklist(people, programme):
    audit = audit_at(people, programme, Status.IN_PROGRESS)
    with pytest.raises(PermissionDenied):
        services.answer_record(
            audit_id=audit.pk, question_id=audit.questions.first().pk, value="conforming", by=people.lead
        )


# --- findings and nonconformities --------------------------------------------------------------


@pytest.mark.parametrize(("classification", "severity"), [("major_nc", "major"), ("minor_nc", "minor")])
def test_an_nc_finding_raises_exactly_one_nonconformity_linked_both_ways(people, programme, classification, severity):
    audit = audit_at(people, programme, Status.IN_PROGRESS)
    finding = services.finding_create(
        audit_id=audit.pk,
        classification=classification,
        statement="No approval record",
        clause="8.6",
        by=people.auditor,
    )
    nc = Nonconformity.objects.get()
    assert finding.nonconformity == nc
    assert nc.source == finding and nc.source_kind == SourceKind.AUDIT_FINDING
    assert nc.severity == severity
    services.finding_update(finding_id=finding.pk, statement="No approval record for 3 posts", by=people.auditor)
    services.finding_update(finding_id=finding.pk, statement="No approval record for 3 posts", by=people.auditor)
    assert Nonconformity.objects.count() == 1


@pytest.mark.parametrize("classification", ["observation", "ofi"])
def test_observations_and_ofis_raise_no_nonconformity(people, programme, classification):
    audit = audit_at(people, programme, Status.IN_PROGRESS)
    finding = services.finding_create(
        audit_id=audit.pk, classification=classification, statement="Could be clearer", by=people.auditor
    )
    assert finding.nonconformity is None
    assert not Nonconformity.objects.exists()


def test_reclassifying_an_observation_as_nc_raises_one_then(people, programme):
    audit = audit_at(people, programme, Status.IN_PROGRESS)
    finding = services.finding_create(
        audit_id=audit.pk, classification="observation", statement="Odd", by=people.auditor
    )
    services.finding_update(finding_id=finding.pk, classification="minor_nc", by=people.auditor)
    finding.refresh_from_db()
    assert finding.nonconformity is not None
    with pytest.raises(ValidationError):
        services.finding_update(finding_id=finding.pk, classification="observation", by=people.auditor)
    assert Nonconformity.objects.count() == 1


def test_the_auditee_team_lead_responds(people, programme):
    audit = audit_at(people, programme, Status.IN_PROGRESS)
    finding = services.finding_create(audit_id=audit.pk, classification="ofi", statement="Faster", by=people.auditor)
    services.finding_respond(finding_id=finding.pk, response="We will", by=people.lead)
    with pytest.raises(PermissionDenied):
        services.finding_respond(finding_id=finding.pk, response="We will", by=people.auditor)


# --- evidence ---------------------------------------------------------------------------------------


def test_evidence_file_is_stored_as_a_hashed_attachment(people, programme):
    audit = audit_at(people, programme, Status.IN_PROGRESS)
    finding = services.finding_create(audit_id=audit.pk, classification="minor_nc", statement="x", by=people.auditor)
    evidence = services.evidence_add(
        audit_id=audit.pk, finding_id=finding.pk, upload=evidence_file(), by=people.auditor
    )
    assert len(evidence.attachment.sha256) == 64
    assert evidence.attachment.record_id == finding.pk


def test_evidence_links_only_records_the_caller_may_see(people, programme):
    from capa.services import nonconformity_raise

    audit = audit_at(people, programme, Status.IN_PROGRESS)
    answer = audit.questions.first().answer
    other = nonconformity_raise(
        source=None,
        source_kind="complaint",
        team=people.team_b,
        severity="minor",
        description="B's",
        by=people.outsider,
    )
    with pytest.raises(ValidationError) as refused:
        services.evidence_add(
            audit_id=audit.pk, answer_id=answer.pk, record={"type": "nonconformity", "id": other.pk}, by=people.auditor
        )
    assert "record" in refused.value.errors
    own = nonconformity_raise(
        source=None, source_kind="complaint", team=people.team_a, severity="minor", description="A's", by=people.qa
    )
    evidence = services.evidence_add(
        audit_id=audit.pk, answer_id=answer.pk, record={"type": "nonconformity", "id": own.pk}, by=people.auditor
    )
    assert evidence.record_label.startswith(own.reference)
