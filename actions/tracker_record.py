"""What Rasa's tracker tells a handoff: the conversation's turns and the facts already known."""
from __future__ import annotations

import datetime as dt

from rasa_sdk import Tracker

from handoff import tracker_turn
from helpdesk import Turn
from store import find_order_id

FACT_SLOTS = ("province", "place", "weight", "last_topic", "bargain_count")


def turns(tracker: Tracker, now: dt.datetime) -> list[Turn]:
    """Every shopper and bot message so far. Agent replies are left out: the agent inbox wrote
    them into the message record before they reached the tracker. Rasa stamps every event; one
    without a time (a hand-made tracker) counts as said `now`."""
    found = []
    for event in tracker.events:
        kind, text = event.get("event"), event.get("text")
        if not text or kind not in ("user", "bot") or (event.get("metadata") or {}).get("agent"):
            continue
        found.append(tracker_turn("shopper" if kind == "user" else "bot", text,
                                  event.get("timestamp") or now.timestamp()))
    return found


def _order_id(tracker: Tracker):
    """The last order number the shopper wrote, so the agent does not ask for it again."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            found = find_order_id(event.get("text") or "")
            if found:
                return found
    return None


def known_facts(tracker: Tracker) -> dict:
    known = {name: tracker.get_slot(name) for name in FACT_SLOTS if tracker.get_slot(name) not in (None, "", 0)}
    order_id = _order_id(tracker)
    if order_id:
        known["order_id"] = order_id
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent:
        known["intent"] = intent
    return known
