"""`make restore BACKUP=…`: an archive back into this installation (or into RESTORE_DIR).

Order: read the manifest, extract every listed member into a staging directory, check each
size and sha256 (nothing is touched when one differs), refuse while a process still uses a
database it would replace, then put databases, models (and their pointers), the owner's files
and, unless told not to, the secrets in place, and count what the restored databases hold."""
from __future__ import annotations

import gzip
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from sqlalchemy.engine import make_url

from tuning import ModelShelf, Pointers

from .archive import read_manifest, safe_member, sha256_of
from .databases import check_not_in_use, counts, replace_sqlite, restore_postgres
from .site import Site, StoredDatabase


class ChecksumMismatch(RuntimeError):
    pass


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict
    counts: dict              # database name → figures counted after the restore
    restored: list            # paths (or database URLs) written
    skipped: list             # members left out, with why


def _extract(archive: Path, manifest: dict, staging: Path) -> None:
    wanted = {safe_member(f["member"]): f for f in manifest["files"]}
    with tarfile.open(archive, "r:*") as tar:
        for member in tar:
            if member.name not in wanted:
                continue
            if not member.isfile():
                raise ValueError(f"{member.name} in the backup is not a regular file")
            target = staging / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
    bad = []
    for name, line in wanted.items():
        path = staging / name
        if not path.is_file():
            bad.append(f"{name}: missing")
        elif path.stat().st_size != line["size"] or sha256_of(path) != line["sha256"]:
            bad.append(f"{name}: checksum differs")
    if bad:
        raise ChecksumMismatch("the backup is damaged, nothing was restored: " + "; ".join(bad))


def _database_target(site: Site, database: StoredDatabase, into: Optional[Path], line: dict,
                     override: Optional[str]) -> Optional[str]:
    """The URL a database is restored to: an explicit one, else a SQLite file under `into`, else
    this installation's own database. A PostgreSQL dump restored "into a directory" has no
    database to go to unless one is named: it is left in the directory."""
    if override:
        return override
    if into is None:
        return database.url
    if line["member"].startswith(f"databases/{database.name}.sqlite"):
        return f"sqlite:///{(into / line['restore_to']).resolve()}"
    return None


def restore_backup(archive: Path, site: Site, into: Optional[Path] = None, with_secrets: bool = True,
                   database_urls: Optional[dict] = None) -> RestoreResult:
    manifest = read_manifest(archive)
    root = (into or site.root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    lines = {f["member"]: f for f in manifest["files"]}
    restored, skipped, figures = [], [], {}
    with tempfile.TemporaryDirectory(dir=root, prefix=".restore-") as tmp:
        staging = Path(tmp)
        _extract(archive, manifest, staging)

        targets = {}
        for database in site.databases:
            info = manifest["databases"].get(database.name)
            if info is None:
                continue
            url = _database_target(site, database, into, lines[info["member"]],
                                   (database_urls or {}).get(database.name))
            if url is None:
                keep = root / "restored-dumps" / Path(info["member"]).name
                keep.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(staging / info["member"], keep)
                skipped.append(f"{database.name}: PostgreSQL dump left in {keep} (pg_restore it into a database)")
                continue
            check_not_in_use(database, url)     # every database checked before any is replaced
            targets[database.name] = (url, info)
        for name, (url, info) in targets.items():
            if info["engine"] == "sqlite":
                if not url.startswith("sqlite"):
                    raise ValueError(f"the {name} backup is a SQLite file; restore it to a SQLite URL, not {url}")
                replace_sqlite(_gunzipped(staging / info["member"]), Path(url.split("sqlite:///", 1)[1]))
            else:
                restore_postgres(staging / info["member"], url)
            restored.append(f"{name} database → {_shown(url)}")
            figures[name] = counts(name, url)

        shelf = ModelShelf(root / "models")
        for line in manifest["files"]:
            if line["kind"] == "database":
                continue
            if line["kind"] == "secret" and not with_secrets:
                skipped.append(f"{line['restore_to']}: secret, left as it is (--no-secrets)")
                continue
            target = root / safe_member(line["restore_to"])
            target.parent.mkdir(parents=True, exist_ok=True)
            if line["kind"] == "model" and target.is_file() and sha256_of(target) == line["sha256"]:
                continue                          # kept models never change: already there
            os.replace(staging / line["member"], target)
            if line["kind"] == "secret":
                os.chmod(target, 0o600)
            restored.append(line["restore_to"] + (" (secret, mode 600)" if line["kind"] == "secret" else ""))
        kept = {role: shelf.kept_dir / Path(info["member"]).name
                for role, info in manifest["models"].items() if "member" in info}
        if kept:
            shelf.restore(Pointers(kept.get("live"), kept.get("previous")))
            restored.append("model pointers: " + ", ".join(f"{r} → {p.name}" for r, p in kept.items()))
    return RestoreResult(manifest, figures, restored, skipped)


def _gunzipped(path: Path) -> Path:
    if path.suffix != ".gz":
        return path
    target = path.with_suffix("")
    with gzip.open(path, "rb") as source, open(target, "wb") as out:
        shutil.copyfileobj(source, out, 1 << 20)
    return target


def _shown(url: str) -> str:
    """A URL without its password, for printing."""
    return make_url(url).render_as_string(hide_password=True)
