"""Writing a streamed pack into Django storage so that a half-written ZIP is never offered.

On local disk the ZIP is written under a ``.part`` name that no job points to; only when the
last byte is stored is it renamed to its final name. In an object store (S3) it is streamed
straight to its final key as a multipart upload: the object exists only once the upload
completes, and a failed upload is aborted. Either way memory stays flat (the ZIP is read from
the generator in 1 MiB pieces and sent in 8 MiB parts), and only after that does the caller mark
the job done and record the name. A worker that dies mid-way leaves at most an orphaned
``.part`` file or an incomplete multipart upload (removed by the next attempt), never a
downloadable pack.
"""

import io
import os
import uuid
from collections.abc import Iterator

from django.core.files import File

from core.exceptions import StorageUnavailable
from core.storage import file_store, is_object_store, object_store_stream


class IteratorReader(io.RawIOBase):
    """A read-only file over a chunk iterator: storages read it in pieces (constant memory)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""
        self.size = 0
        self.error: BaseException | None = None  # what the stream itself raised, if anything

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
            except BaseException as exc:
                self.error = exc
                raise
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        self.size += count
        return count


class _StreamFile(File):
    """Django's ``File`` seeks to 0 before ``chunks()`` when it can: this stream can't."""

    def seekable(self) -> bool:  # pragma: no cover - trivial
        return False

    def chunks(self, chunk_size=None):
        chunk_size = chunk_size or 1024 * 1024
        while data := self.file.read(chunk_size):
            yield data


def pack_store(*, storage, final_name: str, chunks: Iterator[bytes]) -> tuple[str, int]:
    """Store the stream under ``final_name`` (returns the name actually used and the size).

    A storage error (disk full, bucket unreachable) removes what was written and raises
    ``StorageUnavailable``; an error of the stream itself is raised as it is, after the same
    cleanup."""
    reader = io.BufferedReader(IteratorReader(chunks), buffer_size=1024 * 1024)
    raw = reader.raw
    content = _StreamFile(reader, name=os.path.basename(final_name))
    try:
        if is_object_store(storage):
            # No rename in an object store, and none needed: a multipart upload is invisible
            # until it completes, and it is aborted when the stream or a part fails.
            def save(target, _content):
                return object_store_stream(storage, target, reader)

            return file_store(storage, final_name, content, what="The evidence pack", save=save), raw.size
        part = file_store(storage, f"{final_name}.{uuid.uuid4().hex}.part", content, what="The evidence pack")
    except StorageUnavailable:
        if raw.error is not None:
            # Reading a source file failed (an OSError that looks like a storage write error).
            raise raw.error from None
        raise
    # Same folder, same disk: an atomic rename, nothing copied.
    final = storage.get_available_name(final_name)
    os.replace(storage.path(part), storage.path(final))
    return final, raw.size
