"""The record of what was said: every shopper, bot, agent and system message of a conversation,
with an increasing id, so a client that reconnects asks for what came after the last id it saw
and misses nothing. Tickets refer to their conversation here; there is no second copy."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Optional

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from .db import Database
from .schema import SENDERS
from .schema import messages as table


@dataclass(frozen=True)
class Message:
    id: int
    conversation_id: str
    sender: str
    text: str
    buttons: Optional[list]
    client_msg_id: Optional[str]   # the writer's key: the browser's message id, or an imported turn's key
    author: Optional[str]
    pending_sync: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class Turn:
    """A message kept elsewhere first (Rasa's tracker), to be recorded here once: `key` is unique
    within its conversation and says where it came from."""
    sender: str
    text: str
    time: dt.datetime
    key: str


# Built once: a statement made per call was keyed for SQLAlchemy's compiled cache on every call,
# a fifth of the console's CPU per shopper message (py-spy under `make soak`).
_INSERT = table.insert()
_BY_ID = select(table).where(table.c.id == bindparam("id"))
_BY_CLIENT_MSG_ID = select(table).where(table.c.conversation_id == bindparam("conversation_id"),
                                        table.c.client_msg_id == bindparam("client_msg_id"))


def _from_row(row, zone: dt.tzinfo) -> Message:
    return Message(id=row.id, conversation_id=row.conversation_id, sender=row.sender,
                   text=row.text, buttons=row.buttons, client_msg_id=row.client_msg_id,
                   author=row.author, pending_sync=bool(row.pending_sync),
                   created_at=row.created_at.astimezone(zone))


def _find(conn: Connection, conversation_id: str, client_msg_id: str, zone: dt.tzinfo) -> Optional[Message]:
    row = conn.execute(_BY_CLIENT_MSG_ID, {"conversation_id": conversation_id,
                                           "client_msg_id": client_msg_id}).first()
    return _from_row(row, zone) if row else None


def insert_message(conn: Connection, conversation_id: str, sender: str, text: str, *,
                   now: dt.datetime, zone: dt.tzinfo, buttons: Optional[list] = None,
                   client_msg_id: Optional[str] = None, author: Optional[str] = None,
                   pending_sync: bool = False) -> Message:
    """Insert inside the caller's transaction (tickets use it to store an agent reply)."""
    if sender not in SENDERS:
        raise ValueError(f"sender must be one of {SENDERS}, got {sender!r}")
    result = conn.execute(_INSERT, {
        "conversation_id": conversation_id, "sender": sender, "text": text, "buttons": buttons or None,
        "client_msg_id": client_msg_id, "author": author, "pending_sync": pending_sync, "created_at": now})
    row = conn.execute(_BY_ID, {"id": result.inserted_primary_key[0]}).one()
    return _from_row(row, zone)


class MessageStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, conversation_id: str, sender: str, text: str, buttons: Optional[list] = None,
               client_msg_id: Optional[str] = None, *, now: dt.datetime,
               author: Optional[str] = None) -> tuple[Message, bool]:
        """Store a message once per (conversation, client_msg_id): a resend returns the stored
        message and False, so the caller does not forward it to the bot twice."""
        zone = self._db.zone
        for attempt in range(3):
            try:
                with self._db.write() as conn:
                    if client_msg_id is not None:
                        existing = _find(conn, conversation_id, client_msg_id, zone)
                        if existing:
                            return existing, False
                    return insert_message(conn, conversation_id, sender, text, now=now, zone=zone,
                                          buttons=buttons, client_msg_id=client_msg_id, author=author), True
            except IntegrityError:  # PostgreSQL: the same resend raced us; read it on the next pass
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def append(self, conversation_id: str, sender: str, text: str, buttons: Optional[list] = None,
               client_msg_id: Optional[str] = None, *, now: dt.datetime) -> Message:
        return self.record(conversation_id, sender, text, buttons, client_msg_id, now=now)[0]

    def import_turns(self, conversation_id: str, turns: Iterable[Turn]) -> int:
        """Record the turns this store does not hold yet (by key), oldest first, in one
        transaction. Returns how many were new."""
        added = 0
        with self._db.write() as conn:
            known = {r.client_msg_id for r in conn.execute(
                select(table.c.client_msg_id).where(table.c.conversation_id == conversation_id))}
            for turn in sorted(turns, key=lambda t: t.time):
                if turn.key in known:
                    continue
                insert_message(conn, conversation_id, turn.sender, turn.text, now=turn.time,
                               zone=self._db.zone, client_msg_id=turn.key)
                known.add(turn.key)
                added += 1
        return added

    def since(self, conversation_id: str, after_id: int = 0, limit: Optional[int] = None) -> list[Message]:
        query = (select(table).where(table.c.conversation_id == conversation_id, table.c.id > after_id)
                 .order_by(table.c.id))
        if limit is not None:
            query = query.limit(limit)
        with self._db.read() as conn:
            return [_from_row(r, self._db.zone) for r in conn.execute(query)]

    def before(self, conversation_id: str, before_id: int, limit: int, after_id: int = 0) -> list[Message]:
        """The `limit` messages just before `before_id` (and after `after_id`), oldest first:
        scrolling back through a long conversation, one query on the (conversation_id, id) index."""
        query = (select(table).where(table.c.conversation_id == conversation_id, table.c.id < before_id,
                                     table.c.id > after_id)
                 .order_by(table.c.id.desc()).limit(limit))
        with self._db.read() as conn:
            return [_from_row(r, self._db.zone) for r in reversed(conn.execute(query).fetchall())]

    def unanswered(self, conversation_id: str, since: dt.datetime) -> list[Message]:
        """The shopper's messages after the conversation's last bot, agent or system message,
        written at or after `since`, oldest first: what nobody has answered yet. One query on
        the conversation's index."""
        last_answer = (select(func.max(table.c.id))
                       .where(table.c.conversation_id == conversation_id, table.c.sender != "shopper")
                       .scalar_subquery())
        query = (select(table).where(table.c.conversation_id == conversation_id, table.c.sender == "shopper",
                                     table.c.id > func.coalesce(last_answer, 0), table.c.created_at >= since)
                 .order_by(table.c.id))
        with self._db.read() as conn:
            return [_from_row(r, self._db.zone) for r in conn.execute(query)]

    def pending_sync(self) -> list[Message]:
        """Agent replies not yet written into Rasa's conversation history, oldest first."""
        with self._db.read() as conn:
            rows = conn.execute(select(table).where(table.c.pending_sync.is_(True)).order_by(table.c.id))
            return [_from_row(r, self._db.zone) for r in rows]

    def mark_synced(self, message_id: int) -> None:
        with self._db.write() as conn:
            conn.execute(update(table).where(table.c.id == message_id).values(pending_sync=False))

    # -- personal data: retention and forgetting (ops/) -----------------------------------------
    def stale_conversations(self, before: dt.datetime, after: str = "", limit: int = 500) -> list[str]:
        """Conversation ids (sorted, those after `after`) whose newest message is older than
        `before`: a page of the retention purge's candidates."""
        query = (select(table.c.conversation_id).where(table.c.conversation_id > after)
                 .group_by(table.c.conversation_id).having(func.max(table.c.created_at) < before)
                 .order_by(table.c.conversation_id).limit(limit))
        with self._db.read() as conn:
            return [row.conversation_id for row in conn.execute(query)]

    def active_since(self, conversation_ids: Iterable[str], since: dt.datetime) -> set[str]:
        """Those of `conversation_ids` with a message at or after `since`."""
        ids = list(conversation_ids)
        with self._db.read() as conn:
            return {row.conversation_id for row in conn.execute(
                select(table.c.conversation_id).distinct().where(table.c.conversation_id.in_(ids),
                                                                 table.c.created_at >= since))}

    def delete_conversation(self, conversation_id: str) -> int:
        """Deletes every message of the conversation; returns how many there were."""
        with self._db.write() as conn:
            return conn.execute(delete(table).where(table.c.conversation_id == conversation_id)).rowcount
