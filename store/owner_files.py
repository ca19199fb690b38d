"""Saving an owner's file (store.yml, replies.yml) from the owner console: read it with its
comments (ruamel.yaml round trip), know its version, and replace it atomically only if nobody
changed it since the form was loaded.

The file stays the one an owner edits by hand: the same layout, quotes and comments after a save.
The check of what is saved is the callers' (settings_file.py, answers_file.py): both validate the
new text with `load_store`, exactly as `make check-config` and every process do.
"""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import tempfile
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .errors import ConfigError, StoreError
from .loader import load_store


class EditInvalid(StoreError):
    """The owner's values cannot be saved. `errors` maps each form field to a Chinese message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


class EditConflict(StoreError):
    """The file changed since the form was loaded: nothing was written. `changes` says, in Chinese,
    what the other change did; `attempted`, what the owner's refused save would have changed."""

    def __init__(self, current_text: str, changes: list[str] | None = None,
                 attempted: list[str] | None = None) -> None:
        super().__init__("the file changed since the form was loaded")
        self.current_text = current_text
        self.current_version = file_version(current_text)
        self.changes = list(changes or [])
        self.attempted = list(attempted or [])   # what the refused save would have changed


@dataclass(frozen=True)
class SavedEdit:
    """What a save wrote (or, with no changes, found already there)."""
    text: str
    version: str
    changes: list[str] = field(default_factory=list)
    previous: str = ""       # the text it replaced (the same as `text` when nothing changed)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def file_version(text: str) -> str:
    """The version a form carries: sha256 of the file's text (the helpdesk history keeps the same)."""
    return hashlib.sha256(text.encode("utf8")).hexdigest()


def read_text(path: Path) -> str:
    with open(path, encoding="utf8", newline="") as fh:
        return fh.read()


def round_trip_yaml() -> YAML:
    """A YAML reader/writer that gives back the shipped files byte for byte (tested)."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold an owner's long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    # Write null as `null` (ruamel's round trip would leave the value empty).
    yaml.representer.add_representer(
        type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null"))
    return yaml


def parse_round_trip(text: str) -> Any:
    return round_trip_yaml().load(text)


def dump_round_trip(document: Any) -> str:
    out = io.StringIO()
    round_trip_yaml().dump(document, out)
    return out.getvalue()


# ── changing a round-trip document in place ────────────────────────────────────────────────
def _plain(value: Any) -> Any:
    """A form value as YAML writes it: 20 not 20.0, lists for tuples."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def _comparable(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value)).normalize()
    if isinstance(value, (list, tuple)):
        return [_comparable(v) for v in value]
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    return str(value) if isinstance(value, str) else value  # a quoted string equals its text


def _flow(value: Any) -> Any:
    if isinstance(value, dict):
        node = CommentedMap(value)
        node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        node = CommentedSeq(value)
        node.fa.set_flow_style()
        return node
    return value


def put_value(node: CommentedMap, key: str, value: Any) -> None:
    """node[key] = value, leaving an unchanged value untouched and keeping a changed one's
    comments, flow style and quotes."""
    value = _plain(value)
    old = node.get(key)
    if key in node and _comparable(old) == _comparable(value):
        return
    if isinstance(old, CommentedSeq) and isinstance(value, list):
        replace_items(old, value)
        old.fa.set_flow_style()  # lists of values stay on one line, like [广东, 上海]
    elif isinstance(old, CommentedMap) and isinstance(value, dict):
        for inner in [k for k in old if k not in value]:
            del old[inner]
        for inner, item in value.items():
            put_value(old, inner, item)
    else:
        if isinstance(old, str) and isinstance(value, str) and type(old) is not str:
            value = type(old)(value)  # keep the owner's quotes
        node[key] = _flow(value)


def replace_items(seq: CommentedSeq, items: list) -> None:
    """Make `seq` hold `items`, keeping the sequence (and the comment after it)."""
    while seq:
        seq.pop()
    seq.extend(items)


def check_with_loader(config_dir: Path, name: str, text: str) -> None:
    """Load the store as every process would, with `text` as `name`: on a temporary copy of the
    configuration directory, so the live files are never touched. Raises ConfigError."""
    with tempfile.TemporaryDirectory(prefix="store_config_check_") as tmp:
        copy = Path(tmp)
        for path in config_dir.glob("*.yml"):
            shutil.copy2(path, copy / path.name)
        (copy / name).write_text(text, encoding="utf8")
        try:
            load_store(copy)
        except ConfigError as err:  # name the owner's file, not the temporary copy
            raise ConfigError(str(config_dir / Path(err.file).name), err.key, err.problem) from None


_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(path: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(path.resolve(), threading.Lock())


def replace_if_unchanged(path: Path, text: str, expected_version: str) -> None:
    """Write `text` to `path` atomically (a temporary file in the same directory, fsync,
    os.replace; the file's mode kept), only if the file is still at `expected_version`;
    else raise EditConflict with the current text. Saves from this process are serialised; a
    hand edit in the instant between the check and the replace is the one race left."""
    with _lock_for(path):
        current = read_text(path)
        if file_version(current) != expected_version:
            raise EditConflict(current)
        mode = stat.S_IMODE(os.stat(path).st_mode)
        # The name does not end in .yml: the store's reloader never sees the half-written file.
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".saving", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf8", newline="") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a crash
        finally:
            os.close(directory)
