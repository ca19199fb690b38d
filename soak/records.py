"""What the servers recorded, read straight from the run's own SQLite files (read-only): the
helpdesk's messages table and Rasa's tracker events. The soak owns these scratch files, so plain
sqlite3 is enough; nothing here goes through the application's code paths it is checking."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

MESSAGE_ID_KEY = "helpdesk_message_id"   # what the console puts in each message's metadata (console/chat/rasa_turns.py)


@dataclass
class Conversation:
    """One conversation's record: questions by client_msg_id, bot message ids; and from the
    tracker the record ids Rasa was asked about, in order, with the bot's texts after each."""
    client_msg_ids: list = field(default_factory=list)
    shopper_ids: list = field(default_factory=list)
    bot_ids: list = field(default_factory=list)
    system_ids: list = field(default_factory=list)
    tracker_order: list = field(default_factory=list)
    tracker_replies: dict = field(default_factory=dict)


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)


def read_conversations(helpdesk_db: Path, tracker_db: Path, client_msg_id_prefix: str) -> dict[str, Conversation]:
    """{conversation id: Conversation} for the conversations whose questions carry the prefix."""
    found: dict[str, Conversation] = {}
    with _read_only(helpdesk_db) as db:
        owners = {row[0] for row in db.execute(
            "SELECT DISTINCT conversation_id FROM helpdesk_messages WHERE client_msg_id LIKE ?", (client_msg_id_prefix + "%",))}
        for conversation_id, message_id, sender, client_msg_id in db.execute(
                "SELECT conversation_id, id, sender, client_msg_id FROM helpdesk_messages ORDER BY id"):
            if conversation_id not in owners:
                continue
            record = found.setdefault(conversation_id, Conversation())
            if sender == "shopper":
                record.client_msg_ids.append(client_msg_id)
                record.shopper_ids.append(message_id)
            elif sender == "bot":
                record.bot_ids.append(message_id)
            elif sender == "system":
                record.system_ids.append(message_id)
    with _read_only(tracker_db) as db:
        current: dict[str, int] = {}
        for sender_id, type_name, data in db.execute(
                "SELECT sender_id, type_name, data FROM events WHERE type_name IN ('user', 'bot') ORDER BY id"):
            record = found.get(sender_id)
            if record is None:
                continue
            event = json.loads(data)
            metadata = event.get("metadata") if isinstance(event.get("metadata"), dict) else {}
            if type_name == "user":
                message_id = metadata.get(MESSAGE_ID_KEY)
                current[sender_id] = message_id
                if message_id is not None:   # not a question of the console's (e.g. Rasa's first-answer probe)
                    record.tracker_order.append(message_id)
                    record.tracker_replies.setdefault(message_id, [])
            elif not metadata.get("agent") and current.get(sender_id) is not None:
                text = event.get("text")
                buttons = (event.get("data") or {}).get("buttons")
                if isinstance(text, str) and text.strip() or buttons:   # what the console shows (bot_replies)
                    record.tracker_replies[current[sender_id]].append(text if isinstance(text, str) else "")
    return found


def file_sizes_mb(*paths: Path) -> dict[str, float]:
    """Each database file with its write-ahead log and shared memory, in MB."""
    sizes = {}
    for path in paths:
        total = sum(p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())
        sizes[path.name] = total / 1e6
    return sizes
