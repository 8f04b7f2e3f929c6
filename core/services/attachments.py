"""Attachments: type checked by content, size limited, hashed while read, stored under a random name."""

import hashlib

import filetype
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone

from accounts.permissions import can_view_team
from core.exceptions import NotFound, PermissionDenied, ValidationError
from core.models import Attachment
from core.permissions import can_upload_attachment
from core.storage import file_store, stored_or_cleanup

# extension -> MIME type the content must be detected as. Text types are checked separately.
BINARY_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
TEXT_TYPES = {"txt": "text/plain", "csv": "text/csv", "md": "text/markdown", "json": "application/json"}
ALLOWED = ", ".join(sorted(BINARY_TYPES | TEXT_TYPES))
_SNIFF_BYTES = 8192


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"file": "The file has no name."})
    if any(c in name for c in "/\\\x00") or name.startswith(".") or ".." in name:
        raise ValidationError({"file": f"The file name {name!r} is not allowed (no paths or hidden names)."})
    if len(name) > 255 or not name.isprintable():
        raise ValidationError({"file": "The file name is too long or has control characters."})
    if "." not in name:
        raise ValidationError({"file": f"The file name needs an extension; allowed: {ALLOWED}."})
    return name


def _detect(head: bytes, extension: str) -> str:
    """Return the content type for ``extension`` if the bytes really are of that type."""
    if extension in BINARY_TYPES:
        kind = filetype.guess(head)
        expected = BINARY_TYPES[extension]
        if kind is None or kind.mime != expected:
            found = kind.mime if kind else "unknown or text content"
            raise ValidationError({"file": f"The content is {found}, not the .{extension} its name says."})
        return expected
    if extension in TEXT_TYPES:
        if b"\x00" in head or filetype.guess(head) is not None:
            raise ValidationError({"file": f"The content is binary, not the .{extension} text its name says."})
        try:
            # The head may cut a multi-byte character: ignore an incomplete tail only.
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:
                raise ValidationError({"file": "Text files must be UTF-8."}) from exc
        return TEXT_TYPES[extension]
    raise ValidationError({"file": f"Files of type .{extension} are not accepted; allowed: {ALLOWED}."})


def attachment_create(
    *, team, upload: UploadedFile, by, record: models.Model | None = None, name: str | None = None
) -> Attachment:
    """Check and store an uploaded file for ``team``. Nothing is stored when a check fails.

    With a ``record``, the record's own service has checked ``by``'s right on it (completing a
    CAPA action, recording a check). Without one, ``by`` needs an authoring right in ``team``:
    a viewer is read-only everywhere.
    """
    if not can_view_team(by, team.pk):
        raise NotFound("No such team.")
    if record is None and not can_upload_attachment(by, team.pk):
        raise PermissionDenied("Only people who work on the team's records can upload files.")
    original_name = _check_name(name if name is not None else upload.name)
    extension = original_name.rsplit(".", 1)[1].lower()
    limit = settings.QMS_ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError({"file": f"The file is larger than the {limit // (1024 * 1024)} MB limit."})

    digest = hashlib.sha256()
    size = 0
    head = b""
    upload.seek(0)
    for chunk in upload.chunks():
        size += len(chunk)
        if size > limit:
            raise ValidationError({"file": f"The file is larger than the {limit // (1024 * 1024)} MB limit."})
        if len(head) < _SNIFF_BYTES:
            head += chunk[: _SNIFF_BYTES - len(head)]
        digest.update(chunk)
    if size == 0:
        raise ValidationError({"file": "The file is empty."})
    content_type = _detect(head, extension)
    upload.seek(0)

    attachment = Attachment(
        team=team,
        original_name=original_name,
        extension=f".{extension}",
        size=size,
        content_type=content_type,
        sha256=digest.hexdigest(),
        uploaded_by=by,
        created_at=timezone.now(),
    )
    if record is not None:
        attachment.record_type = ContentType.objects.get_for_model(record)
        attachment.record_id = record.pk
    # The file first, then the row: a failed write (disk full, bucket down) raises
    # StorageUnavailable with nothing recorded; a failed save removes the stored file again.
    storage = attachment.file.storage
    stored = file_store(storage, attachment.file.field.generate_filename(attachment, "upload"), upload)
    attachment.file.name = stored

    def save() -> None:
        with transaction.atomic():
            attachment.save()

    stored_or_cleanup(storage, stored, save)
    return attachment
