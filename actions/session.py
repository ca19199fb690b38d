"""Session start: carry slots over and tell the responses the store's name."""
from __future__ import annotations

from typing import Text

from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet

from .base import StoreAction


class ActionSessionStart(StoreAction):
    def name(self) -> Text:
        return "action_session_start"

    def answer(self, exchange):
        carried = [SlotSet(name, value) for name, value in exchange.tracker.current_slot_values().items()
                   if value is not None and name != "store_name"]
        return [SessionStarted(), *carried,
                SlotSet("store_name", exchange.store.config.store.name), ActionExecuted("action_listen")]
