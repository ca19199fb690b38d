"""Bargaining: always declined, gently the first time, firmer when the shopper insists."""
from __future__ import annotations

from typing import Text

from rasa_sdk.events import SlotSet

from actions.base import StoreAction, say
from actions.store import Tone, bargain_reply


class ActionBargain(StoreAction):
    def name(self) -> Text:
        return "action_bargain"

    def answer(self, dispatcher, tracker):
        attempts = int(tracker.get_slot("bargain_count") or 0)
        reply = bargain_reply(attempts, tracker.latest_message.get("text") or "")
        if reply.mentions_other_shops:
            say(dispatcher, "bargain_other_shops")
        say(dispatcher, "bargain_gentle" if reply.tone is Tone.GENTLE else "bargain_firm")
        return [SlotSet("bargain_count", attempts + 1)]
