"""The Rasa server's speed-ups change how fast it works, never what it does: the action-result check
raises what Rasa's own raises, the tuned SQLite tracker store keeps every event (in WAL mode), and
the lean DIET loads into prediction mode with its configuration intact."""
from __future__ import annotations

import asyncio
import os
from pathlib import Path

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_server_plugins import action_result_check
from rasa_server_plugins.sqlite_tracker_settings import tune_sqlite

ROOT = Path(__file__).resolve().parents[2]
GOOD = {"events": [{"event": "slot", "name": "destination", "value": "新疆"}], "responses": [{"text": "18元"}]}
BAD = [{"events": "x"}, {"responses": [1]}, {"events": [{"no": "event"}], "responses": []}]


@pytest.fixture
def checked_action(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    action_result_check.install()
    return RemoteAction.__new__(RemoteAction)


def test_a_valid_action_result_passes(checked_action):
    assert checked_action._validate_action_result(GOOD) is True


@pytest.mark.parametrize("result", BAD)
def test_an_invalid_action_result_fails_as_with_rasas_own_check(checked_action, result):
    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
        expected = None
    except jsonschema.ValidationError as error:
        expected = error.message
    if expected is None:
        assert checked_action._validate_action_result(result) is True
        return
    with pytest.raises(jsonschema.ValidationError) as raised:
        checked_action._validate_action_result(result)
    assert raised.value.message.startswith(expected + ". Failed to validate Action server response")


def test_the_sqlite_tracker_store_keeps_every_event_in_wal_mode(tmp_path):
    domain = Domain.load(str(ROOT / "domain.yml"))
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    tune_sqlite(store)

    async def conversation():
        for turn in range(3):
            tracker = await store.retrieve("shopper") or DialogueStateTracker("shopper", domain.slots)
            tracker.update(UserUttered(f"第{turn}句", {"name": "greet", "confidence": 1.0}))
            tracker.update(BotUttered("您好"))
            tracker.update(ActionExecuted("action_listen"))
            await store.save(tracker)
        return await store.retrieve("shopper")

    tracker = asyncio.run(conversation())
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["第0句", "第1句", "第2句"]
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1   # NORMAL
    fresh = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))  # another process's view
    assert len(asyncio.run(fresh.retrieve("shopper")).events) == len(tracker.events)


def test_the_lean_diet_loads_for_prediction_in_graph_mode():
    model = Path(os.environ.get("TEST_MODEL") or ROOT / "models" / "test" / "store.tar.gz")
    if not model.exists():
        pytest.skip("no tests' model: make test trains it")
    from rasa.core.agent import Agent
    from rasa.utils.tensorflow.constants import RUN_EAGERLY

    from nlu_components import LeanDIETClassifier

    agent = Agent.load(str(model))
    diet = [node for node in agent.processor.graph_runner._instantiated_nodes.values()
            if isinstance(getattr(node, "_component", None), LeanDIETClassifier)]
    if not diet:
        pytest.skip("the tests' model was trained before config.yml named LeanDIETClassifier")
    component = diet[0]._component
    assert component.model.run_eagerly is False and component.component_config[RUN_EAGERLY] is False
    parsed = asyncio.run(agent.parse_message("寄到乌鲁木齐运费多少"))
    assert parsed["intent"]["name"] == "ask_shipping_fee"
