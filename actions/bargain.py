"""Bargaining: always declined, gently the first time, firmer when the shopper insists."""
from __future__ import annotations

from typing import Text

from rasa_sdk.events import SlotSet

from store import Tone, bargain_reply

from .base import StoreAction


class ActionBargain(StoreAction):
    def name(self) -> Text:
        return "action_bargain"

    def answer(self, exchange):
        attempts = int(exchange.tracker.get_slot("bargain_count") or 0)
        reply = bargain_reply(attempts, exchange.text)
        if reply.mentions_other_shops:
            exchange.say("bargain_other_shops")
        exchange.say("bargain_gentle" if reply.tone is Tone.GENTLE else "bargain_firm")
        return [SlotSet("bargain_count", attempts + 1)]
