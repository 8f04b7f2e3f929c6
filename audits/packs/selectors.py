"""Reads of evidence pack jobs, scoped through the audits the user may see."""

from django.db.models import QuerySet
from django.http import HttpResponse

from core.downloads import stored_file_response
from core.exceptions import NotFound

from ..selectors import audit_list_for
from .models import EvidencePackJob, PackStatus


def pack_jobs_of(audit, *, limit: int = 20) -> list[EvidencePackJob]:
    """The audit's exports, newest first (the caller already holds the audit through a selector)."""
    return list(EvidencePackJob.objects.filter(audit=audit).select_related("requested_by")[:limit])


def pack_job_list_for(user) -> QuerySet[EvidencePackJob]:
    visible = audit_list_for(user).values("pk")
    return EvidencePackJob.objects.filter(audit_id__in=visible).select_related("audit", "requested_by")


def pack_job_get_for(user, job_id: int) -> EvidencePackJob:
    job = pack_job_list_for(user).filter(pk=job_id).first()
    if job is None:
        raise NotFound("No such evidence pack.")
    return job


def pack_download_response(request, job_id: int) -> HttpResponse:
    """The finished ZIP (streamed, or a presigned redirect: core.downloads). Another audit's pack,
    or one that isn't done, is NotFound before the storage is touched."""
    job = pack_job_get_for(request.user, job_id)
    if job.status != PackStatus.DONE or not job.file_name:
        raise NotFound("This evidence pack is not ready.")
    return stored_file_response(
        request,
        name=job.file_name,
        filename=job.download_name,
        content_type="application/zip",
        headers={"X-Manifest-SHA256": job.manifest_sha256},
    )
