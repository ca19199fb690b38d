"""A conversation's current session kept decoded in the Rasa process, checked against the database
on every read.

Rasa 3.6's `SQLTrackerStore` reads and JSON-decodes every event of the session on every message,
so a conversation's messages get slower the longer it goes: at 1,000 events (about 110 messages)
the read was half of the server's busy time (py-spy; reports/profile-long-conversation.md). This
cache keeps the decoded events of recent sessions, and every read still asks the database for the
session's stamp (number of events and last event id, from the index): the events are used only
when the stamp is the one they were cached with, or the new rows are read and added when the
session only grew (another instance answered, an agent's reply was written). Anything else — a
new session, a conversation forgotten or purged, rows written by another process in a way that
does not add up — reads the session whole, as Rasa does. The database stays the truth: several
Rasa instances may share it, and a restart loses nothing.

Events in a session are never changed after they are stored (Rasa adds new events; the tracker's
state is replayed from them), so the cached event objects are shared by the trackers built from
them; the events a save adds are cached as decoded from the JSON just written, the same objects a
fresh read would give. Bounded by `TRACKER_CACHE_EVENTS` (events kept in all, least recently used
dropped first; 0 turns the cache off) and `TRACKER_CACHE_IDLE_SECONDS` (120: a session not read
for that long is dropped, so a conversation forgotten or purged leaves memory soon after it leaves
the database). Kept to the conversations in progress on purpose: every cached event is a handful
of objects the garbage collector walks in each full collection, which stops the event loop. In
`make soak` at 48 messages/s, 10 idle minutes kept ~100,000 events and gave pauses behind which
answers waited up to 4 s (p95 945 ms in minutes 5–8); 2 minutes kept the shoppers who were
still typing, p95 472 ms, max 2.8 s (same machine, same day)."""
from __future__ import annotations

import itertools
import json
import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker

DEFAULT_EVENTS = 100_000
DEFAULT_IDLE_SECONDS = 120.0


@dataclass(frozen=True)
class Stamp:
    """What identifies a session's rows: how many, and the last id."""
    count: int
    last_id: Optional[int]


@dataclass
class _Entry:
    events: list
    stamp: Stamp
    used_at: float


class SessionCache:
    """Least recently used sessions, bounded in events and idle time."""

    def __init__(self, max_events: int = DEFAULT_EVENTS, idle_seconds: float = DEFAULT_IDLE_SECONDS,
                 clock=time.monotonic) -> None:
        self.max_events = max_events
        self.idle_seconds = idle_seconds
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._events = 0
        self.hits = self.extended = self.misses = 0

    @property
    def events(self) -> int:
        return self._events

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, sender_id: str) -> Optional[_Entry]:
        self._drop_idle()
        entry = self._entries.get(sender_id)
        if entry is not None:
            self._entries.move_to_end(sender_id)
            entry.used_at = self._clock()
        return entry

    def put(self, sender_id: str, events: list, stamp: Stamp) -> None:
        self.drop(sender_id)
        if len(events) > self.max_events:
            return
        self._entries[sender_id] = _Entry(events, stamp, self._clock())
        self._events += len(events)
        while self._events > self.max_events:
            _, oldest = self._entries.popitem(last=False)
            self._events -= len(oldest.events)

    def drop(self, sender_id: str) -> None:
        entry = self._entries.pop(sender_id, None)
        if entry is not None:
            self._events -= len(entry.events)

    def _drop_idle(self) -> None:
        limit = self._clock() - self.idle_seconds
        while self._entries:
            sender_id, oldest = next(iter(self._entries.items()))
            if oldest.used_at >= limit:
                return
            self.drop(sender_id)


def _stamp(store: SQLTrackerStore, session, sender_id: str) -> Stamp:
    events = store.SQLEvent
    query = store._event_query(session, sender_id, fetch_events_from_all_sessions=False).order_by(None)
    count, last_id = query.with_entities(sa.func.count(events.id), sa.func.max(events.id)).one()
    return Stamp(int(count), last_id)


def _decoded(rows) -> list:
    return deserialise_events([json.loads(row.data) for row in rows])


