"""Questions the store's handbook answers with its own words (store-policy §1.4, §2, §5, §6, §8):
several items in one order, payment, self-pickup, authenticity, contact details, receiving the
parcel, coupons and campaigns, tracking; returns and cancellations before their handoff."""
from __future__ import annotations

from typing import Text

from store import format_yuan, mentions_other_shops

from .base import Exchange, StoreAction


def _combined_shipping(exchange: Exchange) -> None:
    exchange.say("combined_shipping", first_kg=format_yuan(exchange.store.config.shipping.first_weight_kg))


def _authenticity(exchange: Exchange) -> None:
    exchange.say("authenticity")
    if mentions_other_shops(exchange.text):  # never a word on other shops (§2, §8)
        exchange.say("bargain_other_shops")


def _promotion(exchange: Exchange) -> None:
    exchange.say("promotion")
    for campaign in exchange.store.config.promotions.campaigns:
        exchange.say("promotion_current", campaign=campaign)


def _fixed(*answers: str):
    def answer(exchange: Exchange) -> None:
        for name in answers:
            exchange.say(name)
    return answer


ANSWERS = {
    "ask_combined_shipping": _combined_shipping,
    "ask_payment": _fixed("payment"),
    "ask_pickup": _fixed("pickup"),
    "ask_authenticity": _authenticity,
    "ask_contact": _fixed("contact"),
    "ask_receiving": _fixed("receiving_check"),
    "ask_promotion": _promotion,
    "ask_tracking": _fixed("tracking"),
    "ask_return": _fixed("receiving_check", "return_handoff"),   # then action_handoff (rules)
    "cancel_order": _fixed("cancel_order"),                      # then action_handoff (rules)
}


class ActionAnswerPolicy(StoreAction):
    def name(self) -> Text:
        return "action_answer_policy"

    def answer(self, exchange):
        ANSWERS.get(exchange.intent, _fixed("not_understood"))(exchange)
        return []
