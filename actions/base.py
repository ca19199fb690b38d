"""The base of every store action: replies by response name, and a failure never leaves the
shopper without an answer (it apologises and hands off to a person)."""
from __future__ import annotations

import abc
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

logger = logging.getLogger(__name__)


def say(dispatcher: CollectingDispatcher, answer: str, buttons: list | None = None, **values: Any) -> None:
    """Send one of the owner's answers (store_config/replies.yml) with its placeholders filled."""
    from actions import services
    text, preset = services.store().replies.render(answer, **values)
    dispatcher.utter_message(text=text, buttons=buttons or preset)


class StoreAction(Action, abc.ABC):
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        try:
            return self.answer(dispatcher, tracker) or []
        except Exception:
            logger.exception("action %s failed on %r", self.name(), tracker.latest_message.get("text"))
            from actions.handoff import hand_off  # late import: handoff is itself a StoreAction module
            dispatcher.messages.clear()
            say(dispatcher, "action_failed")
            return hand_off(dispatcher, tracker, reason="action_failed")

    @abc.abstractmethod
    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
        """Reply and return the events (slots) to set."""
