"""Safe, unique entry names for files inside an evidence pack.

A ZIP entry name comes from user input (an attachment's original name, a document number), and
the pack is extracted on Windows, macOS and Linux by tools that trust those names. So a name
keeps no path part (``../x`` and ``a/../../b`` lose their folders), no control or invisible
format character (NUL, newlines, right-to-left overrides that disguise an extension), none of the
characters Windows refuses, no leading dot (a hidden file) or trailing dot/space (Windows drops
them), no Windows device name (``CON``, ``NUL.txt``...), and at most ``MAX_NAME_BYTES`` bytes of
UTF-8. Letters of any script are kept as they are (NFC), so ``Prüfbericht.pdf`` stays readable.
Two names that would land on the same file on a case-insensitive disk are made unique with a
`` (2)`` suffix before the extension.
"""

import re
import unicodedata

MAX_NAME_BYTES = 120
WINDOWS_FORBIDDEN = set('<>:"|?*')
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in "123456789¹²³"}
_SPACES = re.compile(r"\s+")


def _clean_char(char: str) -> str:
    if char in WINDOWS_FORBIDDEN:
        return "_"
    # Cc: control characters (NUL, newline, DEL...); Cf: invisible format characters such as the
    # right-to-left override; Cs/Co/Cn: surrogates, private use, unassigned; Zl/Zp: line breaks.
    if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        return "_"
    return char


def _truncate(text: str, max_bytes: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", errors="ignore")


def split_extension(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > 10 or not ext.isalnum():
        return name, ""
    return stem, "." + ext


def safe_entry_name(name: str, *, default: str = "file", max_bytes: int = MAX_NAME_BYTES) -> str:
    """One path component that is safe to create on any common file system."""
    name = unicodedata.normalize("NFC", name or "")
    # Keep only the last path component, whichever separator was used.
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(_clean_char(c) for c in name)
    name = _SPACES.sub(" ", name).strip(" .")
    if not name or set(name) <= {"_", " ", "."}:
        name = default
    stem, ext = split_extension(name)
    if stem.split(".")[0].strip().upper() in WINDOWS_RESERVED:
        stem = "_" + stem
    ext = _truncate(ext, 11)
    stem = _truncate(stem, max_bytes - len(ext.encode("utf-8"))).rstrip(" .") or default
    return stem + ext


class UniqueNames:
    """Hands out entry names that differ even on a case-insensitive file system."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def _key(self, path: str) -> str:
        return unicodedata.normalize("NFC", path).casefold()

    def reserve(self, path: str) -> None:
        """Mark a fixed name (``index.html``, ``manifest.json``) as taken."""
        self._taken.add(self._key(path))

    def claim(self, folder: str, name: str) -> str:
        """A safe, unique ``folder/name`` path for ``name`` (``folder`` is ours, e.g. ``evidence``)."""
        safe = safe_entry_name(name)
        stem, ext = split_extension(safe)
        prefix = f"{folder.strip('/')}/" if folder else ""
        candidate = prefix + safe
        counter = 1
        while self._key(candidate) in self._taken:
            counter += 1
            candidate = f"{prefix}{stem} ({counter}){ext}"
        self._taken.add(self._key(candidate))
        return candidate
