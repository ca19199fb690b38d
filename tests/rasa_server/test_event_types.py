"""The event-class table answers exactly as Rasa's own `Event.resolve_by_type` (rasa_server_plugins/event_types.py)."""
from __future__ import annotations

import pytest
import rasa.shared.utils.common
from rasa.shared.core.events import Event, UserUttered

from rasa_server_plugins import event_types


def test_every_event_type_resolves_to_the_class_rasa_finds():
    names = {cls.type_name for cls in rasa.shared.utils.common.all_subclasses(Event)}
    assert len(names) > 20
    for name in names:
        assert event_types.resolve_by_type(name) is event_types._original(name), name


def test_unknown_old_and_default_types_are_answered_as_rasa_does():
    assert event_types.resolve_by_type("topic") is None
    assert event_types.resolve_by_type("no_such_event", default=UserUttered) is UserUttered
    with pytest.raises(ValueError, match="Unknown event name"):
        event_types.resolve_by_type("no_such_event")


def test_a_class_defined_later_is_found(monkeypatch):
    event_types.resolve_by_type("user")   # the table is built

    class LateEvent(UserUttered):
        type_name = "late_event_for_the_test"

    assert event_types.resolve_by_type("late_event_for_the_test") is LateEvent


def test_installed_it_is_what_rasa_calls(monkeypatch):
    monkeypatch.setattr(Event, "resolve_by_type", Event.resolve_by_type)
    event_types.install()
    assert Event.from_parameters({"event": "action", "name": "action_listen"}).action_name == "action_listen"
    assert Event.resolve_by_type is event_types.resolve_by_type
