"""What a web process imports before its first answer. WeasyPrint costs seconds of CPU to import;
at module level (docs_control.pdf, imported with the URLconf) it made every gunicorn worker's first
request slow enough that, on a loaded machine, the 60 s worker timeout killed them in a loop
(found by bench/load.py). PDFs import it when they render."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys
from django.urls import get_resolver
from qms.wsgi import application  # noqa: F401 - the web entry point, as gunicorn loads it
resolver = get_resolver()
resolver.url_patterns  # the URLconf and every view module it names, as the first request loads them
for pattern in resolver.url_patterns:
    getattr(pattern, "url_patterns", None)
print("weasyprint" in sys.modules)
"""


def _probe() -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "qms.settings.test"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True
    )
    return out.stdout.strip().splitlines()[-1]


def test_loading_the_urlconf_does_not_import_weasyprint():
    assert _probe() == "False"


def test_a_pdf_still_renders_with_the_static_only_fetcher():
    from docs_control.pdf import html_to_pdf

    pdf = html_to_pdf('<html><head><link rel="stylesheet" href="qms-static:/css/app.css"></head><p>Hi</p></html>')
    assert pdf.startswith(b"%PDF")
