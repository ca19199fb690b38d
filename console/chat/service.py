"""One shopper message, end to end: store it, answer it with the bot, or, when the bot cannot
answer, keep it and open a ticket so a person replies. The socket layer only passes events in
and pushes `notify` events out.

An outage of a shared store is not a reason for a ticket: when Rasa refuses to answer because its
conversation or lock store is down (`RasaBusy`), or the helpdesk database cannot take the ticket,
the shopper is asked to try again shortly (the owner's `system_busy_retry` answer). A message is
acknowledged only once it is stored; nothing waits in this process's memory for a later retry."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import weakref
from typing import Awaitable, Callable

from handoff import HandoffService, Reason
from helpdesk import Message, MessageStore

from .. import texts
from ..background import Background
from ..metrics import answer_timed, count_bot_unavailable
from ..rasa_client import RasaBusy, RasaClient, RasaUnavailable
from .input import clean_id, clean_text, too_long

logger = logging.getLogger(__name__)
Notify = Callable[[str, str, dict], Awaitable[None]]   # (conversation id, event, payload)


def message_json(message: Message) -> dict:
    """What the browser gets; it renders every field as text."""
    data = {"id": message.id, "sender": message.sender, "text": message.text,
            "buttons": message.buttons or [], "time": message.created_at.isoformat()}
    if message.client_msg_id:
        data["client_msg_id"] = message.client_msg_id
    return data


def _refused(error: str, hint: str) -> dict:
    return {"ok": False, "error": error, "hint": hint}


class ChatService:
    def __init__(self, messages: MessageStore, rasa: RasaClient, handoff: HandoffService,
                 clock: Callable[[], dt.datetime], notify: Notify, background: Background,
                 busy_text: Callable[[], str]) -> None:
        self.messages, self.rasa, self.handoff = messages, rasa, handoff
        self._clock, self._notify = clock, notify
        self.busy_text = busy_text  # the owner's "please try again shortly", read live
        self._background = background
        # One bot exchange at a time per conversation keeps replies in the order of the questions.
        self._locks: "weakref.WeakValueDictionary[str, asyncio.Lock]" = weakref.WeakValueDictionary()

    async def history(self, conversation_id: str, after_id: int = 0) -> list[dict]:
        found = await asyncio.to_thread(self.messages.since, conversation_id, after_id)
        return [message_json(m) for m in found]

    async def receive(self, conversation_id: str, data: object) -> dict:
        """A shopper's message {text, client_msg_id, payload?}. Returns the acknowledgement at
        once; the bot's answer follows as `message` events."""
        data = data if isinstance(data, dict) else {}
        text = clean_text(data.get("text"))
        if not text:
            return _refused("empty", texts.EMPTY)
        # A quick-reply button shows its title and sends its payload to the bot.
        payload = clean_text(data.get("payload")) or text
        if too_long(text) or too_long(payload):
            return _refused("too_long", texts.TOO_LONG)
        try:
            message, created = await asyncio.to_thread(
                self.messages.record, conversation_id, "shopper", text,
                client_msg_id=clean_id(data.get("client_msg_id")), now=self._clock())
        except Exception:
            logger.exception("could not store a shopper message")
            return _refused("not_saved", texts.NOT_SAVED)
        if created:  # a resend after a reconnect is acknowledged, not asked twice
            await self._notify(conversation_id, "message", message_json(message))
            self._background.spawn(answer_timed(self._answer(conversation_id, payload)))
        return {"ok": True, "message": message_json(message)}

    async def _answer(self, conversation_id: str, text: str) -> bool:
        """True when the bot's replies were shown (the metrics time those)."""
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        async with lock:
            await self._notify(conversation_id, "typing", {"on": True})
            try:
                replies = await self._ask_bot(conversation_id, text)
                if replies:
                    for reply in replies:
                        await self._say(conversation_id, "bot", reply["text"], reply["buttons"])
                    return True
                else:
                    count_bot_unavailable()
                    await self._hand_off(conversation_id)
            except RasaBusy as err:
                logger.warning("bot busy for %s, the shopper is asked to retry: %s", conversation_id, err)
                await self._ask_to_retry(conversation_id)
            except Exception:  # e.g. the helpdesk database went away while the bot answered
                logger.exception("answering conversation %s failed", conversation_id)
                await self._notify(conversation_id, "notice", {"text": self.busy_text()})
            finally:
                await self._notify(conversation_id, "typing", {"on": False})
        return False

    async def _ask_bot(self, conversation_id: str, text: str) -> list[dict]:
        """The bot's replies; [] when it is down or said nothing. Raises RasaBusy."""
        try:
            replies = await self.rasa.send_message(conversation_id, text)
        except RasaBusy:
            raise
        except RasaUnavailable as err:
            logger.warning("bot unavailable for %s: %s", conversation_id, err)
            return []
        if not replies:
            logger.warning("bot gave no reply to %s (is the action server down?)", conversation_id)
        return replies

    async def _say(self, conversation_id: str, sender: str, text: str, buttons=None) -> None:
        message = await asyncio.to_thread(self.messages.append, conversation_id, sender, text,
                                          buttons, now=self._clock())
        await self._notify(conversation_id, "message", message_json(message))

    async def _hand_off(self, conversation_id: str) -> None:
        """The shopper's message is already in the record: open (or add to) the conversation's
        ticket, then tell the shopper its number and when staff will reply."""
        result = await asyncio.to_thread(self.handoff.hand_off, conversation_id, Reason.BOT_UNAVAILABLE)
        if result.ticket is None:  # the helpdesk database is down too: no ticket to promise
            await self._notify(conversation_id, "notice", {"text": self.busy_text()})
            return
        await self._say(conversation_id, "system", result.text)

    async def _ask_to_retry(self, conversation_id: str) -> None:
        """Into the record when it can be written (the shopper sees it after a reload too), else
        only to the open pages."""
        try:
            await self._say(conversation_id, "system", self.busy_text())
        except Exception:
            logger.warning("could not record the retry notice for %s", conversation_id, exc_info=True)
            await self._notify(conversation_id, "notice", {"text": self.busy_text()})
