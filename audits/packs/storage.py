"""Writing a streamed pack into Django storage so that a half-written ZIP is never offered.

The ZIP is written under a ``.part`` name that no job points to; only when the last byte is
stored is it moved to its final name, and only after that does the caller mark the job done
and record the name. A worker that dies mid-way leaves at most an orphaned ``.part`` file,
never a downloadable pack.

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

from .zipbuild import CHUNK

IN_FLIGHT = 4
_END = object()


class _Aborted(Exception):
    """The stream failed: the writer stops and its part is removed."""


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


def _local_path(storage, name: str) -> str | None:
    try:
        return storage.path(name)
    except NotImplementedError:
        return None


def _queued(pipe: queue.Queue, outcome: dict) -> Iterator[bytes]:
    while (item := pipe.get()) not in (_END, _Aborted):
        yield item
    outcome["ended"] = True  # the producer has stopped: nothing more will be put
    if item is _Aborted:
        raise _Aborted()


def _write_part(storage, part_name: str, final_name: str, pipe: queue.Queue, outcome: dict) -> None:
    reader = io.BufferedReader(IteratorReader(_queued(pipe, outcome)), buffer_size=CHUNK)
    try:
        outcome["part"] = storage.save(part_name, _StreamFile(reader, name=os.path.basename(final_name)))
        outcome["size"] = reader.raw.size
    except BaseException as exc:  # handed to the caller's thread, which raises it
        outcome["error"] = exc
        while not outcome.get("ended") and pipe.get() not in (_END, _Aborted):
            pass  # keep the producer unblocked until it stops


def _stream_into(storage, part_name: str, final_name: str, chunks: Iterator[bytes]) -> tuple[str, int]:
    pipe: queue.Queue = queue.Queue(maxsize=IN_FLIGHT)
    outcome: dict = {}
    writer = threading.Thread(
        target=_write_part, args=(storage, part_name, final_name, pipe, outcome), name="pack-store", daemon=True
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
    return outcome["part"], outcome["size"]


def pack_store(*, storage, final_name: str, chunks: Iterator[bytes]) -> tuple[str, int]:
    """Store the stream under ``final_name`` (returns the name actually used and the size)."""
    part_name = f"{final_name}.{uuid.uuid4().hex}.part"
    try:
        part, size = _stream_into(storage, part_name, final_name, chunks)
    except BaseException:
        # A failed build removes its part; a killed worker's part is unreferenced and harmless.
        if storage.exists(part_name):
            storage.delete(part_name)
        raise
    local = _local_path(storage, part)
    if local is not None:
        # Same folder, same disk: an atomic rename, nothing copied.
        final = storage.get_available_name(final_name)
        os.replace(local, storage.path(final))
        return final, size
    # Object stores have no rename: copy, then drop the part (an upload is invisible until done).
    with storage.open(part, "rb") as fh:
        final = storage.save(final_name, fh)
    storage.delete(part)
    return final, size
