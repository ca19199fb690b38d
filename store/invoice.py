"""What an invoice question is about (store-policy §3): most are answered, some need the manager."""
from __future__ import annotations

import enum
import re

from .text import normalize


class InvoiceTopic(enum.Enum):
    HOW_TO = "how_to"            # can I get one / where do I write the title
    WHEN = "when"                # when is it posted, how do I receive it
    CONTENT = "content"          # what it lists (no 礼品/办公用品)
    SHIPPING = "shipping"        # invoice for the shipping fee
    WARRANTY = "warranty"        # do I need it for warranty
    PAPER = "paper"              # paper or electronic (paper, by registered post)
    MANAGER = "manager"          # change title, re-issue, forgot the note, special VAT invoice

    @property
    def needs_manager(self) -> bool:
        return self is InvoiceTopic.MANAGER


# First match wins: manager requests before general questions.
_RULES: tuple[tuple[InvoiceTopic, re.Pattern], ...] = tuple(
    (topic, re.compile(pattern, re.IGNORECASE)) for topic, pattern in (
        (InvoiceTopic.MANAGER, r"改|修改|换|重开|重新开|补开|补寄|再开|作废|红冲|忘了?留言|没留言|忘记|漏写|专票|专用发票|增值税|抬头写错|开错"),
        (InvoiceTopic.SHIPPING, r"运费.{0,4}(发票|票)|(发票|票).{0,6}运费|快递费"),
        (InvoiceTopic.WARRANTY, r"保修|联保|售后|质保"),
        (InvoiceTopic.PAPER, r"电子(发票|票|版|的)|纸质|纸的|纸票|pdf|发邮箱|扫描件"),
        (InvoiceTopic.CONTENT, r"礼品|办公用品|明细|品名|内容|金额|写什么|开成|开什么"),
        (InvoiceTopic.WHEN, r"什么时候|多久|几天|多长时间|寄出|寄给|收到|邮寄|挂号|怎么收|领取|没收到"),
    )
)


def classify_invoice_question(text: str) -> InvoiceTopic:
    norm = normalize(text)
    for topic, pattern in _RULES:
        if pattern.search(norm):
            return topic
    return InvoiceTopic.HOW_TO
