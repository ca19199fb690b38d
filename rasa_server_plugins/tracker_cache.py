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

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker

from . import tracker_session_by_id
from .tracker_session_by_id import SessionRows, Stamp

DEFAULT_EVENTS = 100_000
DEFAULT_IDLE_SECONDS = 120.0


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


def _decoded(datas) -> list:
    return deserialise_events([json.loads(data) for data in datas])


def _session_events(rows: SessionRows, session, cache: SessionCache, sender_id: str) -> list:
    """The session's events, from the cache when the database says they are current."""
    stamp = rows.stamp(session, sender_id)
    entry = cache.get(sender_id)
    if entry is not None and entry.stamp == stamp:
        cache.hits += 1
        return entry.events
    if entry is not None and entry.stamp.last_id is not None and stamp.count > entry.stamp.count:
        new_rows = rows.after(session, sender_id, entry.stamp.last_id)
        if len(new_rows) == stamp.count - entry.stamp.count:   # the session only grew
            cache.extended += 1
            events = entry.events + _decoded(data for _, data in new_rows)
            cache.put(sender_id, events, Stamp(stamp.count, new_rows[-1][0]))
            return events
    cache.misses += 1
    all_rows = rows.after(session, sender_id)
    events = _decoded(data for _, data in all_rows)
    if events:
        cache.put(sender_id, events, Stamp(len(all_rows), all_rows[-1][0]))
    else:
        cache.drop(sender_id)
    return events


def _cached_after_save(cache: SessionCache, tracker: DialogueStateTracker, entry: Optional[_Entry],
                       before: Stamp, written: list) -> None:
    """Extend the entry the tracker was built from by the rows just written, when the database
    held exactly that entry before and the session goes on; else forget it (the next read is a
    whole one)."""
    sender_id = tracker.sender_id
    tracker_events = tracker.events
    if (entry is None or cache.get(sender_id) is not entry or entry.stamp != before
            or len(tracker_events) < len(entry.events)
            or any(a is not b for a, b in zip(entry.events, tracker_events))   # not built from this entry
            or any(event.type_name == SessionStarted.type_name
                   for event in itertools.islice(tracker_events, len(entry.events), None))):
        cache.drop(sender_id)
        return
    if not written:
        return
    # As a fresh read would decode them: independent of the objects the caller still holds.
    copies = _decoded(data for _, data in written)
    cache.put(sender_id, entry.events + copies, Stamp(before.count + len(written), written[-1][0]))


_original_retrieve = SQLTrackerStore._retrieve
_original_save = SQLTrackerStore.save


def _cache_of(store: SQLTrackerStore) -> Optional[tuple[SessionCache, SessionRows]]:
    return store.__dict__.get("_session_cache")


async def _retrieve(self: SQLTrackerStore, sender_id: str,
                    fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
    attached = _cache_of(self)
    if attached is None or fetch_events_from_all_sessions or not self.domain:
        return await _original_retrieve(self, sender_id, fetch_events_from_all_sessions)
    cache, rows = attached
    with self.session_scope() as session:
        events: list[Event] = _session_events(rows, session, cache, sender_id)
    if not events:
        return None
    return DialogueStateTracker.from_events(sender_id, list(events), self.domain.slots)


async def _save(self: SQLTrackerStore, tracker: DialogueStateTracker) -> None:
    """Rasa's `save` (events to the broker, then the events the session lacks), in one stamp query
    and one insert per event, the cache extended by what was written."""
    attached = _cache_of(self)
    if attached is None:
        return await _original_save(self, tracker)
    cache, rows = attached
    sender_id = tracker.sender_id
    entry = cache.get(sender_id)
    try:
        await self.stream_events(tracker)
        with self.session_scope() as session:
            before = rows.stamp(session, sender_id)
            written = rows.append(session, sender_id, itertools.islice(tracker.events, before.count, None))
            session.commit()
    except BaseException:
        cache.drop(sender_id)
        raise
    _cached_after_save(cache, tracker, entry, before, written)


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
    store._session_cache = (cache, SessionRows(store.SQLEvent.__table__))
    return cache


def install() -> None:
    """Before Rasa reads a conversation; stores without `attach` behave as Rasa's. The cache's
    statements define the session by event id, so Rasa's own reads must too."""
    tracker_session_by_id.install()
    SQLTrackerStore._retrieve = _retrieve
    SQLTrackerStore.save = _save
