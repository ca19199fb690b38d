"""Why a conversation was handed to a person: the names stored on tickets and the labels agents see."""
from __future__ import annotations

import enum


class Reason(enum.Enum):
    BOT_UNAVAILABLE = "bot_unavailable"                    # the console got no answer from the bot
    # Rasa refused to answer: it could not read or save the conversation (or its lock). Once per
    # conversation per outage (console/chat/service.py), so an outage does not flood the inbox.
    CONVERSATION_STORE_UNAVAILABLE = "conversation_store_unavailable"
    REQUEST_HUMAN = "request_human"
    COMPLAINT = "complaint"
    RETURN = "return"
    CANCEL_ORDER = "cancel_order"
    REPEATED_FALLBACK = "repeated_fallback"
    ACTION_FAILED = "action_failed"
    INVOICE_MANAGER = "invoice_manager"
    QUOTE_EMS_UNPRICED = "quote_ems_unpriced"              # one per NoQuoteAvailable reason
    QUOTE_CONTINUED_UNPRICED = "quote_continued_unpriced"
    QUOTE_TOO_HEAVY = "quote_too_heavy"

    @property
    def label(self) -> str:
        """What the agent inbox shows."""
        return _LABELS[self]

    @classmethod
    def for_quote(cls, no_quote_reason: str) -> "Reason":
        """The reason for a fee the store has no price for (NoQuoteAvailable.reason)."""
        return cls(f"quote_{no_quote_reason}")

    @classmethod
    def label_of(cls, name: str) -> str:
        """The label of a stored reason name; a name this version does not know shows as itself."""
        try:
            return cls(name).label
        except ValueError:
            return name


_LABELS = {
    Reason.BOT_UNAVAILABLE: "机器人无法回复",
    Reason.CONVERSATION_STORE_UNAVAILABLE: "会话存储故障，机器人未能回复",
    Reason.REQUEST_HUMAN: "顾客要求转人工",
    Reason.COMPLAINT: "投诉",
    Reason.RETURN: "退换货/商品损坏",
    Reason.CANCEL_ORDER: "取消订单",
    Reason.REPEATED_FALLBACK: "机器人连续没听懂",
    Reason.ACTION_FAILED: "机器人出错",
    Reason.INVOICE_MANAGER: "发票问题，需店长处理",
    Reason.QUOTE_EMS_UNPRICED: "需要人工报价（EMS）",
    Reason.QUOTE_CONTINUED_UNPRICED: "需要人工报价（超重续重）",
    Reason.QUOTE_TOO_HEAVY: "需要人工报价（超过可报价重量）",
}
