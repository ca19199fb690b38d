"""Helpers for the rasa-sdk action tests: real `Tracker`s built from a few events, a
`CollectingDispatcher`, the shipped store, a fixed Asia/Shanghai clock, tickets in a throw-away
database, and checks every reply must pass. Actions get their collaborators as a `Services`
(never module globals): `run_action(ActionQuoteFee, tracker)` builds the action with them."""
from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SlotSet, UserUttered
from rasa_sdk.executor import CollectingDispatcher

from actions.base import StoreAction
from actions.runtime import Services
from handoff import HandoffService
from helpdesk import MessageStore, TicketStore, open_database
from store import CHINA, Store, load_store

# A Wednesday in working hours, far from any holiday.
WEDNESDAY_10 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=CHINA)

# The store never gives a phone number, QQ or WeChat id (store-policy §6); saying so is fine. Ticket numbers such as
# 20261125-0007 are ours to give, so "工单(号) …" is removed before looking for 7+ digits.
_TICKET = re.compile(r"工单号?\s*[#＃]?[\w-]+")
_CONTACT = re.compile(r"\d{7,}|qq[号:：\s]*\d{5,}|(?:微信|vx|wx)号?[:：\s]*[a-z0-9_-]{5,}", re.IGNORECASE)
HANDOFF = re.compile(r"工作人员|工单|人工|店长")
FEE = re.compile(r"(\d+(?:\.\d+)?)元")


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture(scope="session")
def shipped_store() -> Store:
    """store_config/ as shipped (config, places, calendar, answers)."""
    return load_store()


@pytest.fixture
def clock() -> Clock:
    """Fixed at WEDNESDAY_10; set `clock.now` to move it."""
    return Clock(WEDNESDAY_10)


@pytest.fixture
def helpdesk_db(tmp_path):
    """Handoff tickets and messages in a throw-away SQLite file per test (never var/helpdesk.db)."""
    db = open_database(f"sqlite:///{tmp_path / 'helpdesk.db'}", zone=CHINA)
    yield db
    db.dispose()


@pytest.fixture
def make_services(helpdesk_db, clock, shipped_store) -> Callable[..., Services]:
    """make_services(store=...) → the action server's collaborators around another store."""
    def make(store: Store = shipped_store) -> Services:
        current = lambda: store  # noqa: E731
        handoff = HandoffService(TicketStore(helpdesk_db), MessageStore(helpdesk_db), current, clock)
        return Services(current, clock, handoff)
    return make


@pytest.fixture
def services(make_services) -> Services:
    return make_services()


@pytest.fixture
def tickets(helpdesk_db) -> TicketStore:
    return TicketStore(helpdesk_db)


@pytest.fixture
def messages(helpdesk_db) -> MessageStore:
    return MessageStore(helpdesk_db)


def _entity(text: str, entity: Any) -> dict:
    if isinstance(entity, dict):
        return entity
    name, value = entity
    start = text.find(value)
    found = {"entity": name, "value": value}
    if start >= 0:
        found.update(start=start, end=start + len(value))
    return found


def _make_tracker(text: str = "", intent: Optional[str] = None, entities: Iterable[Any] = (),
                  slots: Optional[dict] = None, events: Iterable[dict] = (), sender_id: str = "shopper-1") -> Tracker:
    """The tracker the action server receives after the shopper wrote `text`.

    entities: dicts as Rasa sends them, or (name, value) pairs located in `text`;
    slots: current slot values (also recorded as SlotSet events);
    events: earlier events, placed before this message."""
    slots = dict(slots or {})
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0} if intent else {},
              "entities": [_entity(text, e) for e in entities], "intent_ranking": []}
    history = [ActionExecuted("action_listen"), *(SlotSet(k, v) for k, v in slots.items()), *events,
               UserUttered(text, parse_data=latest)]
    return Tracker(sender_id, slots, latest, history, False, None, {}, "action_listen")


@pytest.fixture
def make_tracker() -> Callable[..., Tracker]:
    return _make_tracker


def user_turn(text: str, intent: str) -> list[dict]:
    """An earlier user message and the bot's answer, as events."""
    return [UserUttered(text, parse_data={"text": text, "intent": {"name": intent, "confidence": 0.3},
                                         "entities": []}),
            ActionExecuted("action_fallback" if intent == "nlu_fallback" else "action_listen")]


@pytest.fixture
def prior_turn() -> Callable[[str, str], list[dict]]:
    return user_turn


@dataclass
class Outcome:
    messages: list[dict]
    events: list[dict]

    @property
    def texts(self) -> list[str]:
        return [m["text"] for m in self.messages if m.get("text")]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def responses(self) -> list[str]:
        return [m["response"] for m in self.messages if m.get("response")]

    @property
    def buttons(self) -> list[dict]:
        return [b for m in self.messages for b in (m.get("buttons") or [])]

    @property
    def slots(self) -> dict:
        return {e["name"]: e["value"] for e in self.events if e.get("event") == "slot"}

    @property
    def fees(self) -> set[str]:
        """Every amount of money in the replies ("18元" → "18")."""
        return set(FEE.findall(self.text))

    @property
    def handed_off(self) -> bool:
        return bool(HANDOFF.search(self.text))


def _run(action, tracker: Tracker, services: Services, domain: Optional[dict] = None,
         expect_reply: bool = True) -> Outcome:
    if inspect.isclass(action):
        action = action(services) if issubclass(action, StoreAction) else action()
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or {}))
    outcome = Outcome(list(dispatcher.messages), list(events or []))
    if expect_reply:
        assert outcome.messages, "every action must answer the shopper"
    for text in outcome.texts:
        assert not _CONTACT.search(_TICKET.sub("", text)), f"contact detail in reply: {text}"
    return outcome


@pytest.fixture
def run_action(services) -> Callable[..., Outcome]:
    """run_action(ActionClass or action, tracker, services=…) → Outcome; a class is built with
    the test's services. Fails if there is no reply (unless expect_reply=False) or a reply
    shows a phone number / QQ."""
    def run(action, tracker: Tracker, services: Services = services, **kwargs) -> Outcome:
        return _run(action, tracker, services, **kwargs)
    return run
