"""Courier questions: 发什么快递, 能发顺丰吗, 新疆发什么快递."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.base import StoreAction, say
from actions.facts import fact_slots, read_facts
from actions.store import find_courier


def _join(names) -> str:
    return "、".join(names)


def answer_courier(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    store = services.store()
    couriers = store.config.shipping.couriers
    text = tracker.latest_message.get("text") or ""
    facts = read_facts(tracker, store.places)
    named = find_courier(text) or next(
        (find_courier(str(e.get("value"))) for e in tracker.latest_message.get("entities") or []
         if e.get("entity") == "courier"), None)
    if named and named not in couriers.available:
        say(dispatcher, "courier_unavailable", courier=named, available=_join(couriers.available))
    province = facts.destination.province if facts.destination and not facts.problem else None
    if province:
        required = store.config.required_courier(province)
        if required:
            say(dispatcher, "courier_required", province=province, courier=required)
        else:
            say(dispatcher, "courier_for_province", province=province,
                                     couriers=_join(couriers.default))
    elif not named or named in couriers.available:
        say(dispatcher, "courier_general", available=_join(couriers.available),
                                 default=_join(couriers.default))
        for rule in couriers.restricted:
            say(dispatcher, "courier_restricted", provinces=_join(rule.provinces),
                                     courier=rule.courier)
    say(dispatcher, "courier_order_note")
    return [SlotSet("last_topic", "courier")] + fact_slots(facts)


class ActionAnswerCourier(StoreAction):
    def name(self) -> Text:
        return "action_answer_courier"

    def answer(self, dispatcher, tracker):
        return answer_courier(dispatcher, tracker)
