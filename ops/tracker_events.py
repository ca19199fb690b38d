"""Rasa's record of conversations (the `events` table of its SQLTrackerStore), for retention and
forgetting: which conversations went quiet before a time, what a shopper wrote, and deleting a
conversation's events. SQLAlchemy Core on Rasa's table, as tuning.TrackerReader reads it: no Rasa
import. Short transactions: Rasa writes to the same table meanwhile."""
from __future__ import annotations

import datetime as dt
import json
from typing import Iterable

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, delete, func, inspect, select
from sqlalchemy.engine import make_url

_meta = MetaData()
events = Table(   # rasa/core/tracker_store.py: SQLTrackerStore.SQLEvent (sender_id is indexed)
    "events", _meta,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("data", Text),
)


class TrackerEvents:
    def __init__(self, url: str) -> None:
        sqlite = make_url(url).get_backend_name() == "sqlite"
        # hide_parameters: a failed statement's error must not print what shoppers wrote
        self._engine = create_engine(url, future=True, hide_parameters=True,
                                     connect_args={"timeout": 15} if sqlite else {})

    def dispose(self) -> None:
        self._engine.dispose()

    def _exists(self) -> bool:
        with self._engine.connect() as conn:
            return inspect(conn).has_table("events")

    def stale_senders(self, before: dt.datetime, after: str = "", limit: int = 500) -> list[str]:
        """Conversation ids (sorted, after `after`) whose newest event is older than `before`."""
        if not self._exists():
            return []
        query = (select(events.c.sender_id).where(events.c.sender_id > after).group_by(events.c.sender_id)
                 .having(func.max(events.c.timestamp) < before.timestamp())
                 .order_by(events.c.sender_id).limit(limit))
        with self._engine.connect() as conn:
            return [row.sender_id for row in conn.execute(query)]

    def active_since(self, sender_ids: Iterable[str], since: dt.datetime) -> set[str]:
        if not self._exists():
            return set()
        with self._engine.connect() as conn:
            return {row.sender_id for row in conn.execute(
                select(events.c.sender_id).distinct().where(events.c.sender_id.in_(list(sender_ids)),
                                                            events.c.timestamp >= since.timestamp()))}

    def shopper_texts(self, sender_id: str) -> list[str]:
        """What the shopper wrote, oldest first."""
        if not self._exists():
            return []
        with self._engine.connect() as conn:
            rows = conn.execute(select(events.c.data).where(events.c.sender_id == sender_id,
                                                            events.c.type_name == "user").order_by(events.c.id))
            return [text for text in (json.loads(row.data or "{}").get("text") for row in rows) if text]

    def delete_sender(self, sender_id: str) -> int:
        """Deletes every event of the conversation; returns how many there were."""
        if not self._exists():
            return 0
        with self._engine.begin() as conn:
            return conn.execute(delete(events).where(events.c.sender_id == sender_id)).rowcount
