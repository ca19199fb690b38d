"""What the shopper has told us so far: this message first, then what earlier turns resolved."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from store import (AmbiguousDestination, Destination, Gazetteer, StoreError, UnknownDestination, Weight,
                   WeightUnreadable, find_weight, named_place)

from .base import Exchange


@dataclass(frozen=True)
class Facts:
    destination: Optional[Destination]
    weight: Optional[Weight]
    problem: Optional[StoreError] = None   # what to ask the shopper again
    new_destination: bool = False          # named in this message


def _entity_texts(tracker: Tracker, name: str) -> list[str]:
    text = tracker.latest_message.get("text") or ""
    found = []
    for ent in tracker.latest_message.get("entities") or []:
        if ent.get("entity") == name:
            start, end = ent.get("start"), ent.get("end")
            found.append(text[start:end] if start is not None and end else str(ent.get("value")))
    return found


def _destination(tracker: Tracker, places: Gazetteer) -> tuple[Optional[Destination], Optional[StoreError], bool]:
    text = tracker.latest_message.get("text") or ""
    named = _entity_texts(tracker, "destination")
    for candidate in named + [text]:
        try:
            return places.resolve(candidate), None, True
        except AmbiguousDestination as err:
            return None, err, True
        except UnknownDestination:
            continue
    named = named or [p for p in [named_place(text)] if p]
    if named:  # the shopper named a place we cannot place: ask, never guess
        return None, UnknownDestination(named[0]), True
    province, place = tracker.get_slot("province"), tracker.get_slot("place")
    return (Destination(province, place or province) if province else None), None, False


def _weight(tracker: Tracker) -> tuple[Optional[Weight], Optional[StoreError]]:
    try:
        weight = find_weight(tracker.latest_message.get("text") or "")
    except WeightUnreadable as err:
        return None, err
    if weight is None and tracker.get_slot("weight"):
        try:
            weight = find_weight(tracker.get_slot("weight"))
        except WeightUnreadable:
            weight = None
    return weight, None


def read_facts(exchange: Exchange) -> Facts:
    destination, place_problem, new = _destination(exchange.tracker, exchange.store.places)
    weight, weight_problem = _weight(exchange.tracker)
    return Facts(destination, weight, place_problem or weight_problem, new)


def fact_slots(facts: Facts, max_kg=float("inf")) -> list[dict]:
    """Slots that remember the facts for follow-ups (那北京呢, 那2公斤呢)."""
    events = []
    if facts.destination:
        events += [SlotSet("province", facts.destination.province), SlotSet("place", facts.destination.place)]
    if facts.weight and facts.weight.kg <= max_kg:  # an out-of-range weight is not carried on
        events.append(SlotSet("weight", facts.weight.text))
    return events


def ask_again(exchange: Exchange, problem: StoreError) -> None:
    """The polite question for a fact we could not read."""
    if isinstance(problem, AmbiguousDestination):
        exchange.say("destination_ambiguous", place=problem.place, candidates="、".join(problem.provinces),
                     buttons=[{"title": p + problem.place, "payload": p + problem.place}
                              for p in problem.provinces])
    elif isinstance(problem, UnknownDestination):
        # Echo only letters and digits of what they wrote: never markup, never a long paste.
        exchange.say("destination_unknown", place="".join(re.findall(r"\w", problem.text))[:20] or "？")
    else:
        exchange.say("ask_weight_again")
