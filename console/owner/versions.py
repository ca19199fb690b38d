"""Saved versions of the owner's files (store.yml, replies.yml) for the settings and answers
pages: recording a save in the helpdesk history (who, when, what changed), the history table, and
carrying the text a form was loaded with (so a refused save can say what the other change was).

The saving itself is `store`'s (StoreSettingsFile, AnswersFile); the record is
`helpdesk.ConfigHistory`'s. Called from worker threads (asyncio.to_thread)."""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Optional

from helpdesk import ConfigVersion
from store import SavedEdit, file_version

HISTORY_SHOWN = 50
# Recorded before the first save through the console, so that version can be restored too.
BEFORE_FIRST_SAVE_AUTHOR = "（网页保存之前）"
BEFORE_FIRST_SAVE = "网页保存之前文件里的内容（手工编辑或初始版本）"


def encode_base(text: str) -> str:
    """The loaded text as a hidden form field (base64: the browser returns it byte for byte)."""
    return base64.b64encode(text.encode("utf8")).decode("ascii")


def decode_base(value: Optional[str]) -> Optional[str]:
    try:
        return base64.b64decode((value or "").encode("ascii"), validate=True).decode("utf8") if value else None
    except (binascii.Error, UnicodeError, ValueError):
        return None


def posted_base(form) -> tuple[str, Optional[str]]:
    """The version a form was loaded with, and its text when the form carried that text intact
    (else None: a refused save can then only say that the file changed)."""
    version = form.get("version") or ""
    base_text = decode_base(form.get("base"))
    return version, (base_text if base_text is not None and file_version(base_text) == version else None)


def record_save(owner, file: str, saved: SavedEdit, author: str) -> Optional[int]:
    """Record a save in the history (nothing when nothing changed); the text it replaced too,
    when the history does not hold that version yet. Returns the new version's id."""
    if not saved.changed:
        return None
    now = owner.clock()
    latest = owner.config_history.list(file, limit=1)
    if not latest or latest[0].sha256 != file_version(saved.previous):
        owner.config_history.record(file, saved.previous, BEFORE_FIRST_SAVE_AUTHOR, [BEFORE_FIRST_SAVE], now)
    version_id = owner.config_history.record(file, saved.text, author, saved.changes, now)
    owner.store()  # reload the console's live store now (the action server reloads on its next message)
    return version_id


def restore_version(owner, file: str, editor, version_id: int, version: str, base_text: Optional[str],
                    author: str) -> Optional[int]:
    """Put back a recorded version of `file` through `editor.restore` (the same checks as a save)
    and record it as a new version. LookupError: no such version of this file."""
    old = owner.config_history.get(version_id)
    if old is None or old.file != file:
        raise LookupError(version_id)
    return record_save(owner, file, editor.restore(old.text, version, base_text=base_text), author)


def saved_version(owner, file: str, version_id: Optional[str]) -> Optional[ConfigVersion]:
    """The version a `?saved=<id>` redirect points at, if it is one of `file`'s."""
    if not version_id or not version_id.isdigit():
        return None
    version = owner.config_history.get(int(version_id))
    return version if version is not None and version.file == file else None


@dataclass(frozen=True)
class HistoryRow:
    version: ConfigVersion
    current: bool        # the file holds this text now


def history(owner, file: str, current_text: str) -> list[HistoryRow]:
    current = file_version(current_text)
    return [HistoryRow(v, v.sha256 == current) for v in owner.config_history.list(file, limit=HISTORY_SHOWN)]
