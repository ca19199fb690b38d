"""Messages the NLU is unsure about: ask to rephrase; the second in a row goes to a person."""
from __future__ import annotations

from typing import Text

from handoff import Reason

from .base import StoreAction

FALLBACKS_BEFORE_HANDOFF = 2


def fallbacks_in_a_row(tracker) -> int:
    """nlu_fallback user turns at the end of the conversation, this one included."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if (event.get("parse_data", {}).get("intent") or {}).get("name") != "nlu_fallback":
                break
            count += 1
    return count


class ActionFallback(StoreAction):
    def name(self) -> Text:
        return "action_fallback"

    def answer(self, exchange):
        if fallbacks_in_a_row(exchange.tracker) >= FALLBACKS_BEFORE_HANDOFF:
            exchange.dispatcher.utter_message(response="utter_out_of_scope")
            return exchange.hand_off(Reason.REPEATED_FALLBACK)
        exchange.say("not_understood")
        return []
