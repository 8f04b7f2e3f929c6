"""Evidence pack writes: request an export, build it (the worker's side), check an uploaded pack.

The build runs outside any long transaction: it claims the job (locked, running, attempts + 1),
streams the ZIP into storage under a part name, and only then, in one locked save, marks the
job done with the final file name, size and manifest hash. A failure (an exception, a time
limit) marks it failed with a message and leaves no file. A worker killed mid-way leaves the job
running: with ``acks_late`` and ``reject_on_worker_lost`` the task is redelivered and the build
starts again from scratch (at most ``MAX_ATTEMPTS`` times); the dead attempt's part file is
never referenced.
"""

import logging
import time

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from core.exceptions import NotFound, PermissionDenied, StorageUnavailable
from core.services import audited_save
from core.storage import STORAGE_ERRORS, abort_incomplete_uploads, storage_problem, stored_or_cleanup

from ..models import Audit
from ..selectors import audit_get_for
from . import content
from .build import pack_compose
from .models import EvidencePackJob, PackStatus
from .pdfs import PackPdfs
from .permissions import can_export_pack
from .storage import pack_store
from .verifier import PackCheck, pack_check
from .zipbuild import PackWriter

logger = logging.getLogger("qms.audits.packs")
MAX_ATTEMPTS = 3
PROGRESS_EVERY_SECONDS = 1.0


@transaction.atomic
def evidence_pack_request(*, audit_id: int, by) -> EvidencePackJob:
    """Queue an export of the audit's evidence pack. A build already queued or running for the
    audit is returned instead of starting a second one (a double click exports once)."""
    audit = audit_get_for(by, audit_id)  # NotFound for an audit the user may not see
    if not can_export_pack(by, audit):
        raise PermissionDenied("Only the audit's auditors and planners can export its evidence pack.")
    Audit.objects.select_for_update().filter(pk=audit.pk).first()  # serialise concurrent requests
    active = EvidencePackJob.objects.filter(audit=audit, status__in=[PackStatus.QUEUED, PackStatus.RUNNING]).first()
    if active is not None:
        return active
    job = EvidencePackJob(audit=audit, requested_by=by)
    audited_save(job, by=by, reason="evidence pack export requested")
    from ..tasks import build_evidence_pack

    build_evidence_pack.delay_on_commit(job.pk)
    return job


@transaction.atomic
def _claim(job_id: int) -> EvidencePackJob | None:
    job = EvidencePackJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.status in (PackStatus.DONE, PackStatus.FAILED):
        return None  # gone, or already finished: a redelivered task does nothing more
    if job.attempts >= MAX_ATTEMPTS:
        job.status = PackStatus.FAILED
        job.failure_message = f"The build was interrupted {job.attempts} times (worker lost); not retried."
        job.finished_at = timezone.now()
        audited_save(job, by=None, reason="evidence pack failed")
        return None
    job.status = PackStatus.RUNNING
    job.attempts += 1
    job.progress = job.files_done = 0
    job.started_at = job.heartbeat_at = timezone.now()
    audited_save(job, by=None, reason=f"evidence pack build started (attempt {job.attempts})")
    return job


class _Progress:
    """Writes progress at most once a second, without a history row each time."""

    def __init__(self, job: EvidencePackJob) -> None:
        self.job = job
        self.last = 0.0

    def __call__(self, _entry) -> None:
        self.job.files_done += 1
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY_SECONDS:
            self.last = now
            self.flush()

    def flush(self) -> None:
        job = self.job
        job.progress = min(99, int(100 * job.files_done / job.files_total)) if job.files_total else 0
        job.heartbeat_at = timezone.now()
        job.skip_history_when_saving = True  # progress is not a change worth a history row
        try:
            job.save(update_fields=["progress", "files_done", "heartbeat_at"])
        finally:
            del job.skip_history_when_saving


