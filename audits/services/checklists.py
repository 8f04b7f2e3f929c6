"""Checklists: an audit's questions (from the bank, an SOP's checklist, a
previous audit, or new) and the answers."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from audits import permissions as perms
from audits.models import Answer, AnswerValue, Audit, AuditQuestion, BankQuestion, QuestionSource
from audits.selectors import audit_lock, previous_audit
from audits.workflow import FINAL, ensure_working
from core.exceptions import TransitionNotAllowed, ValidationError

from ._common import choice, ensure_visible, save, text
from .audits import CLAUSE


def _clause(value: str) -> str:
    value = text(value, "clause", max_length=20)
    if value and not CLAUSE.match(value):
        raise ValidationError({"clause": "Give an ISO 9001 clause such as 7.5.3."})
    return value


def _editable_checklist(audit: Audit, by: User) -> None:
    ensure_visible(perms.can_view(by, audit))
    perms.ensure(perms.can_run(by, audit) or perms.can_edit_plan(by, audit), "You don't run this audit.")
    if audit.status in FINAL:
        raise TransitionNotAllowed(
            audit.status, "checklist", f"{audit.reference} is {audit.status}: the checklist is fixed."
        )


def _next_order(audit: Audit) -> int:
    return (AuditQuestion.objects.filter(audit=audit).aggregate(m=Max("order"))["m"] or 0) + 1


@transaction.atomic
def audit_question_add(
    *,
    audit_id: int,
    by: User,
    text_: str = "",
    clause: str = "",
    guidance: str = "",
    bank_question_id: int | None = None,
) -> AuditQuestion:
    """A question from the bank (of a team the audit covers) or a new one written for this audit."""
    audit = audit_lock(audit_id)
    _editable_checklist(audit, by)
    if bank_question_id is not None:
        teams = perms.audited_team_ids(audit) | {audit.team_id}
        bank = BankQuestion.objects.filter(pk=bank_question_id, team_id__in=teams, active=True).first()
        if bank is None:
            raise ValidationError({"bank_question": "Choose a question of the bank of an audited team."})
        question = AuditQuestion(
            audit=audit,
            order=_next_order(audit),
            text=bank.question,
            clause=bank.clause,
            guidance=bank.guidance,
            source=QuestionSource.BANK,
            bank_question=bank,
            created_by=by,
        )
    else:
        question = AuditQuestion(
            audit=audit,
            order=_next_order(audit),
            text=text(text_, "text", required="Write the question, or choose one from the bank."),
            clause=_clause(clause),
            guidance=text(guidance, "guidance"),
            source=QuestionSource.NEW,
            created_by=by,
        )
    save(question, "question added", by)
    return question


@transaction.atomic
def audit_questions_from_checklist(*, audit_id: int, checklist_id: int, by: User) -> list[AuditQuestion]:
    """One question per item of a post-review checklist built from an effective SOP version.
    Items already on the checklist are skipped, so a repeat adds nothing."""
    from docs_control.workflow import Status as VersionStatus
    from post_reviews.selectors import checklist_get_for

    audit = audit_lock(audit_id)
    _editable_checklist(audit, by)
    checklist = checklist_get_for(by, checklist_id=checklist_id)
    if checklist.team_id not in perms.audited_team_ids(audit) | {audit.team_id}:
        raise ValidationError({"checklist": "Choose a checklist of an audited team."})
    if checklist.document_version.status != VersionStatus.EFFECTIVE:
        raise ValidationError({"checklist": "The checklist's SOP version is not in effect."})
    have = set(AuditQuestion.objects.filter(audit=audit).values_list("checklist_item_id", flat=True))
    order = _next_order(audit)
    added = []
    sop = checklist.document_version.document.number
    for item in checklist.items.all():
        if item.pk in have:
            continue
        question = AuditQuestion(
            audit=audit,
            order=order,
            text=item.criterion,
            guidance=f"{sop} {item.sop_section}".strip(),
            source=QuestionSource.SOP_ITEM,
            checklist_item=item,
            created_by=by,
        )
        save(question, f"from checklist {checklist.name}", by)
        added.append(question)
        order += 1
    return added


@transaction.atomic
def audit_questions_copy_previous(*, audit_id: int, by: User) -> list[AuditQuestion]:
    """Copy the questions (never the answers) of the previous audit of the same programme and type.
    Questions copied before are skipped, so a repeat adds nothing."""
    audit = audit_lock(audit_id)
    _editable_checklist(audit, by)
    previous = previous_audit(audit)
    if previous is None:
        raise ValidationError({"non_field_errors": "No earlier audit of this programme and type to copy from."})
    have = set(AuditQuestion.objects.filter(audit=audit).values_list("copied_from_id", flat=True))
    order = _next_order(audit)
    added = []
    for source in AuditQuestion.objects.filter(audit=previous).order_by("order", "id"):
        if source.pk in have:
            continue
        question = AuditQuestion(
            audit=audit,
            order=order,
            text=source.text,
            clause=source.clause,
            guidance=source.guidance,
            source=QuestionSource.COPIED,
            bank_question_id=source.bank_question_id,
            checklist_item_id=source.checklist_item_id,
            copied_from=source,
            created_by=by,
        )
        save(question, f"copied from {previous.reference}", by)
        added.append(question)
        order += 1
    return added


@transaction.atomic
def answer_record(*, audit_id: int, question_id: int, value: str, by: User, notes: str | None = None) -> Answer:
    """Answer a question (or change the answer) while the audit is in progress or reporting.
    Saving the same answer again writes nothing."""
    audit = audit_lock(audit_id)
    ensure_visible(perms.can_view(by, audit))
    perms.ensure(perms.can_run(by, audit), "Only the audit's auditors answer its checklist.")
    ensure_working(audit.status, "answer")
    question = AuditQuestion.objects.filter(audit=audit, pk=question_id).first()
    ensure_visible(question is not None, "question in this audit")
    value = choice(value, AnswerValue, "answer")
    answer = Answer.objects.select_for_update().filter(question=question).first()
    cleaned_notes = text(notes, "notes") if notes is not None else None
    if answer is None:
        answer = Answer(question=question, audit=audit, value=value, notes=cleaned_notes or "", answered_by=by)
        save(answer, "answered", by)
        return answer
    if answer.value == value and (cleaned_notes is None or cleaned_notes == answer.notes):
        return answer
    answer.value = value
    if cleaned_notes is not None:
        answer.notes = cleaned_notes
    answer.answered_by = by
    answer.answered_at = timezone.now()
    save(answer, "answer changed", by)
    return answer
