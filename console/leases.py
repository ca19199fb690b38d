"""A lease per conversation in the helpdesk database: which console instance does some work on a
conversation right now, when several instances share one database.

A lease is a row only one instance can hold at a time. Its holder extends it while it works and
deletes it when done; a holder that dies leaves the row behind, and once its time has run out
another instance may take it over (and knows it did: the work may have been left half-done).
The database is the arbiter, so this works across processes and machines on SQLite and
PostgreSQL alike. The tables are the helpdesk's (helpdesk/schema.py, made by its migrations).

Lease ends are wall-clock times (the only clock several machines share), so the clock can jump.
Forward: leases look run out early and may be taken over, but the holder's next extend fails
(the row names another holder) and it stores nothing. Backward: a lease would run for as long as
the jump; one ending more than `lease_seconds` past a whole lease from now cannot have been
written by a clock that agrees with ours, so it counts as run out (a dead holder's lease is never
stuck for longer than two lease times).
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from helpdesk import Database, lease_table


@dataclass(frozen=True)
class Claim:
    granted: bool
    taken_over: bool = False  # another holder's lease had run out: it died mid-way


class ConversationLeases:
    """Leases of one kind (one table), held by this instance under a random holder id."""

    def __init__(self, db: Database, table: str, lease_seconds: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.database, self.lease_seconds, self._clock = db, lease_seconds, clock
        self._table = t = lease_table(table)  # in the database since open_database migrated it
        self.holder = uuid.uuid4().hex
        # The per-message statements, built once (each one built per call was keyed anew for
        # SQLAlchemy's compiled cache: console CPU under `make soak`).
        mine = t.c.conversation_id == bindparam("conversation_id")
        self._read = select(t.c.holder, t.c.expires_at).where(mine)
        self._insert = insert(t)
        self._release = delete(t).where(mine, t.c.holder == self.holder)

    def now(self) -> float:
        return self._clock()

    def _latest_end(self, now: float) -> float:
        """The latest end a running lease can have: one lease from now, plus one lease of margin
        for clocks of other machines that run ahead."""
        return now + 2 * self.lease_seconds

    def _runs(self, expires_at: float, now: float) -> bool:
        return now <= expires_at <= self._latest_end(now)

    def take(self, conversation_id: str) -> Claim:
        """Take the lease (or extend ours). Refused while another holder's lease runs."""
        t, now = self._table, self._clock()
        values = {"holder": self.holder, "expires_at": now + self.lease_seconds}
        mine = t.c.conversation_id == conversation_id
        try:
            with self.database.write() as conn:
                row = conn.execute(self._read, {"conversation_id": conversation_id}).first()
                if row is None:
                    conn.execute(self._insert, {"conversation_id": conversation_id, **values})
                    return Claim(True)
                if row.holder != self.holder and self._runs(row.expires_at, now):
                    return Claim(False)
                ours = row.holder == self.holder
                # Guarded again in the update: on PostgreSQL another instance may take it meanwhile.
                ran_out = (t.c.expires_at < now) | (t.c.expires_at > self._latest_end(now))
                guard = t.c.holder == self.holder if ours else (t.c.holder == row.holder) & ran_out
                taken = bool(conn.execute(update(t).values(**values).where(mine, guard)).rowcount)
                return Claim(taken, taken_over=taken and not ours)
        except IntegrityError:  # PostgreSQL: another instance inserted the same lease first
            return Claim(False)

    def extend(self, conversation_id: str) -> bool:
        """Extend a lease this instance holds; False when it is no longer ours (it ran out and
        another instance took it, or took and released it)."""
        t = self._table
        with self.database.write() as conn:
            return bool(conn.execute(update(t).values(expires_at=self._clock() + self.lease_seconds).where(
                t.c.conversation_id == conversation_id, t.c.holder == self.holder)).rowcount)

    def release(self, conversation_id: str) -> None:
        with self.database.write() as conn:
            conn.execute(self._release, {"conversation_id": conversation_id})

    def held_by_another(self, conversation_id: str) -> bool:
        """Another holder's lease runs now (a read: cheap enough to poll)."""
        with self.database.read() as conn:
            row = conn.execute(self._read, {"conversation_id": conversation_id}).first()
        return row is not None and row.holder != self.holder and self._runs(row.expires_at, self._clock())
