"""A conversation's current session is read from Rasa's SQL tracker store by event id, not by time.

Rasa 3.6's `SQLTrackerStore._event_query` keeps the events whose *timestamp* is at or after the
last `session_started` event's. When the machine's wall clock is stepped back (NTP, a VM resumed,
an operator), every turn stamped after the step is older than the session start: it is saved, but
the next read leaves it out, and the count that decides what to save next leaves it out too. The
shopper who said 寄到乌鲁木齐 just after the step was then quoted for the province said before it
(measured with the real processes under libfaketime: scripts/faults/clock_jumps.py). Event ids
only grow, whatever the clock does, and Rasa itself orders the events by id; the session starts
at the last `session_started` event's id. The same query, on SQLite and PostgreSQL.

`SessionRows` is that session as SQLAlchemy Core statements built once, for the session cache
(tracker_cache.py), which asks for a session's stamp on every read and appends on every save:
Rasa's ORM query built, keyed and compiled its statement anew each time, 0.9 ms a query against
0.3 ms (a 40,000-event SQLite file), with three such queries per message.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.nlu.constants import INTENT_NAME_KEY


def _in_session(columns, sender_id):
    """The rows of the conversation's current session: from its last `session_started` by id
    (all of them before the first). `columns`: the ORM class or the table's columns."""
    mine = columns.sender_id == sender_id
    start = (sa.select(sa.func.max(columns.id))
             .where(mine, columns.type_name == SessionStarted.type_name).scalar_subquery())
    return sa.and_(mine, sa.or_(columns.id >= start, start.is_(None)))


def _event_query(self: SQLTrackerStore, session, sender_id: str, fetch_events_from_all_sessions: bool):
    """`SQLTrackerStore._event_query` with the session's start found by id."""
    events = self.SQLEvent
    where = events.sender_id == sender_id if fetch_events_from_all_sessions else _in_session(events, sender_id)
    return session.query(events).filter(where).order_by(events.id)


@dataclass(frozen=True)
class Stamp:
    """What identifies a session's rows: how many, and the last id."""
    count: int
    last_id: Optional[int]


class SessionRows:
    """The current session of one conversation in Rasa's `events` table, as `_event_query` defines
    it: statements for its stamp, its rows after an id, and appending events as Rasa's `save` does."""

    def __init__(self, table: sa.Table) -> None:
        in_session = _in_session(table.c, sa.bindparam("sender_id"))
        self._stamp = sa.select(sa.func.count(table.c.id), sa.func.max(table.c.id)).where(in_session)
        self._after = (sa.select(table.c.id, table.c.data)
                       .where(in_session, table.c.id > sa.bindparam("after_id")).order_by(table.c.id))
        self._insert = table.insert()

    def stamp(self, session, sender_id: str) -> Stamp:
        count, last_id = session.execute(self._stamp, {"sender_id": sender_id}).one()
        return Stamp(int(count), last_id)

    def after(self, session, sender_id: str, after_id: int = 0) -> list[tuple[int, str]]:
        """(id, data) of the session's rows after `after_id` (0: all of them), in id order."""
        return [tuple(row) for row in session.execute(self._after, {"sender_id": sender_id, "after_id": after_id})]

    def append(self, session, sender_id: str, events: Iterable[Event]) -> list[tuple[int, str]]:
        """Insert `events` with the columns Rasa's `SQLTrackerStore.save` writes; their (id, data)."""
        written = []
        for event in events:
            data = event.as_dict()
            row = {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
                   "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                   "action_name": data.get("name"), "data": json.dumps(data)}
            written.append((session.execute(self._insert, row).inserted_primary_key[0], row["data"]))
        return written


def install() -> None:
    """Before Rasa reads a conversation."""
    SQLTrackerStore._event_query = _event_query
