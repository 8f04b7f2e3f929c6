"""Writing a streamed pack into Django storage so that a half-written ZIP is never offered.

On local disk the ZIP is written under a ``.part`` name that no job points to; only when the
last byte is stored is it renamed to its final name. In an object store (S3) it is streamed
straight to its final key as a multipart upload: the object exists only once the upload
completes, and a failed upload is aborted. Only after that does the caller mark the job done and
record the name. A worker that dies mid-way leaves at most an orphaned ``.part`` file or an
incomplete multipart upload (removed by the next attempt), never a downloadable pack.

The storage writes in a thread of its own while the caller's thread produces the stream (reads
the attachments, hashes them, builds the ZIP): the disk (or the upload) and the reading overlap,
as two processes in a shell pipe would. At most ``IN_FLIGHT`` chunks wait between the two, so
memory stays bounded. The stream is produced in the caller's thread (it reads the database);
the writer thread touches only the storage.
"""

import io
import os
import queue
import threading
import uuid
from collections.abc import Iterator

from django.core.files import File

from core.storage import file_store, is_object_store, object_store_stream

from .zipbuild import CHUNK

IN_FLIGHT = 4
_END = object()


class _Aborted(Exception):
    """The stream failed: the writer stops and what it wrote is removed."""


class IteratorReader(io.RawIOBase):
    """A read-only file over a chunk iterator: storages read it in pieces (constant memory)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
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
        chunk_size = chunk_size or CHUNK
        while data := self.file.read(chunk_size):
            yield data


def _queued(pipe: queue.Queue, outcome: dict) -> Iterator[bytes]:
    while (item := pipe.get()) not in (_END, _Aborted):
        yield item
    outcome["ended"] = True  # the producer has stopped: nothing more will be put
    if item is _Aborted:
        raise _Aborted()


def _write(storage, target: str, final_name: str, pipe: queue.Queue, outcome: dict) -> None:
    reader = io.BufferedReader(IteratorReader(_queued(pipe, outcome)), buffer_size=CHUNK)
    content = _StreamFile(reader, name=os.path.basename(final_name))
    try:
        if is_object_store(storage):
            # No rename in an object store, and none needed: a multipart upload is invisible
            # until it completes, and it is aborted when the stream or a part fails.
            def save(name, _content):
                return object_store_stream(storage, name, reader)

            outcome["name"] = file_store(storage, target, content, what="The evidence pack", save=save)
        else:
            outcome["name"] = file_store(storage, target, content, what="The evidence pack")
        outcome["size"] = reader.raw.size
    except BaseException as exc:  # handed to the caller's thread, which raises it
        outcome["error"] = exc
        while not outcome.get("ended") and pipe.get() not in (_END, _Aborted):
            pass  # keep the producer unblocked until it stops


def _stream_into(storage, target: str, final_name: str, chunks: Iterator[bytes]) -> tuple[str, int]:
    pipe: queue.Queue = queue.Queue(maxsize=IN_FLIGHT)
    outcome: dict = {}
    writer = threading.Thread(
        target=_write, args=(storage, target, final_name, pipe, outcome), name="pack-store", daemon=True
    )
    writer.start()
    try:
        for chunk in chunks:
            if "error" in outcome:
                break
            pipe.put(chunk)
    except BaseException:
        pipe.put(_Aborted)
        raise
    else:
        pipe.put(_END)
    finally:
        writer.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["name"], outcome["size"]


def pack_store(*, storage, final_name: str, chunks: Iterator[bytes]) -> tuple[str, int]:
    """Store the stream under ``final_name`` (returns the name actually used and the size).

    A storage error (disk full, bucket unreachable) removes what was written and raises
    ``StorageUnavailable``; an error of the stream itself is raised as it is, after the same
    cleanup."""
    if is_object_store(storage):
        return _stream_into(storage, final_name, final_name, chunks)
    part_name = f"{final_name}.{uuid.uuid4().hex}.part"
    try:
        part, size = _stream_into(storage, part_name, final_name, chunks)
    except BaseException:
        # A failed build removes its part; a killed worker's part is unreferenced and harmless.
        if storage.exists(part_name):
            storage.delete(part_name)
        raise
    # Same folder, same disk: an atomic rename, nothing copied.
    final = storage.get_available_name(final_name)
    os.replace(storage.path(part), storage.path(final))
    return final, size
