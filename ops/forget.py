"""`make forget CONVERSATION=<id>`: one shopper's conversation deleted everywhere, while the
assistant runs — Rasa's events, the helpdesk's messages and tickets (open ones too), and the
owner's review decisions and labelled examples that quote what the shopper wrote (matched by the
masked text's key, the key the review queue files them under; the owner can label the same
words again from another shopper's message). Idempotent: a second run finds nothing.

A message being answered at that very moment can be written back by Rasa or the console after
the first pass (Rasa re-saves the whole session it holds when its stored count is short): a
second pass after `settle` seconds deletes what came back."""
from __future__ import annotations

import logging
import time
from typing import Callable

from tuning import mask, message_key

from .personal_data import Erased, PersonalData

logger = logging.getLogger(__name__)
SETTLE_SECONDS = 3.0   # longer than Rasa takes to answer one message (README "Speed")


def forget_conversation(data: PersonalData, conversation_id: str, settle: float = SETTLE_SECONDS,
                        sleep: Callable[[float], None] = time.sleep) -> Erased:
    keys = {message_key(mask(text).text) for text in data.shopper_texts(conversation_id)} - {""}
    erased = data.erase(conversation_id)
    erased.review_decisions = data.decisions.forget(keys)
    if data.labels is not None:
        erased.owner_examples = len(data.labels.forget(keys))
    if settle > 0:
        sleep(settle)
        erased.add(data.erase(conversation_id))
    logger.info("forgot conversation %s: %d events, %d messages, tickets %s, %d review decisions, "
                "%d owner examples", conversation_id, erased.events, erased.messages, erased.tickets or "none",
                erased.review_decisions, erased.owner_examples)
    return erased
