"""The base of every store action: one `Exchange` per shopper message (the live store, the time,
replies by answer name, the handoff), and a failure never leaves the shopper without an answer
(it apologises and hands off to a person)."""
from __future__ import annotations

import abc
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from handoff import Reason

from .runtime import Services, action_server_services
from .tracker_record import known_facts, turns

logger = logging.getLogger(__name__)


class Exchange:
    """Answering one shopper message."""

    def __init__(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> None:
        self.dispatcher, self.tracker = dispatcher, tracker
        self.store = services.store()   # one configuration for the whole answer, even mid-edit
        self.now = services.clock()
        self._handoff = services.handoff

    @property
    def text(self) -> str:
        return self.tracker.latest_message.get("text") or ""

    @property
    def intent(self) -> Optional[str]:
        return (self.tracker.latest_message.get("intent") or {}).get("name")

    def say(self, answer: str, buttons: Optional[list] = None, **values: Any) -> None:
        """Send one of the owner's answers (store_config/replies.yml) with its placeholders filled."""
        text, preset = self.store.replies.render(answer, **values)
        self.dispatcher.utter_message(text=text, buttons=buttons or preset)

    def hand_off(self, reason: Reason) -> list:
        """Open or extend the ticket, then tell the shopper its number and when staff reply."""
        result = self._handoff.hand_off(self.tracker.sender_id, reason, known_facts(self.tracker),
                                        turns(self.tracker, self.now))
        self.dispatcher.utter_message(text=result.text)
        return []


class StoreAction(Action, abc.ABC):
    def __init__(self, services: Optional[Services] = None) -> None:
        self._services = services or action_server_services()

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        exchange = Exchange(dispatcher, tracker, self._services)
        try:
            return self.answer(exchange) or []
        except Exception:
            # ids, never the shopper's text (personal data stays out of logs)
            logger.exception("action %s failed in conversation %s", self.name(), tracker.sender_id)
            dispatcher.messages.clear()
            exchange.say("action_failed")
            return exchange.hand_off(Reason.ACTION_FAILED)

    @abc.abstractmethod
    def answer(self, exchange: Exchange) -> List[Dict[Text, Any]]:
        """Reply and return the events (slots) to set."""
