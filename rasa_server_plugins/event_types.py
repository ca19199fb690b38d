"""Event classes found by a dictionary, not by walking Rasa's class tree for every event.

Rasa 3.6's `Event.resolve_by_type` lists every subclass of `Event` (recursively, with an
`inspect.isabstract` check each) for each event it deserialises. Reading a tracker from the SQL
store deserialises every event of the session, on every message, so a conversation's messages get
slower the longer it goes: profiled with py-spy on a 60-message conversation, `all_subclasses`
was 16% of the server's busy time (reports/profile-long-conversation.md). The classes do not
change while the server runs; a type name not in the table (a class imported later) is looked up
the original way, and the answers are Rasa's own: the first class of that name, `None` for the
old "topic", the default, or Rasa's ValueError."""
from __future__ import annotations

from typing import Optional, Type

import rasa.shared.utils.common
from rasa.shared.core.events import Event

_original = Event.resolve_by_type
_by_name: dict[str, Type[Event]] = {}


def _refresh() -> None:
    table: dict[str, Type[Event]] = {}
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        table.setdefault(cls.type_name, cls)   # the first match, as Rasa's loop returns it
    _by_name.clear()
    _by_name.update(table)


def resolve_by_type(type_name: str, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    cls = _by_name.get(type_name)
    if cls is None:
        _refresh()
        cls = _by_name.get(type_name)
    return cls if cls is not None else _original(type_name, default)


def install() -> None:
    if Event.resolve_by_type is not resolve_by_type:
        Event.resolve_by_type = staticmethod(resolve_by_type)
