"""Evidence pack pages: the audit's exports (start, progress by htmx polling, download) and
"Verify a pack". Thin: reads through selectors, writes through services."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.views.helpers import domain_errors, run_service

from ..selectors import audit_get_for
from . import selectors, services
from .permissions import can_export_pack
from .verifier import PackRejected


@require_GET
@domain_errors
def audit_packs(request, audit_id: int):
    """The "Evidence packs" section: a page of its own, and the partial the audit page loads."""
    audit = audit_get_for(request.user, audit_id)
    context = {
        "audit": audit,
        "jobs": selectors.pack_jobs_of(audit),
        "can_export": can_export_pack(request.user, audit),
    }
    template = "audits/pack/_section.html" if request.htmx else "audits/pack/packs.html"
    return render(request, template, context)


@require_POST
@domain_errors
def audit_pack_start(request, audit_id: int):
    run_service(
        request,
        lambda: services.evidence_pack_request(audit_id=audit_id, by=request.user),
        success="Export started: the pack is built in the background.",
    )
    return HttpResponseRedirect(reverse("audits:packs", args=[audit_id]))


@require_GET
@domain_errors
def pack_job(request, job_id: int):
    """One export's row; polled by htmx while it is queued or running."""
    job = selectors.pack_job_get_for(request.user, job_id)
    return render(request, "audits/pack/_job.html", {"job": job})


@require_GET
@domain_errors
def pack_download(request, job_id: int):
    return selectors.pack_download_response(request, job_id)


@require_http_methods(["GET", "POST"])
@domain_errors
def pack_verify(request):
    context: dict = {}
    upload = request.FILES.get("file")
    if request.method == "POST":
        if upload is None:
            context["error"] = "Choose the evidence pack ZIP to check."
        elif upload.size > settings.QMS_PACK_VERIFY_MAX_UPLOAD_BYTES:
            context["error"] = "The file is larger than the upload limit."
        else:
            try:
                result, known, export = services.evidence_pack_verify(upload=upload, by=request.user)
                context.update(result=result, known=known, export=export, name=upload.name)
            except PackRejected as exc:
                context["error"] = str(exc)
    status = 400 if "error" in context else 200
    return render(request, "audits/pack/verify.html", context, status=status)
