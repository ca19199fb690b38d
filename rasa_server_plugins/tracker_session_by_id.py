"""A conversation's current session is read from Rasa's SQL tracker store by event id, not by time.

Rasa 3.6's `SQLTrackerStore._event_query` keeps the events whose *timestamp* is at or after the
last `session_started` event's. When the machine's wall clock is stepped back (NTP, a VM resumed,
an operator), every turn stamped after the step is older than the session start: it is saved, but
the next read leaves it out, and the count that decides what to save next leaves it out too. The
shopper who said 寄到乌鲁木齐 just after the step was then quoted for the province said before it
(measured with the real processes under libfaketime: scripts/faults/clock_jumps.py). Event ids
only grow, whatever the clock does, and Rasa itself orders the events by id; the session starts
at the last `session_started` event's id. The same query, on SQLite and PostgreSQL.
"""
from __future__ import annotations

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted


def _event_query(self: SQLTrackerStore, session, sender_id: str, fetch_events_from_all_sessions: bool):
    """`SQLTrackerStore._event_query` with the session's start found by id."""
    events = self.SQLEvent
    query = session.query(events).filter(events.sender_id == sender_id)
    if not fetch_events_from_all_sessions:
        session_start = (session.query(sa.func.max(events.id))
                         .filter(events.sender_id == sender_id, events.type_name == SessionStarted.type_name)
                         .scalar_subquery())
        query = query.filter(sa.or_(events.id >= session_start, session_start.is_(None)))
    return query.order_by(events.id)


def install() -> None:
    """Before Rasa reads a conversation."""
    SQLTrackerStore._event_query = _event_query
