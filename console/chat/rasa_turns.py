"""Which shopper messages Rasa has already been asked, and what it answered.

Every message the console sends to Rasa carries its id in the record (`helpdesk_message_id` in
the REST channel's metadata, kept by Rasa with the user event). A console taking over a message
whose first console died reads Rasa's tracker first: when the message is there, Rasa has answered
it already (its bot events follow the user event) and asking again would put a second copy of
the shopper's words into the conversation, and run its actions twice."""
from __future__ import annotations

from typing import Iterable

from ..rasa_client import bot_replies

MESSAGE_ID_KEY = "helpdesk_message_id"


def message_metadata(message_id: int) -> dict:
    """The REST channel's metadata for one shopper message."""
    return {MESSAGE_ID_KEY: message_id}


def _metadata(event: dict) -> dict:
    metadata = event.get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def replies_given(events: Iterable[dict], message_ids: Iterable[int]) -> dict[int, list[dict]]:
    """{message id: the bot's replies ({text, buttons}), [] when it said nothing} for each of
    `message_ids` Rasa's tracker events hold. Agent replies written into the tracker are not the
    bot's."""
    wanted, given, current = set(message_ids), {}, None
    for event in events:
        kind = event.get("event")
        if kind == "user":
            current = _metadata(event).get(MESSAGE_ID_KEY)
            current = current if current in wanted and current not in given else None
            if current is not None:
                given[current] = []
        elif kind == "bot" and current is not None and not _metadata(event).get("agent"):
            data = event.get("data") if isinstance(event.get("data"), dict) else {}
            given[current].append({"text": event.get("text"), "buttons": data.get("buttons")})
    return {message_id: bot_replies(raw) for message_id, raw in given.items()}
