"""A bare fact ("新疆", "那2公斤呢") continues the topic the shopper was on (default: the fee)."""
from __future__ import annotations

from typing import Text

from .base import StoreAction
from .couriers import answer_courier
from .delivery import answer_delivery
from .fees import answer_fee

_BY_TOPIC = {"delivery": answer_delivery, "courier": answer_courier}


class ActionFollowUp(StoreAction):
    def name(self) -> Text:
        return "action_follow_up"

    def answer(self, exchange):
        return _BY_TOPIC.get(exchange.tracker.get_slot("last_topic"), answer_fee)(exchange)
