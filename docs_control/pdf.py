"""Controlled copies as PDF (WeasyPrint). WeasyPrint fetches nothing from the network: the
fetcher below serves our own static files and refuses every other URL.

WeasyPrint is imported when a PDF is rendered, never with this module: importing it costs
seconds of CPU (it parses its default stylesheets), and this module is imported with the URLconf,
so at module level it slowed every web process's first request; on a busy machine gunicorn's
60 s timeout killed the workers again and again before they had answered once (bench/load.py).
"""

import functools
import hashlib
import mimetypes

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from core.downloads import stored_file_response
from core.selectors import signatures_of
from core.storage import exists_or_unavailable, file_store

from .models import DocumentVersion
from .rendering import render_markdown

STATIC_SCHEME = "qms-static:"


@functools.cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(STATIC_SCHEME):
                raise ValueError(f"PDF rendering fetches no external resource: {url[:80]}")
            relative = url[len(STATIC_SCHEME) :].lstrip("/")
            path = finders.find(relative) if ".." not in relative else None
            if not path:
                raise ValueError(f"No such static file: {relative[:80]}")
            with open(path, "rb") as fh:
                body = fh.read()
            mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": mime})

    return StaticOnlyFetcher


def __getattr__(name: str):
    """``StaticOnlyFetcher``, the class, made (and WeasyPrint imported) on first use."""
    if name == "StaticOnlyFetcher":
        return _fetcher_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def html_to_pdf(html: str) -> bytes:
    """The one way this project renders a PDF: WeasyPrint with the static-only fetcher."""
    from weasyprint import HTML

    return HTML(string=html, base_url=STATIC_SCHEME + "/", url_fetcher=_fetcher_class()()).write_pdf()


def _html(version: DocumentVersion) -> str:
    return render_to_string(
        "docs_control/pdf/version.html",
        {
            "version": version,
            "document": version.document,
            "body": render_markdown(version.body),
            "signatures": list(signatures_of(version)),
            "printed_at": timezone.now(),
        },
    )


def version_pdf_bytes(version: DocumentVersion) -> bytes:
    return html_to_pdf(_html(version))


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
