"""Controlled copies as PDF. WeasyPrint (in pdf_render) fetches nothing from the network: its
fetcher serves our own static files and refuses every other URL.

WeasyPrint is imported when a PDF is laid out, never with this module: importing it costs
seconds of CPU (it parses its default stylesheets), and this module is imported with the URLconf,
so at module level it slowed every web process's first request (on a busy machine gunicorn's 60 s
timeout killed the workers again and again before they had answered once, bench/load.py), and a
Celery worker, which loads the URLconf for its start-up checks, would carry it for nothing.
"""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse

from core.downloads import stored_file_response
from core.selectors import signatures_of
from core.storage import exists_or_unavailable, file_store

from .models import DocumentVersion
from .pdf_html import version_html


def __getattr__(name: str):
    # The fetcher lives with WeasyPrint (pdf_render), imported only when something asks for it.
    if name == "StaticOnlyFetcher":
        from .pdf_render import StaticOnlyFetcher

        return StaticOnlyFetcher
    raise AttributeError(name)


def html_to_pdf(html: str) -> bytes:
    """The one way this project lays a PDF out (WeasyPrint, imported here on first use)."""
    from .pdf_render import html_to_pdf as lay_out

    return lay_out(html)


def version_pdf_bytes(version: DocumentVersion) -> bytes:
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
    return name if exists_or_unavailable(default_storage, name) else None


def version_pdf_build(*, version_id: int) -> str | None:
    """Worker side for large documents. Idempotent: an existing file for this state is kept."""
    version = DocumentVersion.objects.select_related("document", "document__team").filter(pk=version_id).first()
    if version is None:
        return None
    name = _cache_name(version)
    if not exists_or_unavailable(default_storage, name):
        # A failed write leaves no partial PDF under the cache name (core.storage).
        return file_store(default_storage, name, ContentFile(version_pdf_bytes(version)), what="The PDF")
    return name


def version_pdf_response(request, version: DocumentVersion) -> HttpResponse | None:
    """The PDF now (small, or already built by a worker), or None after queueing the build."""
    filename = f"{version.document.number}-v{version.label}.pdf"
    if is_small(version):
        response = HttpResponse(version_pdf_bytes(version), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response
    cached = version_pdf_cached(version)
    if cached:
        return stored_file_response(
            request, name=cached, filename=filename, content_type="application/pdf", inline=True
        )
    from docs_control.tasks import version_pdf_build

    version_pdf_build.delay(version.pk)
    return None
