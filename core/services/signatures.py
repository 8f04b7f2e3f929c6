"""Electronic signatures: password re-entry, a meaning, and a hash of what was signed."""

import hashlib
import json
import logging
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import models
from django.utils import timezone

from core.exceptions import InvalidPassword, SigningLocked
from core.models import Meaning, Signature

security_log = logging.getLogger("qms.security")


def canonical_content(record: models.Model) -> dict[str, Any]:
    """What a signature covers. A model may define ``signature_content()`` to choose; by default
    every concrete field."""
    if hasattr(record, "signature_content"):
        return record.signature_content()
    return {f.attname: f.value_from_object(record) for f in record._meta.concrete_fields}


def canonical_sha256(record: models.Model) -> str:
    payload = {
        "type": record._meta.label_lower,
        "id": record.pk,
        "content": canonical_content(record),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _failures_key(user_id: int) -> str:
    return f"qms:signing:failures:{user_id}"


def _lock_key(user_id: int) -> str:
    return f"qms:signing:locked:{user_id}"


def signing_is_locked(user) -> bool:
    return bool(cache.get(_lock_key(user.pk)))


def _record_failure(user) -> None:
    # Kept in the cache, not the database: the caller's transaction rolls back on the error we
    # raise next, and the count must survive that.
    key = _failures_key(user.pk)
    cache.add(key, 0, timeout=24 * 60 * 60)
    failures = cache.incr(key)
    security_log.warning("signing: wrong password for user %s (%s in a row)", user.pk, failures)
    if failures >= settings.QMS_SIGNING_FAILURE_LIMIT:
        cache.set(_lock_key(user.pk), True, timeout=settings.QMS_SIGNING_LOCK_MINUTES * 60)
        cache.delete(key)
        security_log.warning("signing: locked for user %s", user.pk)


def signature_create(*, record: models.Model, by, password: str, meaning: str, comment: str = "") -> Signature:
    """Sign ``record`` as ``by`` after re-checking the password.

    Call it inside the service transaction that makes the signed change, after the change is
    saved, so the hash covers the signed state. A wrong password raises and creates nothing.
    """
    if meaning not in Meaning.values:
        raise ValueError(f"unknown signature meaning {meaning!r}")
    if signing_is_locked(by):
        security_log.warning("signing: refused while locked for user %s", by.pk)
        raise SigningLocked(
            f"Signing is locked for {settings.QMS_SIGNING_LOCK_MINUTES} minutes after "
            f"{settings.QMS_SIGNING_FAILURE_LIMIT} wrong passwords in a row."
        )
    if not password or not by.check_password(password):
        _record_failure(by)
        raise InvalidPassword()
    cache.delete(_failures_key(by.pk))
    version = getattr(record, "signature_version", "")
    return Signature.objects.create(
        signer=by,
        printed_name=by.printed_name,
        meaning=meaning,
        signed_at=timezone.now(),
        record_type=ContentType.objects.get_for_model(record),
        record_id=record.pk,
        record_version=str(version() if callable(version) else version)[:40],
        content_sha256=canonical_sha256(record),
        comment=comment.strip(),
    )
