"""Invoice questions (store-policy §3); changes, re-issues and special invoices go to the manager."""
from __future__ import annotations

from typing import Text

from actions.base import StoreAction, say
from actions.handoff import hand_off
from actions.store import classify_invoice_question


class ActionAnswerInvoice(StoreAction):
    def name(self) -> Text:
        return "action_answer_invoice"

    def answer(self, dispatcher, tracker):
        topic = classify_invoice_question(tracker.latest_message.get("text") or "")
        say(dispatcher, f"invoice_{topic.value}")
        if topic.needs_manager:
            return hand_off(dispatcher, tracker, reason="invoice_manager")
        return []
