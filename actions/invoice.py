"""Invoice questions (store-policy §3); changes, re-issues and special invoices go to the manager."""
from __future__ import annotations

from typing import Text

from handoff import Reason
from store import classify_invoice_question

from .base import StoreAction


class ActionAnswerInvoice(StoreAction):
    def name(self) -> Text:
        return "action_answer_invoice"

    def answer(self, exchange):
        topic = classify_invoice_question(exchange.text)
        exchange.say(f"invoice_{topic.value}")
        if topic.needs_manager:
            return exchange.hand_off(Reason.INVOICE_MANAGER)
        return []
