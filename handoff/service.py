"""Handing a conversation to a person, the one way every process does it (store-policy §7).

A handoff opens the conversation's ticket (or adds to its open one) with the facts the bot
already knows (首问负责制: the shopper never repeats themselves), due half a working day later by
the store's *current* working hours, and gives the text the shopper is told. The ticket is
committed before that text names its number. What was said is the helpdesk message record: the
web chat writes it as the conversation goes; for a conversation that did not come through the web
chat (Rasa's REST channel) the caller passes the bot's turns and they are recorded first.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Sequence

from helpdesk import MessageStore, Ticket, TicketStore, Turn
from store import Store, describe_due, reply_due

from .metrics import count_handoff
from .reasons import Reason

logger = logging.getLogger(__name__)
_TRACKER_KEY = "tracker:"
_LIVE_SENDERS = ("shopper", "bot")
# The answers (store_config/replies.yml) for (a new ticket, an added-to ticket, nothing stored).
_BOT_PATH = ("handoff_ticket", "handoff_ticket_updated", "handoff_contact")
_UNAVAILABLE_PATH = ("bot_unavailable_ticket", "bot_unavailable_ticket_updated", "bot_unavailable_failed")


def tracker_turn(sender: str, text: str, timestamp: float) -> Turn:
    """A message from Rasa's tracker, keyed by its event time so a later handoff records it once."""
    return Turn(sender, text, dt.datetime.fromtimestamp(timestamp, dt.timezone.utc),
                f"{_TRACKER_KEY}{timestamp:.6f}:{sender}")


def _due(store: Store, now: dt.datetime) -> dt.datetime:
    hours = store.config.handoff
    return reply_due(now, store.calendar, hours.working_hours, hours.lunch_break,
                     hours.reply_within_working_fraction)


@dataclass(frozen=True)
class HandoffResult:
    ticket: Optional[Ticket]     # None when nothing could be stored
    created: bool                # a new ticket, not one added to
    text: str                    # what the shopper is told


class HandoffService:
    def __init__(self, tickets: TicketStore, messages: MessageStore, store: Callable[[], Store],
                 clock: Callable[[], dt.datetime]) -> None:
        self._tickets, self._messages = tickets, messages
        self._store, self._clock = store, clock

    def hand_off(self, conversation_id: str, reason: Reason, facts: Optional[Mapping[str, object]] = None,
                 turns: Sequence[Turn] = ()) -> HandoffResult:
        store, now = self._store(), self._clock()
        new, updated, failed = _UNAVAILABLE_PATH if reason is Reason.BOT_UNAVAILABLE else _BOT_PATH
        try:
            if turns and not self._recorded_live(conversation_id):
                self._messages.import_turns(conversation_id, turns)
            ticket, created = self._tickets.open_or_append(conversation_id, reason.value, dict(facts or {}),
                                                           now, _due(store, now))
        except Exception:
            # No ticket was stored: never a number that does not exist.
            logger.exception("could not store the handoff ticket for %s (%s)", conversation_id, reason.value)
            count_handoff(reason.value, "not_stored")
            return HandoffResult(None, False, store.replies.render(failed)[0])
        count_handoff(reason.value, "opened" if created else "added")
        text, _ = store.replies.render(new if created else updated, ticket=ticket.number,
                                       due=describe_due(ticket.due_at, now))
        return HandoffResult(ticket, created, text)

    def failure_text(self, reason: Reason) -> str:
        """What the shopper is told when not even the handoff could be stored."""
        failed = (_UNAVAILABLE_PATH if reason is Reason.BOT_UNAVAILABLE else _BOT_PATH)[2]
        return self._store().replies.render(failed)[0]

    def _recorded_live(self, conversation_id: str) -> bool:
        """The web chat records its conversations itself: then the tracker's copy is not needed."""
        return any(m.sender in _LIVE_SENDERS and not (m.client_msg_id or "").startswith(_TRACKER_KEY)
                   for m in self._messages.since(conversation_id))
