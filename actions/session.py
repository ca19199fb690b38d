"""Session start: carry slots over and tell the responses the store's name."""
from __future__ import annotations

from typing import Text

from rasa_sdk import Action
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet

from actions import services


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher, tracker, domain):
        carried = [SlotSet(name, value) for name, value in tracker.current_slot_values().items()
                   if value is not None and name != "store_name"]
        return [SessionStarted(), *carried,
                SlotSet("store_name", services.store().config.store.name), ActionExecuted("action_listen")]
