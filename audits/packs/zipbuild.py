"""The streaming pack writer: zipstream-ng, constant memory, every entry hashed as it streams.

Entries are queued (bytes, a chunk iterator, or a file in Django storage) and nothing is read
until the stream is iterated. Each entry's bytes pass through a SHA-256 and a byte counter on
their way into the ZIP, so a file is read exactly once. When every queued entry has been
written, ``verify.py``, ``manifest.json`` (every other file's path, size and SHA-256) and
``SHA256SUMS`` (``sha256sum -c`` format, covering the manifest too) are appended and the central
directory closes the archive.
"""

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from zipstream import ZIP_DEFLATED, ZIP_STORED, ZipStream

from .names import UniqueNames

CHUNK = 256 * 1024  # small: the chunks in flight (storage.IN_FLIGHT) and each read stay small
# Already compressed: deflating them again costs time and saves nothing.
STORED_EXTENSIONS = {
    "pdf",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "mp4",
    "mov",
    "docx",
    "xlsx",
    "pptx",
    "zip",
    "gz",
}
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
VERIFY = "verify.py"
VERIFY_SOURCE = Path(__file__).with_name("verify_script.py")


@dataclass
class Entry:
    path: str
    size: int = 0
    sha256: str = ""
    done: bool = False


def compression_for(path: str) -> dict:
    extension = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    if extension in STORED_EXTENSIONS:
        return {"compress_type": ZIP_STORED}
    return {"compress_type": ZIP_DEFLATED, "compress_level": 6}


class SourceMissing(Exception):
    """A file the pack must hold is missing from storage: the build fails, naming it."""


def storage_chunks(storage, name: str, path: str = "") -> Iterator[bytes]:
    """Read a stored file in chunks, opening it only when the stream reaches it."""
    try:
        fh = storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise SourceMissing(f"{path or name} is missing from the file storage") from exc
    with fh:
        while chunk := fh.read(CHUNK):
            yield chunk


class PackWriter:
    def __init__(self, *, on_entry: Callable[[Entry], None] | None = None) -> None:
        self._zip = ZipStream(compress_type=ZIP_STORED)
        self.names = UniqueNames()
        for fixed in (MANIFEST, SUMS, VERIFY):
            self.names.reserve(fixed)
        self.entries: list[Entry] = []
        self._on_entry = on_entry

    def _hashed(self, entry: Entry, chunks: Iterable[bytes]) -> Iterator[bytes]:
        digest = hashlib.sha256()
        for chunk in chunks:
            digest.update(chunk)
            entry.size += len(chunk)
            yield chunk
        entry.sha256 = digest.hexdigest()
        entry.done = True
        if self._on_entry:
            self._on_entry(entry)

    def _queue(self, path: str, chunks: Iterable[bytes], size: int | None) -> Entry:
        entry = Entry(path=path)
        self.entries.append(entry)
        # An empty file still needs an iterable that yields once for zipstream to write it.
        self._zip.add(self._hashed(entry, chunks), path, size=size, **compression_for(path))
        return entry

    def add_bytes(self, path: str, data: bytes) -> Entry:
        """``path`` must be ours (fixed folder + a name from ``self.names``)."""
        return self._queue(path, [data], len(data))

    def add_chunks(self, path: str, chunks: Iterable[bytes], size: int | None = None) -> Entry:
        return self._queue(path, chunks, size)

    def add_storage_file(self, path: str, storage, name: str, size: int | None = None) -> Entry:
        return self._queue(path, storage_chunks(storage, name, path), size)

    @property
    def queued(self) -> int:
        return len(self.entries)

    def stream(self, meta: dict, on_manifest: Callable[[bytes, str], None] | None = None) -> Iterator[bytes]:
        """Yield the whole ZIP. ``meta`` goes into manifest.json beside the file list;
        ``on_manifest(manifest_bytes, manifest_sha256)`` is called once the manifest is known."""
        yield from self._zip.all_files()
        self._queue(VERIFY, [VERIFY_SOURCE.read_bytes()], None)
        yield from self._zip.all_files()
        files = [{"path": e.path, "size": e.size, "sha256": e.sha256} for e in self.entries]
        manifest = json.dumps({**meta, "files": files}, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
        manifest_sha = hashlib.sha256(manifest).hexdigest()
        if on_manifest:
            on_manifest(manifest, manifest_sha)
        self._queue(MANIFEST, [manifest], len(manifest))
        sums = "".join(f"{e.sha256}  {e.path}\n" for e in self.entries if e.done)
        sums += f"{manifest_sha}  {MANIFEST}\n"
        self._zip.add(sums.encode("utf-8"), SUMS, **compression_for(SUMS))
        yield from self._zip.finalize()
