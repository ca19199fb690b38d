"""The session cache of the Rasa server (rasa_server_plugins/tracker_cache.py) answers exactly what
Rasa's own SQL read answers, whatever else writes to the database: a second instance, a deleted
conversation, a new session, a message that failed before it was saved. On a SQLite file, and on
PostgreSQL when TEST_POSTGRES_URL is set."""
from __future__ import annotations

import asyncio
import os

import pytest

pytest.importorskip("rasa")

from rasa.core.tracker_store import SQLTrackerStore  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import (ActionExecuted, BotUttered, SessionStarted, SlotSet,  # noqa: E402
                                     UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from rasa_server_plugins import tracker_cache, tracker_session_by_id  # noqa: E402

DOMAIN = Domain.from_dict({"slots": {"province": {"type": "text", "mappings": [{"type": "custom"}]}}})
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not POSTGRES_URL, reason="set TEST_POSTGRES_URL to run the tracker store on PostgreSQL"))]


def _store(engine: str, tmp_path) -> SQLTrackerStore:
    if engine == "sqlite":
        return SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    url = make_url(POSTGRES_URL)
    return SQLTrackerStore(DOMAIN, dialect="postgresql", host=url.host, port=url.port, db=url.database,
                           username=url.username, password=url.password)


@pytest.fixture(params=ENGINES)
def stores(request, tmp_path):
    """(cached, plain): two Rasa instances on one database, only the first with the cache."""
    originals = SQLTrackerStore._retrieve, SQLTrackerStore.save, SQLTrackerStore._event_query
    tracker_session_by_id.install()
    tracker_cache.install()
    cached, plain = _store(request.param, tmp_path), _store(request.param, tmp_path)
    cache = tracker_cache.attach(cached, env={})
    yield cached, plain, cache
    SQLTrackerStore._retrieve, SQLTrackerStore.save, SQLTrackerStore._event_query = originals
    for store in (cached, plain):
        store.engine.dispose()
    if request.param == "postgresql":
        engine = create_engine(POSTGRES_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS events"))
        engine.dispose()


def run(coroutine):
    return asyncio.run(coroutine)


def _turn(tracker: DialogueStateTracker, text_: str, province: str) -> None:
    tracker.update(UserUttered(text_, {"name": "ask_fee", "confidence": 0.9}))
    tracker.update(SlotSet("province", province))
    tracker.update(ActionExecuted("action_fee"))
    tracker.update(BotUttered(f"寄到{province}的运费"))
    tracker.update(ActionExecuted("action_listen"))


def _new_conversation(sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    return tracker


def _as_cached(tracker):
    return None if tracker is None else ([e.as_dict() for e in tracker.events], tracker.current_slot_values())


def _as_rasa_reads_it(plain: SQLTrackerStore, sender: str):
    return _as_cached(run(plain.retrieve(sender)))


def _turn_saved(store: SQLTrackerStore, sender: str, text_: str, province: str) -> None:
    """One message answered by the instance of `store`: read, answered, saved."""
    tracker = run(store.retrieve(sender))
    _turn(tracker, text_, province)
    run(store.save(tracker))


def test_a_long_conversation_reads_as_rasa_reads_it_and_is_decoded_once(stores):
    cached, plain, cache = stores
    run(cached.save(_new_conversation("web-long")))
    provinces = ["新疆", "西藏", "广东", "浙江"]
    for number in range(40):
        tracker = run(cached.retrieve("web-long"))
        assert _as_cached(tracker) == _as_rasa_reads_it(plain, "web-long")
        _turn(tracker, f"寄到{provinces[number % 4]}第{number}次", provinces[number % 4])
        run(cached.save(tracker))
    assert cache.misses == 1 and cache.hits == 40 - 1   # the first read after the first save
    final = run(cached.retrieve("web-long"))
    assert final.get_slot("province") == "浙江" and len(final.events) == 2 + 40 * 5   # from the session start
    assert _as_cached(final) == _as_rasa_reads_it(plain, "web-long")


def _rows(store: SQLTrackerStore, sender: str) -> list[tuple]:
    E = store.SQLEvent
    with store.session_scope() as session:
        return [(r.type_name, r.timestamp, r.intent_name, r.action_name, r.data)
                for r in session.query(E).filter(E.sender_id == sender).order_by(E.id)]


def test_a_save_writes_the_rows_rasas_save_writes(stores):
    cached, plain, cache = stores
    first = _new_conversation("web-rows")
    for store, sender in ((cached, "web-rows"), (plain, "web-rows-rasa")):
        run(store.save(DialogueStateTracker.from_events(sender, list(first.events), DOMAIN.slots)))
    tracker = run(cached.retrieve("web-rows"))
    _turn(tracker, "寄到拉萨运费多少", "西藏")
    for store, sender in ((cached, "web-rows"), (plain, "web-rows-rasa")):
        run(store.save(DialogueStateTracker.from_events(sender, list(tracker.events), DOMAIN.slots)))
    assert _rows(cached, "web-rows") == _rows(plain, "web-rows-rasa")
    assert [r[2] for r in _rows(cached, "web-rows")].count("ask_fee") == 1
    assert [r[3] for r in _rows(cached, "web-rows")].count("action_fee") == 1


def test_a_message_that_failed_before_its_save_leaves_nothing_behind(stores):
    cached, plain, cache = stores
    run(cached.save(_new_conversation("web-fail")))
    run(cached.retrieve("web-fail"))
    unsaved = run(cached.retrieve("web-fail"))
    _turn(unsaved, "寄到拉萨运费多少", "西藏")   # the action server failed: Rasa keeps nothing
    again = run(cached.retrieve("web-fail"))
    assert again.get_slot("province") is None and len(again.events) == 2
    assert _as_cached(again) == _as_rasa_reads_it(plain, "web-fail")


def test_what_another_instance_wrote_is_read_and_added(stores):
    cached, plain, cache = stores
    run(cached.save(_new_conversation("web-two")))
    _turn_saved(cached, "web-two", "寄到拉萨运费多少", "西藏")
    _turn_saved(plain, "web-two", "那寄到广州呢", "广东")   # the next message went to the other instance
    tracker = run(cached.retrieve("web-two"))
    assert tracker.get_slot("province") == "广东" and cache.extended == 1
    assert _as_cached(tracker) == _as_rasa_reads_it(plain, "web-two")


def test_a_new_session_and_a_forgotten_conversation_are_read_from_the_database(stores):
    cached, plain, cache = stores
    run(cached.save(_new_conversation("web-new")))
    _turn_saved(cached, "web-new", "寄到拉萨运费多少", "西藏")
    tracker = run(cached.retrieve("web-new"))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(SlotSet("province", "西藏"))   # carried over
    tracker.update(ActionExecuted("action_listen"))
    run(cached.save(tracker))
    again = run(cached.retrieve("web-new"))
    assert isinstance(again.events[0], SessionStarted) and again.get_slot("province") == "西藏"
    assert _as_cached(again) == _as_rasa_reads_it(plain, "web-new")

    with plain.session_scope() as session:   # make forget CONVERSATION=web-new
        session.query(plain.SQLEvent).filter(plain.SQLEvent.sender_id == "web-new").delete()
        session.commit()
    assert run(cached.retrieve("web-new")) is None and len(cache) == 0


def test_the_cache_is_bounded_in_events_and_idle_time():
    now = [0.0]
    cache = tracker_cache.SessionCache(max_events=10, idle_seconds=60, clock=lambda: now[0])
    stamp = tracker_cache.Stamp(4, 4)
    cache.put("a", [1, 2, 3, 4], stamp)
    cache.put("b", [1, 2, 3, 4], stamp)
    cache.get("a")                        # b is now the least recently used
    cache.put("c", [1, 2, 3, 4], stamp)
    assert cache.get("b") is None and cache.get("a") and cache.get("c") and cache.events == 8
    cache.put("huge", list(range(11)), stamp)
    assert cache.get("huge") is None and cache.events == 8
    now[0] = 61.0
    assert cache.get("a") is None and len(cache) == 0 and cache.events == 0


def test_without_attach_or_with_the_cache_off_the_store_is_rasas(tmp_path):
    assert tracker_cache.attach(SQLTrackerStore(DOMAIN, db=str(tmp_path / "t.db")),
                                env={"TRACKER_CACHE_EVENTS": "0"}) is None
    with pytest.raises(ValueError):
        tracker_cache.settings_from_env({"TRACKER_CACHE_EVENTS": "-1"})
    assert tracker_cache.settings_from_env({}) == (tracker_cache.DEFAULT_EVENTS, tracker_cache.DEFAULT_IDLE_SECONDS)
