"""Composing an evidence pack: what goes where, in which order, with which links.

Everything is queued on a ``PackWriter`` and produced lazily while the ZIP streams: a PDF is
rendered, a CSV encoded, an attachment read only when the stream reaches it, so memory stays
flat whatever the number and size of the files. ``index.html`` is queued last, once every
path is known, and links each of them (percent-encoded relative links, so names with spaces or
non-ASCII letters resolve from the extracted folder).
"""

import datetime
import importlib.metadata
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from core.csvsafe import csv_chunks
from core.selectors import signatures_of

from .. import models as m
from . import content, history
from .pdfs import PackPdfs
from .zipbuild import MANIFEST, SUMS, VERIFY, PackWriter

PRODUCT = "QMS"


def product_version() -> str:
    try:
        return importlib.metadata.version("qms")
    except importlib.metadata.PackageNotFoundError:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as fh:
            return tomllib.load(fh)["project"]["version"]


def href(path: str) -> str:
    return quote(path, safe="/")


def _later(make: Callable[[], bytes]) -> Iterator[bytes]:
    yield make()


def _report_html(audit) -> str:
    from ..pdf import report_html

    return report_html(audit)


def _version_html(version) -> str:
    from docs_control.pdf_html import version_html

    return version_html(version)


# In-process renders (no PDF child): the stream calls them when it reaches the file.
def _report_pdf(audit) -> bytes:
    from ..pdf import report_pdf_bytes

    return report_pdf_bytes(audit)


def _version_pdf(version) -> bytes:
    from docs_control.pdf import version_pdf_bytes

    return version_pdf_bytes(version)


def _css() -> str:
    path = finders.find("css/evidence-pack.css")
    return Path(path).read_text(encoding="utf-8") if path else ""


