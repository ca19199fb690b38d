"""Handoff tickets: one not-closed ticket per conversation, open → answered → closed.

A ticket is committed before any method returns it: the shopper is told its number only after
it exists (store-policy §7, nothing is lost). What was said lives in the message record
(helpdesk_messages), under the ticket's conversation id.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Optional

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection

from .db import Database
from .messages import Message, insert_message
from .schema import MAX_ID, messages
from .schema import tickets as table

OPEN, ANSWERED, CLOSED = "open", "answered", "closed"


class TicketNotFound(LookupError):
    pass


class TicketClosed(ValueError):
    pass


@dataclass(frozen=True)
class Ticket:
    id: int
    number: str            # 工单号 told to the shopper, e.g. 20261125-0007
    conversation_id: str
    status: str
    reasons: list
    facts: dict
    created_at: dt.datetime
    due_at: dt.datetime
    updated_at: dt.datetime

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.status == OPEN and self.due_at < now


def _from_row(row, zone: dt.tzinfo) -> Ticket:
    return Ticket(id=row.id, number=f"{row.day}-{row.seq:04d}", conversation_id=row.conversation_id,
                  status=row.status, reasons=list(row.reasons), facts=dict(row.facts),
                  created_at=row.created_at.astimezone(zone), due_at=row.due_at.astimezone(zone),
                  updated_at=row.updated_at.astimezone(zone))


def _aware(*values: dt.datetime) -> None:
    if any(v.tzinfo is None for v in values):
        raise ValueError("datetimes must be timezone-aware")


def _load(conn: Connection, ticket_id: int):
    in_range = 0 < ticket_id <= MAX_ID   # a larger id would overflow in SQL instead of matching nothing
    row = conn.execute(select(table).where(table.c.id == ticket_id)).first() if in_range else None
    if row is None:
        raise TicketNotFound(f"no ticket with id {ticket_id}")
    return row


class TicketStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def open_or_append(self, conversation_id: str, reason: str, facts: dict,
                       now: dt.datetime, due: dt.datetime) -> tuple[Ticket, bool]:
        """Open a ticket, or add to the conversation's not-closed one: the reason joins its
        reasons, facts merge, an answered ticket opens again with the new due time.
        Returns (ticket, created)."""
        _aware(now, due)
        with self._db.write(serialized=True) as conn:
            current = conn.execute(select(table).where(table.c.conversation_id == conversation_id,
                                                       table.c.status != CLOSED)).first()
            if current is None:
                ticket_id = self._insert(conn, conversation_id, reason, facts, now, due)
            else:
                ticket_id = current.id
                self._append(conn, current, reason, facts, now, due)
            ticket = _from_row(_load(conn, ticket_id), self._db.zone)
        return ticket, current is None

    def _insert(self, conn, conversation_id, reason, facts, now, due) -> int:
        day = now.astimezone(self._db.zone).strftime("%Y%m%d")
        last = conn.execute(select(func.max(table.c.seq)).where(table.c.day == day)).scalar()
        result = conn.execute(table.insert().values(
            day=day, seq=(last or 0) + 1, conversation_id=conversation_id, status=OPEN,
            reasons=[reason], facts=dict(facts), created_at=now, due_at=due, updated_at=now))
        return result.inserted_primary_key[0]

    @staticmethod
    def _append(conn, current, reason, facts, now, due) -> None:
        # Reasons are kept once each, in the order first seen: a shopper who writes five times
        # while the bot is down has one reason, not five.
        reasons = list(current.reasons) + ([reason] if reason not in current.reasons else [])
        merged = {**current.facts, **{k: v for k, v in facts.items() if v not in (None, "")}}
        values = dict(reasons=reasons, facts=merged, updated_at=now)
        if current.status == ANSWERED:
            values.update(status=OPEN, due_at=due)
        conn.execute(update(table).where(table.c.id == current.id).values(**values))

    def get(self, ticket_id: int) -> Ticket:
        with self._db.read() as conn:
            return _from_row(_load(conn, ticket_id), self._db.zone)

    def active_for(self, conversation_id: str) -> Optional[Ticket]:
        with self._db.read() as conn:
            row = conn.execute(select(table).where(table.c.conversation_id == conversation_id,
                                                   table.c.status != CLOSED)).first()
            return _from_row(row, self._db.zone) if row else None

    def list_active(self) -> list[Ticket]:
        """Not-closed tickets, the one due first on top."""
        with self._db.read() as conn:
            rows = conn.execute(select(table).where(table.c.status != CLOSED)
                                .order_by(table.c.due_at, table.c.id))
            return [_from_row(r, self._db.zone) for r in rows]

    def count_active(self) -> dict[str, int]:
        """Not-closed tickets per status ({"open": n, "answered": m}): one count on the status index,
        cheap enough for every metrics scrape."""
        with self._db.read() as conn:
            rows = conn.execute(select(table.c.status, func.count()).where(table.c.status != CLOSED)
                                .group_by(table.c.status))
            return {OPEN: 0, ANSWERED: 0, **{status: count for status, count in rows}}

    def answer(self, ticket_id: int, agent: str, text: str, now: dt.datetime) -> Message:
        """Store an agent's reply on the ticket and in the conversation's messages (flagged for
        syncing into Rasa's history) in one transaction; the ticket becomes answered."""
        _aware(now)
        if not text.strip():
            raise ValueError("an answer needs text")
        with self._db.write(serialized=True) as conn:
            row = _load(conn, ticket_id)
            if row.status == CLOSED:
                raise TicketClosed(f"ticket {row.day}-{row.seq:04d} is closed")
            conn.execute(update(table).where(table.c.id == ticket_id).values(status=ANSWERED, updated_at=now))
            return insert_message(conn, row.conversation_id, "agent", text, now=now, zone=self._db.zone,
                                  author=agent, pending_sync=True)

    def timings(self, since: dt.datetime) -> list[TicketTiming]:
        return ticket_timings(self._db, since)

    def close(self, ticket_id: int, now: dt.datetime) -> Ticket:
        _aware(now)
        with self._db.write(serialized=True) as conn:
            row = _load(conn, ticket_id)
            if row.status != CLOSED:
                conn.execute(update(table).where(table.c.id == ticket_id).values(status=CLOSED, updated_at=now))
            ticket = _from_row(_load(conn, ticket_id), self._db.zone)
        return ticket

    # -- personal data: retention and forgetting (ops/) -----------------------------------------
    def kept_for_work(self, conversation_ids: Iterable[str], since: dt.datetime) -> set[str]:
        """Those of `conversation_ids` an agent may still need: a ticket not closed yet, or one
        changed at or after `since`. The retention purge leaves them alone."""
        ids = list(conversation_ids)
        with self._db.read() as conn:
            return {row.conversation_id for row in conn.execute(
                select(table.c.conversation_id).distinct().where(
                    table.c.conversation_id.in_(ids), (table.c.status != CLOSED) | (table.c.updated_at >= since)))}

    def delete_conversation(self, conversation_id: str) -> list[str]:
        """Deletes every ticket of the conversation, open or not; returns their numbers."""
        with self._db.write(serialized=True) as conn:
            rows = conn.execute(select(table.c.id, table.c.day, table.c.seq)
                                .where(table.c.conversation_id == conversation_id)).all()
            conn.execute(delete(table).where(table.c.id.in_([row.id for row in rows])))
        return [f"{row.day}-{row.seq:04d}" for row in rows]


@dataclass(frozen=True)
class TicketTiming:
    """When a ticket was opened, when a reply was due, and when an agent first answered (None:
    not yet). For the owner's dashboard."""
    created_at: dt.datetime
    due_at: dt.datetime
    first_reply_at: Optional[dt.datetime]

    def late(self, now: dt.datetime) -> bool:
        return (self.first_reply_at or now) > self.due_at


def ticket_timings(db: Database, since: dt.datetime) -> list[TicketTiming]:
    """Tickets opened since `since`, oldest first, each with its first agent reply."""
    _aware(since)
    first_reply = (select(func.min(messages.c.created_at))
                   .where(messages.c.conversation_id == table.c.conversation_id,
                          messages.c.sender == "agent", messages.c.created_at >= table.c.created_at)
                   .scalar_subquery())
    query = (select(table.c.created_at, table.c.due_at, first_reply.label("first_reply"))
             .where(table.c.created_at >= since).order_by(table.c.created_at))
    with db.read() as conn:
        rows = conn.execute(query).all()
    zone = db.zone
    # A scalar subquery loses the column's type on some dialects: SQLite hands back a string.
    return [TicketTiming(r.created_at.astimezone(zone), r.due_at.astimezone(zone),
                         _as_time(r.first_reply, zone)) for r in rows]


def _as_time(value, zone: dt.tzinfo) -> Optional[dt.datetime]:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(zone)
