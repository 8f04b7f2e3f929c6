"""Checking an uploaded ZIP against the manifest inside it, without extracting anything.

Entries are read as streams and hashed in chunks; nothing is written to disk, so a hostile name
(``../../etc/x``, an absolute path) can't land anywhere; it is only reported. The archive is
refused before reading when it has too many entries, declares too many bytes, or holds the same
name twice (an ambiguous archive); while reading, the bytes actually inflated are counted against
the limits (a zip bomb lies in its headers) and reading stops at the first overrun.
"""

import hashlib
import json
import zipfile
from dataclasses import dataclass, field

from django.conf import settings

from .zipbuild import CHUNK, MANIFEST, SUMS

MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_RATIO = 200  # inflated / compressed, per entry, beyond the first megabyte


class PackRejected(Exception):
    """The upload is not a ZIP we can check (not a ZIP, too big, a bomb, ambiguous)."""


@dataclass
class PackCheck:
    manifest_sha256: str = ""
    manifest: dict = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def intact(self) -> bool:
        return not (self.changed or self.missing or self.added)


def _limits() -> tuple[int, int]:
    return settings.QMS_PACK_VERIFY_MAX_ENTRIES, settings.QMS_PACK_VERIFY_MAX_BYTES


def _unsafe(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":") or "\x00" in name


class _Budget:
    def __init__(self, total: int) -> None:
        self.left = total

    def read(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str, int]:
        digest = hashlib.sha256()
        size = 0
        allowed = MAX_RATIO * info.compress_size + CHUNK
        with archive.open(info) as fh:
            while chunk := fh.read(CHUNK):
                size += len(chunk)
                self.left -= len(chunk)
                if self.left < 0:
                    raise PackRejected("The archive inflates beyond the size limit.")
                if size > allowed:
                    raise PackRejected(f"{info.filename!r} inflates far beyond its compressed size (a zip bomb?).")
                digest.update(chunk)
        return digest.hexdigest(), size


def _expected_sums(listed: dict, manifest_sha: str) -> bytes:
    lines = [f"{f.get('sha256')}  {path}\n" for path, f in listed.items()] + [f"{manifest_sha}  {MANIFEST}\n"]
    return "".join(lines).encode("utf-8")


def pack_check(fileobj) -> PackCheck:
    """Compare every entry of the ZIP in ``fileobj`` (seekable) with its manifest.json."""
    max_entries, max_bytes = _limits()
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise PackRejected("The file is not a ZIP archive.") from exc
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > max_entries:
            raise PackRejected(f"The archive has more than {max_entries} files.")
        if sum(i.file_size for i in infos) > max_bytes:
            raise PackRejected("The archive is larger than the size limit.")
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            raise PackRejected("The archive holds the same file name twice (ambiguous).")
        by_name = {i.filename: i for i in infos}
        manifest_info = by_name.get(MANIFEST)
        if manifest_info is None:
            raise PackRejected("The archive has no manifest.json: it is not an evidence pack.")
        if manifest_info.file_size > MAX_MANIFEST_BYTES:
            raise PackRejected("manifest.json is too large.")
        budget = _Budget(max_bytes)
        try:
            raw = archive.read(manifest_info)
            manifest = json.loads(raw)
            listed = {f["path"]: f for f in manifest["files"]}
        except (ValueError, KeyError, TypeError, RecursionError, zipfile.BadZipFile) as exc:
            raise PackRejected("manifest.json can't be read.") from exc
        result = PackCheck(manifest_sha256=hashlib.sha256(raw).hexdigest(), manifest=manifest)
        for path, expected in listed.items():
            info = by_name.get(path)
            if info is None:
                result.missing.append(str(path))
                continue
            try:
                sha, size = budget.read(archive, info)
            except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError):
                result.changed.append(path)  # a corrupt entry is a changed one (bad CRC, truncated)
                continue
            result.checked += 1
            if sha != expected.get("sha256") or size != expected.get("size"):
                result.changed.append(path)
        sums = by_name.get(SUMS)
        if sums is None:
            result.missing.append(SUMS)
        elif sums.file_size > MAX_MANIFEST_BYTES or archive.read(sums) != _expected_sums(
            listed, result.manifest_sha256
        ):
            result.changed.append(SUMS)
        for name in names:
            if name not in listed and name not in (MANIFEST, SUMS):
                result.added.append(name + (" (unsafe path)" if _unsafe(name) else ""))
    return result
