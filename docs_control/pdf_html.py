"""The HTML of a controlled copy, apart from its PDF rendering: importing this module does not
import WeasyPrint, so a process can render the HTML and leave the layout to another process
(the evidence pack's PDF child)."""

from django.template.loader import render_to_string
from django.utils import timezone

from core.selectors import signatures_of

from .models import DocumentVersion
from .rendering import render_markdown


def version_html(version: DocumentVersion) -> str:
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
