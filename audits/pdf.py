"""The audit report as a PDF (WeasyPrint), rendered like the controlled copies: docs_control's
fetcher serves only our static files, so the HTML can't make WeasyPrint fetch anything else.
Importing this module does not import WeasyPrint (``report_html`` is all the pack's worker needs)."""

from django.template.loader import render_to_string
from django.utils import timezone

from core.selectors import signatures_of
from docs_control.pdf import html_to_pdf

from . import selectors
from .models import Audit


def report_context(audit: Audit) -> dict:
    findings = selectors.findings_of(audit)
    overrides = list(audit.independence_overrides.all())
    return {
        "audit": audit,
        "findings": findings,
        "by_classification": selectors.findings_by_classification(findings),
        "questions": selectors.questions_of(audit),
        "previous": selectors.previous_audit(audit),
        "previous_findings": selectors.previous_findings(audit),
        "signatures": list(signatures_of(audit)),
        "overrides": [(o, list(signatures_of(o))) for o in overrides],
        "lot": audit.sampling_lot,
        "printed_at": timezone.now(),
    }


def report_html(audit: Audit) -> str:
    return render_to_string("audits/pdf/report.html", report_context(audit))


def report_pdf_bytes(audit: Audit) -> bytes:
    return html_to_pdf(report_html(audit))
