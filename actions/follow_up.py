"""A bare fact ("新疆", "那2公斤呢") continues the topic the shopper was on (default: the fee)."""
from __future__ import annotations

from typing import Text

from actions.base import StoreAction
from actions.couriers import answer_courier
from actions.delivery import answer_delivery
from actions.fees import answer_fee

_BY_TOPIC = {"delivery": answer_delivery, "courier": answer_courier}


class ActionFollowUp(StoreAction):
    def name(self) -> Text:
        return "action_follow_up"

    def answer(self, dispatcher, tracker):
        return _BY_TOPIC.get(tracker.get_slot("last_topic"), answer_fee)(dispatcher, tracker)
