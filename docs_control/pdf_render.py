"""Laying our HTML out as PDF with WeasyPrint, which fetches nothing from the network: the
fetcher below serves our own static files and refuses every other URL. The one module that
imports WeasyPrint at import time; the others import it where they lay a PDF out."""

import mimetypes

from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_SCHEME = "qms-static:"


class StaticOnlyFetcher(URLFetcher):
    """``find(relative path) -> absolute path or None`` is staticfiles' ``finders.find`` unless
    given (the evidence pack's PDF child, which has no Django set up, passes a ready-made map)."""

    def __init__(self, *args, find=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._find = find or finders.find

    def fetch(self, url, headers=None):
        if not url.startswith(STATIC_SCHEME):
            raise ValueError(f"PDF rendering fetches no external resource: {url[:80]}")
        relative = url[len(STATIC_SCHEME) :].lstrip("/")
        path = self._find(relative) if ".." not in relative else None
        if not path:
            raise ValueError(f"No such static file: {relative[:80]}")
        with open(path, "rb") as fh:
            body = fh.read()
        mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": mime})


def html_to_pdf(html: str, *, find=None) -> bytes:
    """One HTML document (ours: static files only) laid out as PDF. The same HTML gives the same bytes."""
    return HTML(string=html, base_url=STATIC_SCHEME + "/", url_fetcher=StaticOnlyFetcher(find=find)).write_pdf()
