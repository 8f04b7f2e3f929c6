"""The management review pack as PDF (WeasyPrint), with docs_control's fetcher that serves our
static files only. A closed review renders from its snapshot and its closing time alone, so its
PDF shows the same content every time."""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from core.selectors import signatures_of

from .reviews import review_figures


def review_pdf_bytes(review) -> bytes:
    html = render_to_string(
        "metrics/pdf/review.html",
        {
            "review": review,
            "figures": review_figures(review),
            "participants": list(review.participants.all()),
            "signatures": list(signatures_of(review)),
            "printed_at": review.closed_at or timezone.now(),
        },
    )
    from docs_control.pdf_render import html_to_pdf  # WeasyPrint, imported only to lay a PDF out

    return html_to_pdf(html)


def review_pdf_response(review) -> HttpResponse:
    response = HttpResponse(review_pdf_bytes(review), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="management-review-{review.pk}.pdf"'
    return response
