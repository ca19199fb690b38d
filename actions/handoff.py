"""Handing a conversation to a person: requests for staff, complaints, returns, and every case
the bot must not answer itself (unpriced quotes, manager-only invoice requests, failures).

A handoff opens (or adds to) the conversation's ticket with the whole transcript and the facts
already known (首问负责制: the shopper never repeats themselves). The ticket is committed before
the shopper is told its number and, honestly, when a person will reply."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.base import StoreAction, say
from actions.store import CHINA, describe_due, reply_due

logger = logging.getLogger(__name__)

_REASON_BY_INTENT = {"request_human": "request_human", "complain": "complaint", "ask_return": "return",
                     "nlu_fallback": "repeated_fallback"}
_FACT_SLOTS = ("province", "place", "weight", "last_topic", "bargain_count")


def _time(timestamp) -> str:
    return dt.datetime.fromtimestamp(timestamp or 0, CHINA).isoformat(timespec="seconds")


def transcript(tracker: Tracker) -> list[dict]:
    """Every shopper and bot message so far, oldest first."""
    lines = []
    for event in tracker.events:
        kind = event.get("event")
        if kind == "user" and event.get("text"):
            lines.append({"sender": "shopper", "text": event["text"], "time": _time(event.get("timestamp"))})
        elif kind == "bot" and event.get("text"):
            sender = "agent" if (event.get("metadata") or {}).get("agent") else "bot"
            lines.append({"sender": sender, "text": event["text"], "time": _time(event.get("timestamp"))})
    return lines


def facts(tracker: Tracker) -> dict:
    known = {name: tracker.get_slot(name) for name in _FACT_SLOTS if tracker.get_slot(name) not in (None, "", 0)}
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent:
        known["intent"] = intent
    return known


def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> list:
    """Open or extend the ticket, then tell the shopper its number and when staff reply."""
    store = services.store()
    now = services.now()
    hours = store.config.handoff
    due = reply_due(now, store.calendar, hours.working_hours, hours.lunch_break, hours.reply_within_working_fraction)
    try:
        ticket, created = services.tickets().open_or_append(
            tracker.sender_id, reason, transcript(tracker), facts(tracker), now, due)
    except Exception:
        # No ticket was stored: say how to reach staff, never a number that does not exist.
        logger.exception("could not store the handoff ticket for %s (%s)", tracker.sender_id, reason)
        say(dispatcher, "handoff_contact")
        return []
    say(dispatcher, "handoff_ticket" if created else "handoff_ticket_updated",
        ticket=ticket.number, due=describe_due(ticket.due_at, now))
    return []


class ActionHandoff(StoreAction):
    def name(self) -> Text:
        return "action_handoff"

    def answer(self, dispatcher, tracker):
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        return hand_off(dispatcher, tracker, reason=_REASON_BY_INTENT.get(intent, "request_human"))