def evidence_pack_build(*, job_id: int) -> EvidencePackJob | None:
    """Build the pack of job ``job_id``. Idempotent: a done or failed job is left as it is."""
    job = _claim(job_id)
    if job is None:
        return None
    try:
        audit = audit_get_for(job.requested_by, job.audit_id)
        if not can_export_pack(job.requested_by, audit):
            raise NotFound("The person who asked for this export may no longer see the audit.")
        _drop_parts(audit, job)
        with PackPdfs() as pdfs:  # started first: the child's start-up overlaps the reads below
            name, size, manifest = _build(job, audit, pdfs)
    except Exception as exc:
        logger.exception("evidence pack %s failed", job_id)
        return _finish(job_id, attempt=job.attempts, status=PackStatus.FAILED, failure_message=_failure(exc))
    # Should recording it fail (the database went away), the ZIP goes too: no orphan, and the
    # redelivered task builds it again.
    return stored_or_cleanup(
        default_storage,
        name,
        lambda: _finish(
            job_id,
            attempt=job.attempts,
            status=PackStatus.DONE,
            file_name=name,
            size=size,
            manifest_sha256=manifest["sha"],
            files_done=job.files_total,
            progress=100,
        ),
    )


def _failure(exc: Exception) -> str:
    """The job's message: what failed, for the person who asked for the export."""
    if isinstance(exc, StorageUnavailable):
        message = f"The build failed: {exc.message} Try the export again later."
    elif isinstance(exc, STORAGE_ERRORS):
        message = f"The build failed: a file could not be read ({storage_problem(exc)}): {exc}"
    else:
        message = f"The build failed: {exc}"
    return message[:2000]


def _build(job, audit, pdfs) -> tuple[str, int, dict]:
    exported_at = timezone.now()
    progress = _Progress(job)
    writer = PackWriter(on_entry=progress)
    scope = content.scope_of(audit, job.requested_by)
    meta = pack_compose(writer, scope, exported_by=job.requested_by, exported_at=exported_at, pdfs=pdfs)
    job.files_total = writer.queued + 3  # verify.py, manifest.json and SHA256SUMS are added at the end
    progress.flush()
    manifest: dict = {}
    chunks = writer.stream({**meta, "export": {"id": job.pk}}, on_manifest=lambda _raw, sha: manifest.update(sha=sha))
    final = f"{_folder(audit)}/{audit.reference}-pack-{job.pk}-{exported_at:%Y%m%dT%H%M%S}.zip"
    name, size = pack_store(storage=default_storage, final_name=final, chunks=chunks)
    return name, size, manifest


def _folder(audit) -> str:
    return f"evidence-packs/{audit.pk}"


def _drop_parts(audit, job) -> None:
    """Remove what an earlier attempt of this job left half-written (its worker was killed)."""
    try:
        _dirs, names = default_storage.listdir(_folder(audit))
    except (FileNotFoundError, NotImplementedError):
        return
    prefix = f"{audit.reference}-pack-{job.pk}-"
    abort_incomplete_uploads(default_storage, f"{_folder(audit)}/{prefix}")
    for name in names:
        if name.startswith(prefix) and name.endswith(".part"):
            default_storage.delete(f"{_folder(audit)}/{name}")


@transaction.atomic
def _finish(job_id: int, *, attempt: int, status: str, **fields) -> EvidencePackJob:
    job = EvidencePackJob.objects.select_for_update().get(pk=job_id)
    if job.attempts != attempt or job.status != PackStatus.RUNNING:
        # A newer attempt took the job over (the task was delivered twice): this one's outcome
        # is not the job's, and its file is not offered.
        if fields.get("file_name"):
            default_storage.delete(fields["file_name"])
        return job
    job.status = status
    job.finished_at = timezone.now()
    for key, value in fields.items():
        setattr(job, key, value)
    reason = f"pack exported, manifest {job.manifest_sha256}" if status == PackStatus.DONE else ("evidence pack failed")
    audited_save(job, by=None, reason=reason)
    return job


def evidence_pack_verify(*, upload, by) -> tuple[PackCheck, bool, EvidencePackJob | None]:
    """Check an uploaded ZIP: (the file check, whether its manifest is one we exported, and that
    export when the user may see its audit). Whoever holds a pack may learn that it is genuine;
    which audit and who exported it are shown only to those who may see the audit."""
    result = pack_check(upload)
    export = (
        EvidencePackJob.objects.filter(manifest_sha256=result.manifest_sha256, status=PackStatus.DONE)
        .select_related("audit", "requested_by")
        .first()
    )
    known = export is not None
    if export is not None:
        try:
            audit_get_for(by, export.audit_id)
        except NotFound:
            export = None
    return result, known, export
