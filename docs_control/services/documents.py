"""Creating controlled documents and changing their details."""

from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.permissions import can_view_team
from accounts.selectors import team_members
from core.exceptions import NotFound, PermissionDenied, ValidationError
from core.services import audited_save
from docs_control import permissions as perms
from docs_control.models import Document, DocumentVersion, Kind

from ._common import locked_document, normalise, refresh_search_text

# Numbers are unique per team (another team's numbers are none of this team's business).
_NUMBER_USED = "{number} is already used by another document in your team."


@transaction.atomic
def document_create(
    *,
    team_id: int,
    number: str,
    title: str,
    by: User,
    kind: str = Kind.SOP,
    owner_id: int | None = None,
    review_interval_months: int = 12,
    required_approvals: int = 1,
    source_url: str = "",
    body: str = "",
    change_summary: str = "First issue",
) -> Document:
    if not perms.can_create_document(by, team_id):
        if not can_view_team(by, team_id):
            raise NotFound("No such team.")
        raise PermissionDenied("Your role in this team can't create controlled documents.")
    errors: dict[str, str] = {}
    number = (number or "").strip().upper()
    title = (title or "").strip()
    if not number:
        errors["number"] = "A document needs a number, e.g. SOP-SM-004."
    elif Document.objects.filter(team_id=team_id, number=number).exists():
        errors["number"] = _NUMBER_USED.format(number=number)
    if not title:
        errors["title"] = "A document needs a title."
    if kind not in Kind.values:
        errors["kind"] = f"Unknown kind {kind!r}."
    if kind == Kind.EXTERNAL and not source_url:
        errors["source_url"] = "An external document needs the URL where it lives."
    if not 1 <= int(review_interval_months) <= 60:
        errors["review_interval_months"] = "The review interval is 1 to 60 months."
    if not 1 <= int(required_approvals) <= 5:
        errors["required_approvals"] = "Between 1 and 5 approvals."
    owner = by
    if owner_id is not None and owner_id != by.pk:
        owner = team_members(team_id=team_id).filter(pk=owner_id).first()
        if owner is None:
            errors["owner"] = "The owner must be a member of the team."
    if errors:
        raise ValidationError(errors)
    document = Document(
        team_id=team_id,
        number=number,
        title=title,
        kind=kind,
        owner=owner,
        review_interval_months=review_interval_months,
        required_approvals=required_approvals,
        source_url=source_url,
    )
    try:
        with transaction.atomic():
            audited_save(document, reason="created", by=by)
    except IntegrityError as exc:
        raise ValidationError({"number": _NUMBER_USED.format(number=number)}) from exc
    version = DocumentVersion(
        document=document, major=1, minor=0, body=normalise(body), change_summary=change_summary, author=by
    )
    audited_save(version, reason="first draft", by=by)
    refresh_search_text(document, body)
    return document


_METADATA = ("title", "kind", "owner_id", "review_interval_months", "required_approvals", "source_url")


@transaction.atomic
def document_update(*, document_id: int, by: User, **changes) -> Document:
    document = locked_document(document_id, by)
    if not perms.can_edit_metadata(by, document):
        raise PermissionDenied("Only the owner, a team lead or a QA manager can change the document's details.")
    unknown = set(changes) - set(_METADATA)
    if unknown:
        raise ValidationError({k: "This field can't be changed here." for k in unknown})
    errors = {}
    if "title" in changes and not str(changes["title"]).strip():
        errors["title"] = "A document needs a title."
    if "kind" in changes and changes["kind"] not in Kind.values:
        errors["kind"] = "Unknown kind."
    elif changes.get("kind", document.kind) == Kind.EXTERNAL and not changes.get("source_url", document.source_url):
        errors["source_url"] = "An external document needs the URL where it lives."
    if "owner_id" in changes and not team_members(team_id=document.team_id).filter(pk=changes["owner_id"]).exists():
        errors["owner"] = "The owner must be a member of the team."
    if "review_interval_months" in changes and not 1 <= int(changes["review_interval_months"]) <= 60:
        errors["review_interval_months"] = "The review interval is 1 to 60 months."
    if "required_approvals" in changes and not 1 <= int(changes["required_approvals"]) <= 5:
        errors["required_approvals"] = "Between 1 and 5 approvals."
    if errors:
        raise ValidationError(errors)
    changed = [k for k, v in changes.items() if getattr(document, k) != v]
    if not changed:
        return document
    for key in changed:
        setattr(document, key, changes[key])
    audited_save(document, reason="details changed: " + ", ".join(changed), by=by)
    return document
