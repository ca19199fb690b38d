"""Handing a conversation to a person when the shopper asks for one, complains, wants a return
or to cancel an order; the handoff itself is the handoff service's (see handoff/)."""
from __future__ import annotations

from typing import Text

from handoff import Reason

from .base import StoreAction

_REASON_BY_INTENT = {"request_human": Reason.REQUEST_HUMAN, "complain": Reason.COMPLAINT,
                     "ask_return": Reason.RETURN, "cancel_order": Reason.CANCEL_ORDER,
                     "nlu_fallback": Reason.REPEATED_FALLBACK}


class ActionHandoff(StoreAction):
    def name(self) -> Text:
        return "action_handoff"

    def answer(self, exchange):
        return exchange.hand_off(_REASON_BY_INTENT.get(exchange.intent, Reason.REQUEST_HUMAN))
