"""Reads of evidence pack jobs, scoped through the audits the user may see."""

from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse

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


def pack_download_response(user, job_id: int) -> FileResponse:
    """The finished ZIP as a stream. Another audit's pack, or one that isn't done, is NotFound
    before a byte is read."""
    job = pack_job_get_for(user, job_id)
    if job.status != PackStatus.DONE or not job.file_name:
        raise NotFound("This evidence pack is not ready.")
    response = FileResponse(
        default_storage.open(job.file_name, "rb"),
        as_attachment=True,
        filename=job.download_name,
        content_type="application/zip",
    )
    response["X-Manifest-SHA256"] = job.manifest_sha256
    return response
