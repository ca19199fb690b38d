"""Ship and arrival dates: 今天能发货吗, 几天到, 周五前能到新疆吗; for an order already placed
(我的快递什么时候到), the usual window after shipping and how to track it."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk.events import SlotSet

from store import arrival_deadline, arrival_verdict, asks_about_placed_order, estimate_arrival, format_day

from .base import Exchange, StoreAction
from .facts import fact_slots, read_facts


def _placed_order(exchange: Exchange, province, extra) -> None:
    """An order already placed: never a ship date computed from now; the usual window after
    shipping and how to follow the parcel."""
    shipping = exchange.store.config.shipping
    exchange.say("delivery_placed_order", cutoff=f"{shipping.cutoff:%H:%M}",
                 days_min=shipping.arrival_days[0], days_max=shipping.arrival_days[1])
    if province and extra != (0, 0):
        exchange.say("delivery_remote", province=province, extra_min=extra[0], extra_max=extra[1])
    exchange.say("tracking")


def answer_delivery(exchange: Exchange) -> List[Dict[Text, Any]]:
    config, now = exchange.store.config, exchange.now
    shipping = config.shipping
    today = now.date()
    facts = read_facts(exchange)  # a place we cannot read only loses the remote-zone detail
    province = facts.destination.province if facts.destination else None
    zone = config.zone_of(province) if province else None
    extra = zone.arrival_extra_days if zone else (0, 0)
    events = [SlotSet("last_topic", "delivery")] + fact_slots(facts)
    if asks_about_placed_order(exchange.text):
        _placed_order(exchange, province, extra)
        exchange.say("delivery_caveat")
        return events
    est = estimate_arrival(now, exchange.store.calendar, shipping.cutoff, shipping.arrival_days, extra)
    days = dict(ship_day=format_day(est.ship_date, today), cutoff=f"{shipping.cutoff:%H:%M}",
                days_min=(est.earliest - est.ship_date).days, days_max=(est.latest - est.ship_date).days,
                earliest=format_day(est.earliest, today), latest=format_day(est.latest, today))
    if province and config.is_ems_only(province):  # 港澳台: EMS's own time, no 2–3-day promise
        exchange.say("delivery_ems_region", province=province, ship_day=days["ship_day"], cutoff=days["cutoff"])
        return events
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
    return events


class ActionDeliveryTime(StoreAction):
    def name(self) -> Text:
        return "action_delivery_time"

    def answer(self, exchange):
        return answer_delivery(exchange)
