"""`make backup`: one timestamped archive of a running installation — both databases (SQLite
online backup or pg_dump), the live and previous models with their pointers, the owner's
labelled examples and store_config/, and (flagged, restorable) the generated secrets.

The archive holds conversations, tickets and secrets: it is written with mode 600 under a
temporary name and renamed when complete, so a half-written backup never looks like one. It is a
plain tar whose database copies are gzipped inside: the models are gzip archives already, and
compressing them again cost the serving machine seconds of CPU for nothing."""
from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil
import socket
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from store import china_now
from tuning import ModelShelf, ShelfError, model_id_of, model_name

from .archive import FORMAT, MANIFEST, entry
from .databases import copy_sqlite, counts, dump_postgres
from .site import Site

SECRETS_NOTE = ("secrets included (tokens, console secret, first-run passwords): keep this archive as "
                "secret as .run/; `python -m ops restore --no-secrets` leaves the current ones in place")


@dataclass(frozen=True)
class BackupResult:
    archive: Path
    manifest: dict


def _stage_databases(site: Site, staging: Path) -> tuple[list[dict], dict]:
    files, databases = [], {}
    for database in site.databases:
        if database.is_sqlite:
            member = f"databases/{database.name}.sqlite"
            copy = staging / member
            copy.parent.mkdir(parents=True, exist_ok=True)
            if database.path.exists():
                copy_sqlite(database.path, copy)
            else:                       # nothing stored yet (a fresh installation): an empty database
                sqlite3.connect(str(copy)).close()
            figures = counts(database.name, f"sqlite:///{copy}")   # of the copy: the same snapshot
            member, copy, engine = member + ".gz", _gzipped(copy), "sqlite"
        else:
            member = f"databases/{database.name}.pgdump"
            copy = staging / member
            copy.parent.mkdir(parents=True, exist_ok=True)
            figures = counts(database.name, database.url)          # pg_dump's snapshot is its own
            dump_postgres(database.url, copy)
            engine = "postgresql"
        files.append(entry(member, copy, "database", str(database.home(site.root))))
        databases[database.name] = {"engine": engine, "member": member, **figures}
    return files, databases


def _models(site: Site) -> tuple[list[tuple[str, Path]], list[dict], dict]:
    shelf = ModelShelf(site.models_dir)
    members, files, models = [], [], {}
    for role, read in (("live", shelf.live), ("previous", shelf.previous)):
        try:
            path = read()
        except ShelfError as err:     # a broken pointer must not cost the conversations' backup
            models[role] = {"error": str(err)}
            continue
        if path is None:
            continue
        member = f"models/kept/{path.name}"
        if member not in {m for m, _ in members}:
            members.append((member, path))
            files.append(entry(member, path, "model", f"models/kept/{path.name}"))
        models[role] = {"name": model_name(path), "member": member, "model_id": model_id_of(path),
                        "sha256": next(f["sha256"] for f in files if f["member"] == member)}
    return members, files, models


def _gzipped(path: Path) -> Path:
    target = path.with_name(path.name + ".gz")
    with open(path, "rb") as source, gzip.open(target, "wb", compresslevel=6) as out:
        shutil.copyfileobj(source, out, 1 << 20)
    path.unlink()
    return target


def make_backup(site: Site, backup_dir: Path, with_secrets: bool = True,
                now: Optional[dt.datetime] = None) -> BackupResult:
    now = now or china_now()
    backup_dir.mkdir(parents=True, exist_ok=True)
    archive = backup_dir / f"store-{now:%Y%m%d-%H%M%S}.tar"
    with tempfile.TemporaryDirectory(dir=backup_dir, prefix=".staging-") as tmp:
        staging = Path(tmp)
        files, databases = _stage_databases(site, staging)
        members = [(f["member"], staging / f["member"]) for f in files]
        model_members, model_files, models = _models(site)
        members += model_members
        files += model_files
        for relative, kind in ([(p, "owner_file") for p in site.owner_files()]
                               + [(p, "secret") for p in (site.secret_files() if with_secrets else [])]):
            member = f"{'secrets' if kind == 'secret' else 'files'}/{relative.as_posix()}"
            copy = staging / member            # a copy: the owner may save a file meanwhile
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(site.root / relative, copy)
            members.append((member, copy))
            files.append(entry(member, copy, kind, relative.as_posix()))
        manifest = {
            "format": FORMAT, "created_at": now.isoformat(), "host": socket.gethostname(),
            "source_root": str(site.root), "databases": databases, "models": models,
            "secrets": {"included": with_secrets, "note": SECRETS_NOTE if with_secrets else "not included"},
            "files": files,
        }
        manifest_path = staging / MANIFEST
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf8")
        partial = backup_dir / f".{archive.name}.partial"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
                tar.add(manifest_path, MANIFEST)
                for member, path in members:
                    tar.add(path, member)
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, archive)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupResult(archive, manifest)
