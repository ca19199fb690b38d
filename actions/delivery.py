"""Ship and arrival dates: 今天能发货吗, 几天到, 周五前能到新疆吗."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk.events import SlotSet

from store import arrival_deadline, arrival_verdict, estimate_arrival, format_day

from .base import Exchange, StoreAction
from .facts import fact_slots, read_facts


def answer_delivery(exchange: Exchange) -> List[Dict[Text, Any]]:
    config, now = exchange.store.config, exchange.now
    shipping = config.shipping
    today = now.date()
    facts = read_facts(exchange)  # a place we cannot read only loses the remote-zone detail
    province = facts.destination.province if facts.destination else None
    zone = config.zone_of(province) if province else None
    extra = zone.arrival_extra_days if zone else (0, 0)
    est = estimate_arrival(now, exchange.store.calendar, shipping.cutoff, shipping.arrival_days, extra)
    days = dict(ship_day=format_day(est.ship_date, today), cutoff=f"{shipping.cutoff:%H:%M}",
                days_min=(est.earliest - est.ship_date).days, days_max=(est.latest - est.ship_date).days,
                earliest=format_day(est.earliest, today), latest=format_day(est.latest, today))
    if province:
        exchange.say("delivery_estimate_place", province=province, **days)
        if est.remote:
            exchange.say("delivery_remote", province=province, extra_min=extra[0], extra_max=extra[1])
    else:
        exchange.say("delivery_estimate", **days)
    target = arrival_deadline(exchange.text, today)
    if target is not None:
        exchange.say(f"delivery_target_{arrival_verdict(est, target).value}", target=format_day(target, today),
                     earliest=days["earliest"], latest=days["latest"])
    exchange.say("delivery_caveat")
    return [SlotSet("last_topic", "delivery")] + fact_slots(facts)


class ActionDeliveryTime(StoreAction):
    def name(self) -> Text:
        return "action_delivery_time"

    def answer(self, exchange):
        return answer_delivery(exchange)
