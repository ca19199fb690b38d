"""Courier questions: 发什么快递, 能发顺丰吗, 新疆发什么快递."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk.events import SlotSet

from store import find_courier

from .base import Exchange, StoreAction
from .facts import fact_slots, read_facts


def _join(names) -> str:
    return "、".join(names)


def answer_courier(exchange: Exchange) -> List[Dict[Text, Any]]:
    config = exchange.store.config
    couriers = config.shipping.couriers
    facts = read_facts(exchange)
    named = find_courier(exchange.text) or next(
        (find_courier(str(e.get("value"))) for e in exchange.tracker.latest_message.get("entities") or []
         if e.get("entity") == "courier"), None)
    if named and named not in couriers.available:
        exchange.say("courier_unavailable", courier=named, available=_join(couriers.available))
    province = facts.destination.province if facts.destination and not facts.problem else None
    if province:
        required = config.required_courier(province)
        if required:
            exchange.say("courier_required", province=province, courier=required)
        else:
            exchange.say("courier_for_province", province=province, couriers=_join(couriers.default))
    elif not named or named in couriers.available:
        exchange.say("courier_general", available=_join(couriers.available), default=_join(couriers.default))
        for rule in couriers.restricted:
            exchange.say("courier_restricted", provinces=_join(rule.provinces), courier=rule.courier)
    exchange.say("courier_order_note")
    return [SlotSet("last_topic", "courier")] + fact_slots(facts)


class ActionAnswerCourier(StoreAction):
    def name(self) -> Text:
        return "action_answer_courier"

    def answer(self, exchange):
        return answer_courier(exchange)