def _session_events(store: SQLTrackerStore, cache: SessionCache, sender_id: str) -> list:
    """The session's events, from the cache when the database says they are current."""
    with store.session_scope() as session:
        stamp = _stamp(store, session, sender_id)
        entry = cache.get(sender_id)
        if entry is not None and entry.stamp == stamp:
            cache.hits += 1
            return entry.events
        query = store._event_query(session, sender_id, fetch_events_from_all_sessions=False)
        if entry is not None and entry.stamp.last_id is not None and stamp.count > entry.stamp.count:
            new_rows = query.filter(store.SQLEvent.id > entry.stamp.last_id).all()
            if len(new_rows) == stamp.count - entry.stamp.count:   # the session only grew
                cache.extended += 1
                events = entry.events + _decoded(new_rows)
                cache.put(sender_id, events, Stamp(stamp.count, new_rows[-1].id))
                return events
        cache.misses += 1
        rows = query.all()
        events = _decoded(rows)
        if events:
            cache.put(sender_id, events, Stamp(len(rows), rows[-1].id))
        else:
            cache.drop(sender_id)
        return events


def _cached_after_save(store: SQLTrackerStore, cache: SessionCache, tracker: DialogueStateTracker,
                       entry: Optional[_Entry]) -> None:
    """Extend the entry the tracker was built from by the events just saved, if the database now
    holds exactly that tracker's session; else forget it (the next read is a whole one)."""
    sender_id = tracker.sender_id
    tracker_events = tracker.events
    if entry is None or cache.get(sender_id) is not entry or len(tracker_events) < len(entry.events):
        cache.drop(sender_id)
        return
    if any(a is not b for a, b in zip(entry.events, tracker_events)):  # not built from this entry
        cache.drop(sender_id)
        return
    with store.session_scope() as session:
        stamp = _stamp(store, session, sender_id)
    if stamp.count != len(tracker_events):   # a new session began, or someone else wrote too
        cache.drop(sender_id)
        return
    added = itertools.islice(tracker_events, len(entry.events), None)
    # As a fresh read would decode them: independent of the objects the caller still holds.
    copies = deserialise_events([json.loads(json.dumps(event.as_dict())) for event in added])
    cache.put(sender_id, entry.events + copies, stamp)


_original_retrieve = SQLTrackerStore._retrieve
_original_save = SQLTrackerStore.save


async def _retrieve(self: SQLTrackerStore, sender_id: str,
                    fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
    cache: Optional[SessionCache] = self.__dict__.get("_session_cache")
    if cache is None or fetch_events_from_all_sessions or not self.domain:
        return await _original_retrieve(self, sender_id, fetch_events_from_all_sessions)
    events: list[Event] = _session_events(self, cache, sender_id)
    if not events:
        return None
    return DialogueStateTracker.from_events(sender_id, list(events), self.domain.slots)


async def _save(self: SQLTrackerStore, tracker: DialogueStateTracker) -> None:
    cache: Optional[SessionCache] = self.__dict__.get("_session_cache")
    if cache is None:
        return await _original_save(self, tracker)
    entry = cache.get(tracker.sender_id)
    try:
        await _original_save(self, tracker)
    except BaseException:
        cache.drop(tracker.sender_id)
        raise
    _cached_after_save(self, cache, tracker, entry)


def settings_from_env(env=os.environ) -> tuple[int, float]:
    """(`TRACKER_CACHE_EVENTS`, `TRACKER_CACHE_IDLE_SECONDS`); a bad value is an error at start."""
    events = int(env.get("TRACKER_CACHE_EVENTS", DEFAULT_EVENTS))
    idle = float(env.get("TRACKER_CACHE_IDLE_SECONDS", DEFAULT_IDLE_SECONDS))
    if events < 0 or idle <= 0:
        raise ValueError("TRACKER_CACHE_EVENTS must be ≥ 0 and TRACKER_CACHE_IDLE_SECONDS > 0")
    return events, idle


def attach(store: SQLTrackerStore, env=os.environ) -> Optional[SessionCache]:
    """Give this store a session cache (none when `TRACKER_CACHE_EVENTS=0`)."""
    max_events, idle_seconds = settings_from_env(env)
    if max_events == 0:
        store.__dict__.pop("_session_cache", None)
        return None
    cache = SessionCache(max_events, idle_seconds)
    store._session_cache = cache
    return cache


def install() -> None:
    """Before Rasa reads a conversation; stores without `attach` behave as Rasa's."""
    SQLTrackerStore._retrieve = _retrieve
    SQLTrackerStore.save = _save
