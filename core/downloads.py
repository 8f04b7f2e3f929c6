"""The one way a private file leaves the app: attachments, import files, stored PDFs, evidence packs.

The caller has already checked the right to the record (its selector raised NotFound for another
team's or audit's file, before this is called: zero bytes read). Then, by ``QMS_DOWNLOAD_MODE``:

- ``stream`` (the default): the file is streamed from storage in chunks through the app;
- ``redirect``: with object storage, a 302 to a presigned URL that expires after
  ``QMS_DOWNLOAD_URL_SECONDS`` and names the file and its type. Local files always stream.

A record whose stored file is gone answers 410 with a clear message (a page, or JSON under
/api/), never a 500; an unreachable storage is a 503 (``StorageUnavailable``).
"""

import logging

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from core.storage import exists_or_unavailable, is_object_store, open_stream

logger = logging.getLogger("qms.storage")

MISSING_MESSAGE = (
    "The stored file of this record is missing from the file storage, so it can't be downloaded. "
    "Nothing else is affected; an administrator can restore it from the backup."
)


class ChunkedFileResponse(FileResponse):
    # Django reads 4 KiB at a time; a pack of gigabytes from S3 would take a million reads.
    block_size = 512 * 1024


def file_missing_response(request: HttpRequest, *, name: str = "") -> HttpResponse:
    # A row pointing at nothing is an integrity problem for the operators, not a user error.
    logger.error("stored file missing: %r (%s %s)", name, request.method, request.path)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": MISSING_MESSAGE}, status=410)
    return render(request, "errors/file_missing.html", {"reason": MISSING_MESSAGE}, status=410)


def stored_file_response(
    request: HttpRequest,
    *,
    name: str,
    filename: str,
    content_type: str,
    storage=None,
    inline: bool = False,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """Answer the stored file ``name`` as ``filename``. Call only after the permission check."""
    storage = storage if storage is not None else default_storage
    if not name:
        return file_missing_response(request, name=name)
    if settings.QMS_DOWNLOAD_MODE == "redirect" and is_object_store(storage):
        if not exists_or_unavailable(storage, name):
            return file_missing_response(request, name=name)
        disposition = content_disposition_header(not inline, filename)
        url = storage.url(
            name,
            parameters={"ResponseContentDisposition": disposition, "ResponseContentType": content_type},
            expire=settings.QMS_DOWNLOAD_URL_SECONDS,
        )
        response: HttpResponse = HttpResponseRedirect(url)
    else:
        try:
            stream = open_stream(storage, name)
        except FileNotFoundError:
            return file_missing_response(request, name=name)
        response = ChunkedFileResponse(stream, as_attachment=not inline, filename=filename, content_type=content_type)
        size = getattr(stream, "size", None)
        if size is not None:
            response["Content-Length"] = str(size)
        response["X-Content-Type-Options"] = "nosniff"
    # Neither the file nor a signed URL to it belongs in a shared cache.
    response["Cache-Control"] = "private, no-store"
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def attachment_file_response(request: HttpRequest, attachment) -> HttpResponse:
    """An attachment the caller's selector returned (so the user may see it)."""
    return stored_file_response(
        request,
        storage=attachment.file.storage,
        name=attachment.file.name,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
