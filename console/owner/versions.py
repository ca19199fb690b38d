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
