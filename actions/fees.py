"""Shipping fee questions: 运费多少, 包邮吗, 2公斤到新疆多少钱."""
from __future__ import annotations

import dataclasses
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.base import StoreAction, say
from actions.facts import ask_again, fact_slots, read_facts
from actions.handoff import hand_off
from actions.store import (AmbiguousDestination, FeeQuote, common_quote, NoQuoteAvailable, asks_about_free_shipping, format_yuan,
                           mentions_several_items, quote_fee)


def _couriers(names) -> str:
    return "/".join(names)


def _utter_quote(dispatcher: CollectingDispatcher, quote: FeeQuote, ems_only: bool, config) -> None:
    common = dict(province=quote.province, fee=format_yuan(quote.fee), couriers=_couriers(quote.couriers),
                  first_kg=format_yuan(quote.first_weight_kg), first_fee=format_yuan(quote.first_fee))
    if quote.weight is None:
        say(dispatcher, "fee_first_weight", **common)
    elif quote.extra_kg:
        say(dispatcher, "fee_quote_continued", weight=quote.weight.text,
                                 extra_kg=quote.extra_kg, continued_fee=format_yuan(quote.continued_kg_fee), **common)
    else:
        say(dispatcher, "fee_quote", weight=quote.weight.text, **common)
    if ems_only:
        say(dispatcher, "fee_ems_only", province=quote.province,
                                 ems_max_kg=format_yuan(config.shipping.ems.ems_max_kg), first_kg=common["first_kg"])
    elif quote.ems_if_unreachable:
        say(dispatcher, "fee_required_courier", province=quote.province,
                                 courier=quote.required_courier)


def _no_quote(dispatcher: CollectingDispatcher, tracker: Tracker, err: NoQuoteAvailable, config) -> list:
    first_kg = format_yuan(config.shipping.first_weight_kg)
    weight = err.facts.get("weight")
    if err.reason == NoQuoteAvailable.TOO_HEAVY:
        say(dispatcher, "fee_too_heavy", weight=weight.text,
                                 max_kg=format_yuan(err.facts["max_kg"]))
    elif err.reason == NoQuoteAvailable.EMS_UNPRICED:
        say(dispatcher, "fee_ems_unpriced", province=err.province, first_kg=first_kg,
                                 ems_max_kg=format_yuan(config.shipping.ems.ems_max_kg))
    else:
        say(dispatcher, "fee_continued_unpriced", province=err.province,
                                 first_kg=first_kg, first_fee=format_yuan(err.facts["first_fee"]), weight=weight.text)
    return hand_off(dispatcher, tracker, reason=f"quote_{err.reason}")


def answer_fee(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    store = services.store()
    text = tracker.latest_message.get("text") or ""
    facts = read_facts(tracker, store.places)
    events: list = [SlotSet("last_topic", "fee")] + fact_slots(facts, store.config.shipping.max_quote_weight_kg)
    if asks_about_free_shipping(text):
        say(dispatcher, "fee_not_free")
    if isinstance(facts.problem, AmbiguousDestination):
        shared = common_quote(facts.problem.provinces, facts.weight, store.config)
        if shared is not None:  # ask only when the answer would differ
            label = f"{facts.problem.place}（{'/'.join(facts.problem.provinces)}）"
            _utter_quote(dispatcher, dataclasses.replace(shared, province=label),
                         ems_only=store.config.zone_of(shared.province) is None, config=store.config)
            return events
    if facts.problem:
        ask_again(dispatcher, facts.problem)
        return events
    if facts.destination is None:
        say(dispatcher, "ask_destination")
        return events
    province = facts.destination.province
    try:
        quote = quote_fee(province, facts.weight, store.config)
    except NoQuoteAvailable as err:
        return events + _no_quote(dispatcher, tracker, err, store.config)
    _utter_quote(dispatcher, quote, ems_only=store.config.zone_of(province) is None, config=store.config)
    if mentions_several_items(text):
        say(dispatcher, "fee_cart")
    return events


class ActionQuoteFee(StoreAction):
    def name(self) -> Text:
        return "action_quote_fee"

    def answer(self, dispatcher, tracker):
        return answer_fee(dispatcher, tracker)
