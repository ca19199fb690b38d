"""The backup archive's layout and its manifest: one tar whose first member,
manifest.json, lists every other member with its size and sha256, where it goes back to, and the
figures a restore prints (row counts, models' fingerprints)."""
from __future__ import annotations

import hashlib
import json
import tarfile
from pathlib import Path, PurePosixPath

MANIFEST = "manifest.json"
FORMAT = 1


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def entry(member: str, source: Path, kind: str, restore_to: str) -> dict:
    """A manifest line for one member: kind is database | model | owner_file | secret."""
    return {"member": member, "kind": kind, "restore_to": restore_to,
            "size": source.stat().st_size, "sha256": sha256_of(source)}


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive, "r:*") as tar:
        handle = tar.extractfile(MANIFEST)
        if handle is None:
            raise ValueError(f"{archive} has no {MANIFEST}: not a store backup")
        manifest = json.load(handle)
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{archive}: backup format {manifest.get('format')} is not {FORMAT}")
    return manifest


def safe_member(name: str) -> str:
    """A member or restore path must stay inside its directory (no absolute path, no ..)."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"unsafe path in the backup: {name!r}")
    return str(path)
