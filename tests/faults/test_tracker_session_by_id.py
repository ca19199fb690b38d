"""A conversation keeps the turns stamped after the wall clock was stepped back: Rasa's SQL tracker
store (the real one, on a SQLite file) reads the current session from its last session start by
event id (rasa_server_plugins/tracker_session_by_id.py). With Rasa's own query, by time, the turn
and the slot set after the step vanish from the next read, and the next save stores them again.
The whole processes under libfaketime: scripts/faults/clock_jumps.py."""
from __future__ import annotations

import asyncio
import time

import pytest

pytest.importorskip("rasa")

from rasa.core.tracker_store import SQLTrackerStore  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

from rasa_server_plugins import tracker_session_by_id  # noqa: E402

DOMAIN = Domain.from_dict({"slots": {"province": {"type": "text", "mappings": [{"type": "custom"}]}}})


def _conversation_across_a_backward_step(store: SQLTrackerStore) -> DialogueStateTracker:
    started = time.time()
    tracker = DialogueStateTracker.from_events("web-clock", [
        ActionExecuted("action_session_start", timestamp=started), SessionStarted(timestamp=started + 0.001),
        ActionExecuted("action_listen", timestamp=started + 0.002),
        UserUttered("寄到拉萨运费多少", timestamp=started + 1), SlotSet("province", "西藏", timestamp=started + 1.1)],
        slots=DOMAIN.slots)
    asyncio.run(store.save(tracker))
    stepped_back = started - 60  # the wall clock is stepped back a minute
    tracker = asyncio.run(store.retrieve("web-clock"))
    tracker.update(UserUttered("寄到乌鲁木齐运费多少", timestamp=stepped_back))
    tracker.update(SlotSet("province", "新疆", timestamp=stepped_back + 0.1))
    asyncio.run(store.save(tracker))
    return asyncio.run(store.retrieve("web-clock"))


@pytest.fixture
def store(tmp_path):
    original = SQLTrackerStore._event_query
    sql_store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    yield sql_store
    SQLTrackerStore._event_query = original
    sql_store.engine.dispose()


def test_rasas_own_query_loses_what_was_said_after_the_clock_went_back(store):
    again = _conversation_across_a_backward_step(store)
    assert again.get_slot("province") == "西藏", "Rasa's query by time (why the fix exists)"


def test_read_by_id_the_conversation_keeps_what_was_said_after_the_clock_went_back(store):
    tracker_session_by_id.install()
    again = _conversation_across_a_backward_step(store)
    assert again.get_slot("province") == "新疆"
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["寄到拉萨运费多少", "寄到乌鲁木齐运费多少"]
    asyncio.run(store.save(again))  # nothing stored twice
    with store.session_scope() as session:
        assert session.query(store.SQLEvent).filter(store.SQLEvent.type_name == "user").count() == 2
