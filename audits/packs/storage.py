"""Writing a streamed pack into Django storage so that a half-written ZIP is never offered.

The ZIP is written under a ``.part`` name that no job points to; only when the last byte is
stored is it moved to its final name, and only after that does the caller mark the job done
and record the name. A worker that dies mid-way leaves at most an orphaned ``.part`` file,
never a downloadable pack.
"""

import io
import os
import uuid
from collections.abc import Iterator

from django.core.files import File


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
        chunk_size = chunk_size or 1024 * 1024
        while data := self.file.read(chunk_size):
            yield data


def _local_path(storage, name: str) -> str | None:
    try:
        return storage.path(name)
    except NotImplementedError:
        return None


def pack_store(*, storage, final_name: str, chunks: Iterator[bytes]) -> tuple[str, int]:
    """Store the stream under ``final_name`` (returns the name actually used and the size)."""
    reader = io.BufferedReader(IteratorReader(chunks), buffer_size=1024 * 1024)
    raw = reader.raw
    part_name = f"{final_name}.{uuid.uuid4().hex}.part"
    try:
        part = storage.save(part_name, _StreamFile(reader, name=os.path.basename(final_name)))
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
        return final, raw.size
    # Object stores have no rename: copy, then drop the part (an upload is invisible until done).
    with storage.open(part, "rb") as fh:
        final = storage.save(final_name, fh)
    storage.delete(part)
    return final, raw.size
