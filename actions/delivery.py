"""Ship and arrival dates: 今天能发货吗, 几天到, 周五前能到新疆吗."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.base import StoreAction, say
from actions.facts import fact_slots, read_facts
from actions.store import estimate_arrival, format_day, arrival_deadline


def answer_delivery(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    store = services.store()
    shipping = store.config.shipping
    now = services.now()
    today = now.date()
    facts = read_facts(tracker, store.places)  # a place we cannot read only loses the remote-zone detail
    province = facts.destination.province if facts.destination else None
    zone = store.config.zone_of(province) if province else None
    extra = zone.arrival_extra_days if zone else (0, 0)
    est = estimate_arrival(now, store.calendar, shipping.cutoff, shipping.arrival_days, extra)
    days = dict(ship_day=format_day(est.ship_date, today), cutoff=f"{shipping.cutoff:%H:%M}",
                days_min=(est.earliest - est.ship_date).days, days_max=(est.latest - est.ship_date).days,
                earliest=format_day(est.earliest, today), latest=format_day(est.latest, today))
    if province:
        say(dispatcher, "delivery_estimate_place", province=province, **days)
        if est.remote:
            say(dispatcher, "delivery_remote", province=province,
                                     extra_min=extra[0], extra_max=extra[1])
    else:
        say(dispatcher, "delivery_estimate", **days)
    target = arrival_deadline(tracker.latest_message.get("text") or "", today)
    if target is not None:
        verdict = "likely" if est.latest <= target else "unlikely" if est.earliest > target else "possible"
        say(dispatcher, f"delivery_target_{verdict}", target=format_day(target, today),
                                 earliest=days["earliest"], latest=days["latest"])
    say(dispatcher, "delivery_caveat")
    return [SlotSet("last_topic", "delivery")] + fact_slots(facts)


class ActionDeliveryTime(StoreAction):
    def name(self) -> Text:
        return "action_delivery_time"

    def answer(self, dispatcher, tracker):
        return answer_delivery(dispatcher, tracker)
