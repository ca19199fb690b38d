"""Handing a conversation to a person: requests for staff, complaints, returns, and every case
the bot must not answer itself (unpriced quotes, manager-only invoice requests, failures)."""
from __future__ import annotations

from typing import Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import StoreAction, say

_REASON_BY_INTENT = {"request_human": "request_human", "complain": "complaint", "ask_return": "return",
                     "nlu_fallback": "repeated_fallback"}


def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> list:
    """Tell the shopper how a person will take over. Returns the events to add."""
    say(dispatcher, "handoff_contact")
    return []


class ActionHandoff(StoreAction):
    def name(self) -> Text:
        return "action_handoff"

    def answer(self, dispatcher, tracker):
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        return hand_off(dispatcher, tracker, reason=_REASON_BY_INTENT.get(intent, "request_human"))
