"""Shipping fee questions: 运费多少, 包邮吗, 2公斤到新疆多少钱."""
from __future__ import annotations

import dataclasses
from typing import Any, Dict, List, Text

from rasa_sdk.events import SlotSet

from handoff import Reason
from store import (AmbiguousDestination, FeeQuote, NoQuoteAvailable, StoreConfig, asks_about_free_shipping,
                   common_quote, format_yuan, mentions_several_items, quote_fee)

from .base import Exchange, StoreAction
from .facts import ask_again, fact_slots, read_facts


def _utter_quote(exchange: Exchange, quote: FeeQuote) -> None:
    config = exchange.store.config
    common = dict(province=quote.province, fee=format_yuan(quote.fee), couriers="/".join(quote.couriers),
                  first_kg=format_yuan(quote.first_weight_kg), first_fee=format_yuan(quote.first_fee))
    if quote.weight is None:
        exchange.say("fee_first_weight", **common)
    elif quote.extra_kg:
        exchange.say("fee_quote_continued", weight=quote.weight.text, extra_kg=quote.extra_kg,
                     continued_fee=format_yuan(quote.continued_kg_fee), **common)
    else:
        exchange.say("fee_quote", weight=quote.weight.text, **common)
    if quote.ems_only:
        exchange.say("fee_ems_only", province=quote.province,
                     ems_max_kg=format_yuan(config.shipping.ems.ems_max_kg), first_kg=common["first_kg"])
    elif quote.ems_if_unreachable:
        exchange.say("fee_required_courier", province=quote.province, courier=quote.required_courier)


def _no_quote(exchange: Exchange, err: NoQuoteAvailable, config: StoreConfig) -> list:
    first_kg = format_yuan(config.shipping.first_weight_kg)
    weight = err.facts.get("weight")
    if err.reason == NoQuoteAvailable.TOO_HEAVY:
        exchange.say("fee_too_heavy", weight=weight.text, max_kg=format_yuan(err.facts["max_kg"]))
    elif err.reason == NoQuoteAvailable.EMS_UNPRICED:
        exchange.say("fee_ems_unpriced", province=err.province, first_kg=first_kg,
                     ems_max_kg=format_yuan(config.shipping.ems.ems_max_kg))
    else:
        exchange.say("fee_continued_unpriced", province=err.province, first_kg=first_kg,
                     first_fee=format_yuan(err.facts["first_fee"]), weight=weight.text)
    return exchange.hand_off(Reason.for_quote(err.reason))


def answer_fee(exchange: Exchange) -> List[Dict[Text, Any]]:
    config = exchange.store.config
    facts = read_facts(exchange)
    events: list = [SlotSet("last_topic", "fee")] + fact_slots(facts, config.shipping.max_quote_weight_kg)
    if asks_about_free_shipping(exchange.text):
        exchange.say("fee_not_free")
    if isinstance(facts.problem, AmbiguousDestination):
        shared = common_quote(facts.problem.provinces, facts.weight, config)
        if shared is not None:  # ask only when the answer would differ
            label = f"{facts.problem.place}（{'/'.join(facts.problem.provinces)}）"
            _utter_quote(exchange, dataclasses.replace(shared, province=label))
            return events
    if facts.problem:
        ask_again(exchange, facts.problem)
        return events
    if facts.destination is None:
        exchange.say("ask_destination")
        return events
    try:
        quote = quote_fee(facts.destination.province, facts.weight, config)
    except NoQuoteAvailable as err:
        return events + _no_quote(exchange, err, config)
    _utter_quote(exchange, quote)
    if mentions_several_items(exchange.text):
        exchange.say("fee_cart")
    return events


class ActionQuoteFee(StoreAction):
    def name(self) -> Text:
        return "action_quote_fee"

    def answer(self, exchange):
        return answer_fee(exchange)