def pack_compose(
    writer: PackWriter, scope: content.Scope, *, exported_by, exported_at, pdfs: PackPdfs | None = None
) -> dict:
    """Queue every file of the pack on ``writer``; returns the manifest's metadata. ``pdfs`` lays
    the PDFs out (in a child process when it has one; in this one, lazily, without)."""
    pdfs = pdfs or PackPdfs(in_child=False)
    audit = scope.audit
    questions = content.questions(scope)
    findings = content.findings(scope)
    ncs = content.nonconformities(scope, findings)
    capas = content.capas(scope, ncs)
    versions = content.document_versions(scope)
    signatures = list(signatures_of(audit))
    overrides = list(audit.independence_overrides.select_related("signed_by", "signature"))
    for override in overrides:
        if override.signature_id:
            override.signature.pack_label = "Independence override"
            signatures.append(override.signature)
    for signature in signatures:
        signature.pack_label = getattr(signature, "pack_label", "Audit report")

    # Evidence files first: they are the bulk of the bytes.
    by_answer: dict[int, list[dict]] = {}
    by_finding: dict[int, list[dict]] = {}
    attachment_rows = []
    for ev in scope.evidence:
        if ev.attachment_id:
            att = ev.attachment
            path = writer.names.claim("evidence", att.original_name)
            writer.add_storage_file(path, att.file.storage, att.file.name, size=att.size)
            item = {"path": path, "href": href(path), "size": att.size, "sha256": att.sha256, "note": ev.note}
            attachment_rows.append(ev)
        else:
            item = {"label": f"{ev.get_record_kind_display()}: {ev.record_label or ev.record_id}", "note": ev.note}
        (by_answer.setdefault(ev.answer_id, []) if ev.answer_id else by_finding.setdefault(ev.finding_id, [])).append(
            item
        )
    for q in questions:
        q.pack_answer = content._answer_of(q)
        q.pack_evidence = by_answer.get(q.pack_answer.pk, []) if q.pack_answer else []
    for f in findings:
        f.pack_evidence = by_finding.get(f.pk, [])

    context = {
        "audit": audit,
        "scope": scope,
        "teams": sorted(t.name for t in audit.audited_teams.all()) or [audit.team.name],
        "findings": findings,
        "signatures": signatures,
        "overrides": overrides,
    }
    writer.add_chunks("report.pdf", pdfs.pdf(lambda: _report_html(audit), lambda: _report_pdf(audit)))

    evidence_paths = {a: [i["path"] for i in items if "path" in i] for a, items in by_answer.items()}
    tables = {
        "findings.csv": content.findings_table(findings),
        "checklist.csv": content.checklist_table(questions, evidence_paths),
        "post_reviews.csv": content.post_reviews_table(scope),
        "sampling_lots.csv": content.sampling_lots_table(scope),
        "nonconformities.csv": content.nonconformities_table(ncs),
        "capas.csv": content.capas_table(capas),
    }
    for path, (header, rows) in tables.items():
        writer.add_chunks(writer.names.claim("", path), csv_chunks(header, rows))

    documents = []
    for version in versions:
        path = writer.names.claim("documents", f"{version.document.number}-v{version.label}.pdf")
        writer.add_chunks(path, pdfs.pdf(lambda v=version: _version_html(v), lambda v=version: _version_pdf(v)))
        documents.append({"version": version, "path": path, "href": href(path)})

    pdfs.submitted()

    _queue_history(writer, audit, questions, findings, attachment_rows, ncs, capas, versions, scope)

    files = [{"path": e.path, "href": href(e.path), "size": None} for e in writer.entries]
    files += [{"path": p, "href": href(p), "size": None} for p in ("index.html", VERIFY, MANIFEST, SUMS)]
    index_context = {
        **context,
        "css": _css(),
        "questions": questions,
        "documents": documents,
        "files": files,
        "lot": audit.sampling_lot,
        "scope_documents": sorted(d.number for d in audit.documents.all()),
        "auditors": sorted(u.printed_name for u in audit.auditors.all()),
        "auditees": sorted(u.printed_name for u in audit.auditees.all()),
        "tables": [{"path": p, "href": href(p)} for p in tables],
        "links": {"report": "report.pdf", "nonconformities": "nonconformities.csv"},
        "exported_by": exported_by.printed_name,
        "exported_at": exported_at,
        "product": PRODUCT,
        "version": product_version(),
    }
    writer.names.reserve("index.html")
    writer.add_chunks("index.html", _later(lambda: render_to_string("audits/pack/index.html", index_context).encode()))
    return {
        "format": "qms-evidence-pack/1",
        "product": {"name": PRODUCT, "version": product_version()},
        "audit": {"id": audit.pk, "reference": audit.reference, "title": audit.title, "status": audit.status},
        "exported_by": {"id": exported_by.pk, "name": exported_by.printed_name},
        "exported_at": exported_at.astimezone(datetime.UTC).isoformat(timespec="seconds"),
        "period": [scope.start.isoformat(), scope.end.isoformat()],
    }


def _queue_history(writer, audit, questions, findings, evidence, ncs, capas, versions, scope) -> None:
    from capa.models import CorrectiveAction, Nonconformity
    from docs_control.models import DocumentVersion

    answers = [q.pack_answer for q in questions if q.pack_answer]
    excerpts = [
        ("history/audit.csv", m.Audit, [audit.pk], lambda r: r.reference),
        ("history/checklist.csv", m.AuditQuestion, [q.pk for q in questions], lambda r: f"question {r.order}"),
        ("history/answers.csv", m.Answer, [a.pk for a in answers], lambda r: f"answer to question {r.question_id}"),
        ("history/findings.csv", m.Finding, [f.pk for f in findings], lambda r: f"{audit.reference}-F{r.number:02d}"),
        ("history/evidence.csv", m.Evidence, [e.pk for e in scope.evidence], lambda r: f"evidence {r.id}"),
        (
            "history/evidence_packs.csv",
            m.EvidencePackJob,
            list(audit.evidence_packs.values_list("pk", flat=True)),
            lambda r: f"evidence pack {r.id}",
        ),
        ("history/nonconformities.csv", Nonconformity, [n.pk for n in ncs], lambda r: r.reference),
        ("history/capas.csv", CorrectiveAction, [c.pk for c in capas], lambda r: r.reference),
        (
            "history/document_versions.csv",
            DocumentVersion,
            [v.pk for v in versions],
            lambda r: f"document {r.document_id} v{r.major}.{r.minor}",
        ),
    ]
    for path, model, ids, label in excerpts:
        writer.add_chunks(
            writer.names.claim("history", path.split("/", 1)[1]),
            csv_chunks(history.HEADER, history.history_rows(model, ids, label)),
        )
