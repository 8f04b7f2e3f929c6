"""Controlled copies as PDF (WeasyPrint, in pdf_render). WeasyPrint fetches nothing from the
network: its fetcher serves our own static files and refuses every other URL. Importing this
module (the views do) does not import WeasyPrint: a Celery worker, which loads the URLconf for
its start-up checks, stays without it until it lays a PDF out."""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse

from core.selectors import signatures_of

from .models import DocumentVersion
from .pdf_html import version_html


def __getattr__(name: str):
    # The fetcher lives with WeasyPrint (pdf_render), imported only when something asks for it.
    if name == "StaticOnlyFetcher":
        from .pdf_render import StaticOnlyFetcher

        return StaticOnlyFetcher
    raise AttributeError(name)


def version_pdf_bytes(version: DocumentVersion) -> bytes:
    from .pdf_render import html_to_pdf

    return html_to_pdf(version_html(version))


def _cache_name(version: DocumentVersion) -> str:
    # A new signature or status makes a new file: the copy always shows the current manifest.
    ids = ",".join(str(s.pk) for s in signatures_of(version))
    key = hashlib.sha256(f"{version.status}|{version.lock_version}|{ids}".encode()).hexdigest()[:16]
    return f"pdfs/version-{version.pk}-{key}.pdf"


def is_small(version: DocumentVersion) -> bool:
    return len(version.body) <= settings.QMS_PDF_INLINE_MAX_CHARS


def version_pdf_cached(version: DocumentVersion) -> str | None:
    name = _cache_name(version)
    return name if default_storage.exists(name) else None


def version_pdf_build(*, version_id: int) -> str | None:
    """Worker side for large documents. Idempotent: an existing file for this state is kept."""
    version = DocumentVersion.objects.select_related("document", "document__team").filter(pk=version_id).first()
    if version is None:
        return None
    name = _cache_name(version)
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(version_pdf_bytes(version)))
    return name


def version_pdf_response(version: DocumentVersion) -> HttpResponse | None:
    """The PDF now (small, or already built by a worker), or None after queueing the build."""
    filename = f"{version.document.number}-v{version.label}.pdf"
    if is_small(version):
        response = HttpResponse(version_pdf_bytes(version), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response
    cached = version_pdf_cached(version)
    if cached:
        return FileResponse(default_storage.open(cached, "rb"), content_type="application/pdf", filename=filename)
    from docs_control.tasks import version_pdf_build

    version_pdf_build.delay(version.pk)
    return None
