"""The models/ directory and its two pointers, written only by promote and rollback.

    models/candidates/<name>.tar.gz   trained, not (yet) live (written by the retrain job)
    models/kept/<name>.tar.gz         every model that was ever live; never deleted here
    models/live.tar.gz  -> kept/...   what Rasa loads at start (`rasa run --model models/live.tar.gz`)
    models/previous.tar.gz -> kept/.. the one before, for rollback

Names are fingerprinted, `YYYYMMDD-HHMMSS-<first 8 hex of the file's sha256>` (China time), so
a name always means one file. Pointers are relative symlinks, replaced atomically (a new link
under a temporary name, then os.replace), so a reader never sees a half-written pointer.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from store import china_now

ROOT = Path(__file__).resolve().parents[1]
MODELS_DIR = ROOT / "models"
SUFFIX = ".tar.gz"
NAME_PATTERN = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{8}$")


class ShelfError(RuntimeError):
    """A pointer or model file is missing, dangling or not a kept model; the message says which
    and what to do (in Chinese: owners read it on the models page and the command line)."""


def model_name(path: Path) -> str:
    """`models/kept/20261130-101500-1a2b3c4d.tar.gz` → `20261130-101500-1a2b3c4d`."""
    name = Path(path).name
    return name[: -len(SUFFIX)] if name.endswith(SUFFIX) else Path(path).stem


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprinted_name(path: Path, when: Optional[dt.datetime] = None) -> str:
    """The name a model file gets on the shelf: its time (China time) and the start of its sha256."""
    when = when or china_now()
    return f"{when:%Y%m%d-%H%M%S}-{sha256_of(path)[:8]}"


_model_ids: dict[tuple, str] = {}


def model_id_of(path: Path) -> str:
    """The `model_id` Rasa writes into a model's metadata.json and reports in `GET /status`:
    the fingerprint that tells which model a running server has loaded. Read from the archive
    (no Rasa import); cached per file version since the archive is decompressed to reach it."""
    real = Path(path).resolve()
    try:
        stat = real.stat()
    except FileNotFoundError:
        raise ShelfError(f"模型文件不存在：{path}")
    key = (str(real), stat.st_size, stat.st_mtime_ns)
    if key not in _model_ids:
        try:
            with tarfile.open(real, "r:gz") as archive:
                for member in archive:
                    if member.name.lstrip("/") == "metadata.json":
                        _model_ids[key] = json.load(archive.extractfile(member))["model_id"]
                        break
                else:
                    raise ShelfError(f"{real.name} 不是 Rasa 模型（没有 metadata.json）")
        except (tarfile.TarError, OSError, ValueError, KeyError) as err:
            raise ShelfError(f"{real.name} 不是可读的 Rasa 模型：{err}")
    return _model_ids[key]


@dataclass(frozen=True)
class Pointers:
    """Where live and previous point (kept model paths, or None when not set)."""
    live: Optional[Path]
    previous: Optional[Path]


class ModelShelf:
    def __init__(self, models_dir: Path = MODELS_DIR) -> None:
        self.dir = Path(models_dir)
        self.kept_dir = self.dir / "kept"
        self.candidates_dir = self.dir / "candidates"
        self.live_link = self.dir / f"live{SUFFIX}"
        self.previous_link = self.dir / f"previous{SUFFIX}"

    # --- reading ---------------------------------------------------------------------------
    def live(self) -> Optional[Path]:
        """The live kept model, or None before the first promotion. ShelfError when the pointer
        is dangling or points outside models/kept/ (someone replaced it by hand)."""
        return self._read(self.live_link, "上线模型")

    def previous(self) -> Optional[Path]:
        return self._read(self.previous_link, "上一个模型")

    def pointers(self) -> Pointers:
        return Pointers(self.live(), self.previous())

    def _read(self, link: Path, label: str) -> Optional[Path]:
        if not link.is_symlink():
            if link.exists():
                raise ShelfError(f"{label}指针 {link} 是普通文件，不是指向 models/kept/ 的链接；"
                                 f"请把它移走，再用 make promote 上线一个模型")
            return None
        target = (link.parent / os.readlink(link)).resolve()
        if not target.is_file():
            raise ShelfError(f"{label}指针 {link.name} 指向的 {target} 不存在（文件被删除了？）；"
                             f"请用 make promote 重新上线一个模型")
        if target.parent != self.kept_dir.resolve():
            raise ShelfError(f"{label}指针 {link.name} 指向 {target}，不在 {self.kept_dir} 里；"
                             f"只有 make promote / make rollback 可以改它")
        return target

    def candidates(self) -> list[Path]:
        """Candidate model files, newest first."""
        if not self.candidates_dir.is_dir():
            return []
        files = [p for p in self.candidates_dir.glob(f"*{SUFFIX}") if p.is_file()]
        return sorted(files, key=lambda p: (p.stat().st_mtime, p.name), reverse=True)

    def kept(self) -> list[Path]:
        if not self.kept_dir.is_dir():
            return []
        return sorted(self.kept_dir.glob(f"*{SUFFIX}"), key=lambda p: p.name, reverse=True)

    def find(self, name_or_path: str) -> Path:
        """A candidate or kept model by name (`20261130-101500-1a2b3c4d`) or by path."""
        path = Path(name_or_path)
        if path.is_file():
            return path
        for folder in (self.candidates_dir, self.kept_dir):
            found = folder / f"{model_name(path)}{SUFFIX}"
            if found.is_file():
                return found
        raise ShelfError(f"找不到模型 {name_or_path}（在 {self.candidates_dir} 和 {self.kept_dir} 里都没有）")

    # --- writing (promote and rollback only) -------------------------------------------------
    def keep(self, candidate: Path) -> Path:
        """Puts a model on the shelf under its fingerprinted name (a candidate keeps its name when
        it already is one) and returns the kept path. A hard link when possible: no 50 MB copy."""
        candidate = Path(candidate).resolve()
        if not candidate.is_file():
            raise ShelfError(f"模型文件不存在：{candidate}")
        if candidate.parent == self.kept_dir.resolve():
            return candidate
        name = model_name(candidate)
        digest = sha256_of(candidate)
        if not (NAME_PATTERN.match(name) and name.endswith(digest[:8])):
            name = f"{china_now():%Y%m%d-%H%M%S}-{digest[:8]}"
        kept = self.kept_dir / f"{name}{SUFFIX}"
        if kept.exists():
            if sha256_of(kept) != digest:
                raise ShelfError(f"models/kept/ 里已有同名但内容不同的 {kept.name}；请检查 models/kept/")
            return kept
        self.kept_dir.mkdir(parents=True, exist_ok=True)
        partial = kept.with_name(f".{kept.name}.partial")
        try:
            os.link(candidate, partial)
        except OSError:
            shutil.copy2(candidate, partial)
        os.replace(partial, kept)
        return kept

    def set_live(self, kept: Path) -> Pointers:
        """Live → `kept`, previous → the old live. Returns the pointers as they were before, for
        `restore` when the running server refuses the model."""
        kept = self._check_kept(kept)
        before = self.pointers()
        if before.live == kept:
            raise ShelfError(f"{model_name(kept)} 已经是上线模型")
        self.restore(Pointers(live=kept, previous=before.live or before.previous))
        return before

    def swap_with_previous(self) -> Pointers:
        """Rollback: live and previous change places. Returns the pointers as they were before."""
        before = self.pointers()
        if before.previous is None:
            raise ShelfError("没有上一个模型，无法回滚")
        if before.live is None:
            raise ShelfError("还没有上线模型，无法回滚")
        self.restore(Pointers(live=before.previous, previous=before.live))
        return before

    def restore(self, pointers: Pointers) -> None:
        """Writes both pointers (None removes one). Previous first: if writing live fails, live
        still names a model that was live before."""
        self._write(self.previous_link, pointers.previous)
        self._write(self.live_link, pointers.live)

    def _check_kept(self, kept: Path) -> Path:
        kept = Path(kept).resolve()
        if kept.parent != self.kept_dir.resolve() or not kept.is_file():
            raise ShelfError(f"{kept} 不是 models/kept/ 里的模型：先用 keep() 放上架")
        return kept

    def _write(self, link: Path, target: Optional[Path]) -> None:
        if target is None:
            if link.is_symlink():
                link.unlink()
            return
        target = self._check_kept(target)
        self.dir.mkdir(parents=True, exist_ok=True)
        temporary = link.with_name(f".{link.name}.{os.getpid()}.new")
        if temporary.is_symlink() or temporary.exists():
            temporary.unlink()
        os.symlink(os.path.relpath(target, link.parent), temporary)
        os.replace(temporary, link)
