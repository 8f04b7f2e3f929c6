"""API tokens: issued with their key shown once, stored as a SHA-256 hash, revoked by deletion."""

import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Coalesce

from accounts.models import ApiToken, User
from core.exceptions import NotFound, ValidationError

log = logging.getLogger("qms.security")

PREFIX_LENGTH = 8


@transaction.atomic
def api_token_create(*, user: User, by: User | None, name: str = "API") -> tuple[ApiToken, str]:
    """Issue a new token for ``user`` and return it with its key, which is never stored.

    A user keeps at most ``QMS_API_TOKENS_PER_USER`` tokens: issuing one more revokes the
    least recently used, so a script that asks for a token on every run doesn't pile them up.
    """
    if by is not None and by.pk != user.pk:
        raise NotFound("No such user.")
    name = (name or "").strip() or "API"
    if len(name) > 60:
        raise ValidationError({"name": "Keep the name under 60 characters."})
    # Serialise issuing per user, so the cap holds under concurrent requests.
    User.objects.select_for_update().filter(pk=user.pk).first()
    key = secrets.token_urlsafe(30)
    token = ApiToken.objects.create(user=user, name=name, key_hash=ApiToken.hash_key(key), prefix=key[:PREFIX_LENGTH])
    keep = settings.QMS_API_TOKENS_PER_USER
    # Least recently used first out; a token never used counts as used when it was issued.
    stale = list(
        ApiToken.objects.filter(user=user)
        .order_by(Coalesce("last_used_at", "created_at").desc(), "-pk")
        .values_list("pk", flat=True)[keep:]
    )
    if stale:
        ApiToken.objects.filter(pk__in=stale).exclude(pk=token.pk).delete()
    log.info("api token issued user=%s token=%s name=%r", user.pk, token.pk, name)
    return token, key


@transaction.atomic
def api_token_revoke(*, token_id: int, by: User) -> None:
    """Revoke one of ``by``'s own tokens. Another user's token is NotFound."""
    deleted, _ = ApiToken.objects.filter(pk=token_id, user=by).delete()
    if not deleted:
        raise NotFound("No such token.")
    log.info("api token revoked user=%s token=%s", by.pk, token_id)
