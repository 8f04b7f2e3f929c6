"""The question bank: a team's audit questions (question, ISO 9001 clause, optional linked
document, guidance). Kept by those who plan the team's audits; read by its auditors too.

A question is never deleted: audit questions built from it point to it, and its history must stay
readable. Retiring it takes it out of the checklist builder; reinstating puts it back.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import Team, User
from audits import permissions as perms
from audits.models import BankQuestion
from core.exceptions import ValidationError

from ._common import ensure_visible, save, text
from .checklists import _clause

QUESTION_MAX = 2_000
EDITABLE = frozenset({"question", "clause", "guidance", "document"})
KEEPERS = "Only those who plan the team's audits keep its question bank."


def _document(by: User, team_id: int, document_id):
    """The linked document must be one of the team's, visible to the caller. Another team's (or
    a missing) document gets the same answer, by field: nothing about it leaks."""
    if document_id in (None, ""):
        return None
    from docs_control.selectors import document_list_for

    document = None
    if isinstance(document_id, int) and not isinstance(document_id, bool):
        document = document_list_for(by).filter(pk=document_id, team_id=team_id).first()
    if document is None:
        raise ValidationError({"document": "Choose a document of the question's team."})
    return document


def _clean(data: dict, *, team_id: int, by: User) -> dict:
    out: dict = {}
    errors: dict[str, str] = {}
    cleaners = {
        "question": lambda v: text(v, "question", required="Write the question.", max_length=QUESTION_MAX),
        "clause": _clause,
        "guidance": lambda v: text(v, "guidance"),
        "document": lambda v: _document(by, team_id, v),
    }
    for name, clean in cleaners.items():
        if name not in data:
            continue
        try:
            out[name] = clean(data[name])
        except ValidationError as error:
            errors.update({k: " ".join(map(str, v)) for k, v in error.errors.items()})
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def bank_question_create(
    *, team: Team, question: str, by: User, clause: str = "", guidance: str = "", document_id: int | None = None
) -> BankQuestion:
    ensure_visible(perms.can_see_bank(by, team.pk), "team")
    perms.ensure(perms.can_manage_bank(by, team.pk), KEEPERS)
    cleaned = _clean(
        {"question": question, "clause": clause, "guidance": guidance, "document": document_id},
        team_id=team.pk,
        by=by,
    )
    item = BankQuestion(team=team, created_by=by, **cleaned)
    save(item, "added to the question bank", by)
    return item


def _lock(question_id: int, by: User) -> BankQuestion:
    item = BankQuestion.objects.select_for_update().filter(pk=question_id).first()
    ensure_visible(item is not None and perms.can_see_bank(by, item.team_id), "question")
    perms.ensure(
        perms.can_manage_bank(by, item.team_id), "Only those who plan the team's audits keep its question bank."
    )
    return item


@transaction.atomic
def bank_question_update(*, question_id: int, by: User, active: bool | None = None, **data) -> BankQuestion:
    """Change the text, clause, guidance or linked document, and retire (``active=False``) or
    reinstate it, all or nothing. Audits that already use the question keep the wording they
    copied; saving the same values again writes nothing."""
    item = _lock(question_id, by)
    unknown = set(data) - EDITABLE
    if unknown:
        raise ValidationError({k: "Unknown field." for k in sorted(unknown)})
    cleaned = _clean(data, team_id=item.team_id, by=by)
    changed = {k: v for k, v in cleaned.items() if getattr(item, k) != v}
    if changed:
        for name, value in changed.items():
            setattr(item, name, value)
        save(item, "bank question changed", by)
    if active is False:
        _retire(item, by)
    elif active is True:
        _reinstate(item, by)
    return item


def _retire(item: BankQuestion, by: User) -> None:
    if item.active:
        item.active = False
        item.retired_at = timezone.now()
        save(item, "retired from the question bank", by)


def _reinstate(item: BankQuestion, by: User) -> None:
    if not item.active:
        item.active = True
        item.retired_at = None
        save(item, "reinstated in the question bank", by)


@transaction.atomic
def bank_question_retire(*, question_id: int, by: User) -> BankQuestion:
    """No longer offered to checklists. Idempotent."""
    item = _lock(question_id, by)
    _retire(item, by)
    return item


@transaction.atomic
def bank_question_reinstate(*, question_id: int, by: User) -> BankQuestion:
    """Offered to checklists again. Idempotent."""
    item = _lock(question_id, by)
    _reinstate(item, by)
    return item
