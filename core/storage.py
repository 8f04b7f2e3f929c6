"""Writing and reading private files through Django storage, local disk or an S3-compatible bucket.

A failed write (disk full, bucket unreachable, quota) removes what it left half-written and
raises ``StorageUnavailable``: the caller's transaction rolls back, so no row ever points at a
missing or partial file. Reads for downloads stream an object in chunks instead of copying it
first (django-storages' ``S3File`` downloads the whole object before its first byte).
"""

import errno
import logging
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from core.exceptions import StorageUnavailable

logger = logging.getLogger("qms.storage")

# What a storage call raises when the disk or the object store fails (FileNotFoundError apart:
# that is a missing file, see ``is_missing``).
STORAGE_ERRORS: tuple[type[BaseException], ...] = (OSError, BotoCoreError, ClientError)
_MISSING_CODES = {"404", "NoSuchKey", "NotFound"}


def is_object_store(storage) -> bool:
    """True for a storage without local paths (S3): no rename, uploads invisible until complete."""
    try:
        storage.path("x")
    except NotImplementedError:
        return True
    return False


def is_missing(exc: BaseException) -> bool:
    if isinstance(exc, FileNotFoundError):
        return True
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return str(error.get("Code")) in _MISSING_CODES or status == 404
    return False


def storage_problem(exc: BaseException) -> str:
    """A sentence for a person: what went wrong with the storage (no secrets, no stack)."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the storage is full"
    if isinstance(exc, BotoCoreError):
        return "the file storage can't be reached"
    if isinstance(exc, ClientError):
        return f"the file storage refused the request ({exc.response.get('Error', {}).get('Code', 'error')})"
    return f"the file storage failed ({type(exc).__name__})"


def file_delete_quietly(storage, name: str) -> None:
    """Remove ``name`` if it is there; a storage still down is logged, not raised (cleanup)."""
    if not name:
        return
    try:
        storage.delete(name)
    except STORAGE_ERRORS as exc:
        logger.warning("could not remove %s after a failed write: %s", name, type(exc).__name__)


def file_store(storage, name: str, content, *, what: str = "The file", save: Callable | None = None) -> str:
    """Save ``content`` under ``name`` (or the free name the storage picks) and return it.

    On any error the partial file is removed; a storage error becomes ``StorageUnavailable`` with
    a clear message. ``FileSystemStorage`` leaves a partial file behind on ENOSPC; an S3 multipart
    upload is aborted by boto3 (and is invisible until complete anyway).
    """
    target = ""
    try:
        target = storage.get_available_name(name)  # a HEAD request on S3: may fail too
        return (save or storage.save)(target, content)
    except BaseException as exc:
        # Whatever stopped the write (the storage, or the stream being written), drop the rest.
        file_delete_quietly(storage, target)
        if not isinstance(exc, STORAGE_ERRORS):
            raise
        logger.warning("storage write of %s failed: %s", target, exc)
        raise StorageUnavailable(f"{what} could not be stored: {storage_problem(exc)}. Nothing was saved.") from exc


def stored_or_cleanup(storage, name: str, write: Callable[[], Any]) -> Any:
    """Run ``write`` (the database side of a stored file); if it raises, remove the file again."""
    try:
        return write()
    except BaseException:
        file_delete_quietly(storage, name)
        raise


PART_BYTES = 8 * 1024 * 1024  # S3 parts are 5 MiB at least; 10,000 parts of 8 MiB make 78 GiB


def _read_part(reader, size: int) -> bytes:
    data = bytearray()
    while len(data) < size and (chunk := reader.read(size - len(data))):
        data += chunk
    return bytes(data)


def object_store_stream(storage, name: str, reader, *, part_bytes: int = PART_BYTES) -> str:
    """Write ``reader`` (a non-seekable stream) to the bucket as ``name``, one part at a time.

    The stream is read in the calling thread (boto3's managed upload reads it from a thread of
    its own, where the database work a pack does while streaming would use another
    connection). Memory holds one part. Under one part it is a single PUT; otherwise a
    multipart upload, invisible until completed and aborted on any error."""
    from storages.utils import clean_name

    cleaned = clean_name(name)
    key = storage._normalize_name(cleaned)
    client = storage.connection.meta.client
    params = storage._get_write_parameters(key)
    data = _read_part(reader, part_bytes)
    if len(data) < part_bytes:
        client.put_object(Bucket=storage.bucket_name, Key=key, Body=data, **params)
        return cleaned
    upload_id = client.create_multipart_upload(Bucket=storage.bucket_name, Key=key, **params)["UploadId"]
    target = {"Bucket": storage.bucket_name, "Key": key, "UploadId": upload_id}
    try:
        parts = []
        while data:
            answer = client.upload_part(**target, PartNumber=len(parts) + 1, Body=data)
            parts.append({"ETag": answer["ETag"], "PartNumber": len(parts) + 1})
            data = _read_part(reader, part_bytes)
        client.complete_multipart_upload(**target, MultipartUpload={"Parts": parts})
    except BaseException:
        try:
            client.abort_multipart_upload(**target)
        except STORAGE_ERRORS as exc:
            # Left for the next attempt (abort_incomplete_uploads) or the bucket's lifecycle rule.
            logger.warning("could not abort the upload of %s: %s", key, type(exc).__name__)
        raise
    return cleaned


class ObjectStream:
    """A read-only file over an S3 object's body, read in chunks (FileResponse streams it)."""

    def __init__(self, body, size: int) -> None:
        self._body = body
        self.size = size

    def read(self, amount: int = -1) -> bytes:
        return self._body.read(None if amount is None or amount < 0 else amount)

    def close(self) -> None:
        self._body.close()


def open_stream(storage, name: str):
    """Open ``name`` for a download: a chunked reader with ``size``. Raises FileNotFoundError for
    a missing object and ``StorageUnavailable`` when the storage can't be read."""
    try:
        if not is_object_store(storage) or not hasattr(storage, "bucket_name"):
            return storage.open(name, "rb")
        from storages.utils import clean_name

        key = storage._normalize_name(clean_name(name))
        answer = storage.connection.meta.client.get_object(Bucket=storage.bucket_name, Key=key)
        return ObjectStream(answer["Body"], answer["ContentLength"])
    except STORAGE_ERRORS as exc:
        if is_missing(exc):
            raise FileNotFoundError(name) from exc
        logger.warning("storage read of %s failed: %s", name, exc)
        raise StorageUnavailable(f"The file can't be read now: {storage_problem(exc)}.") from exc


def exists_or_unavailable(storage, name: str) -> bool:
    try:
        return storage.exists(name)
    except STORAGE_ERRORS as exc:
        raise StorageUnavailable(f"The file can't be read now: {storage_problem(exc)}.") from exc


def abort_incomplete_uploads(storage, prefix: str) -> int:
    """Abort the multipart uploads under ``prefix`` that a killed writer left open (S3 only;
    they are invisible but hold storage until aborted). Returns how many were aborted."""
    if not is_object_store(storage) or not hasattr(storage, "bucket_name"):
        return 0
    from storages.utils import clean_name

    client = storage.connection.meta.client
    key_prefix = storage._normalize_name(clean_name(prefix))
    answer = client.list_multipart_uploads(Bucket=storage.bucket_name, Prefix=key_prefix)
    uploads = answer.get("Uploads", [])
    for upload in uploads:
        client.abort_multipart_upload(Bucket=storage.bucket_name, Key=upload["Key"], UploadId=upload["UploadId"])
    return len(uploads)
