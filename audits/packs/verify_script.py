#!/usr/bin/env python3
"""Check an extracted evidence pack against its manifest.json (Python 3 standard library only).

Usage: python3 verify.py [FOLDER]   (FOLDER defaults to the folder this script is in)

Prints OK when every file listed in manifest.json is present with its size and SHA-256 and no
other file was added; otherwise prints one line per changed, missing or added file and exits 1.
This file is copied into every evidence pack as verify.py.
"""

import hashlib
import json
import os
import sys

# Files that describe the pack and are not listed in the manifest themselves.
PACK_FILES = {"manifest.json", "SHA256SUMS"}


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def files_under(root):
    found = set()
    for folder, _dirs, names in os.walk(root):
        for name in names:
            relative = os.path.relpath(os.path.join(folder, name), root)
            found.add(relative.replace(os.sep, "/"))
    return found


def check(root):
    with open(os.path.join(root, "manifest.json"), encoding="utf-8") as fh:
        manifest = json.load(fh)
    problems = []
    listed = set()
    for entry in manifest["files"]:
        path = entry["path"]
        listed.add(path)
        full = os.path.join(root, *path.split("/"))
        if not os.path.isfile(full):
            problems.append(f"MISSING  {path}")
        elif os.path.getsize(full) != entry["size"] or sha256_of(full) != entry["sha256"]:
            problems.append(f"CHANGED  {path}")
    for path in sorted(files_under(root) - listed - PACK_FILES):
        problems.append(f"ADDED    {path}")
    return manifest, problems


def main(argv):
    root = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    try:
        manifest, problems = check(root)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"FAILED   cannot read manifest.json: {exc}")
        return 2
    audit = manifest.get("audit", {})
    print(f"Evidence pack of {audit.get('reference', '?')}, exported {manifest.get('exported_at', '?')}")
    if problems:
        for line in problems:
            print(line)
        print(f"FAILED   {len(problems)} problem(s)")
        return 1
    print(f"OK       {len(manifest['files'])} files match manifest.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
