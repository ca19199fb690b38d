"""One shopper message, end to end: store it, answer it with the bot, or, when the bot cannot
answer, keep it and open a ticket so a person replies. The socket layer only passes events in
and pushes `notify` events out.

When Rasa refuses to answer because its conversation or lock store is down (`RasaBusy`), the
shopper is asked to try again shortly (the owner's `system_busy_retry` answer) and a person is
handed the conversation (reason `conversation_store_unavailable`), once per conversation per
outage: the outage ends, for this instance, with the next answer Rasa gives (or 10 minutes after
the ticket, for a quiet conversation). When the helpdesk database cannot take a ticket, the
shopper is only asked to try again. A message is acknowledged only once it is stored; nothing
waits in this process's memory for a later retry.

Several console instances share the helpdesk database. An instance answering a conversation holds
its answer lease (answer_lease.py) until the answer, handoff or retry notice is stored. When it
dies mid-way, the shopper's page reconnects to another instance, syncs and resends what was not
acknowledged: there, a recent shopper message with no later bot, agent or system message and no
live lease (`MessageStore.unanswered`) is answered, once (the lease decides which instance), in
order. Rasa is asked only if its tracker does not hold the message yet (rasa_turns.py); otherwise
the replies it gave are stored. While the dead instance's lease still runs, the instance the
shopper is on looks again every POLL_SECONDS until it ends."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import weakref
from typing import Awaitable, Callable, Optional

from handoff import HandoffService, Reason
from helpdesk import Message, MessageStore

from .. import texts
from ..background import Background
from ..metrics import answer_timed, count_bot_unavailable
from ..rasa_client import RasaBusy, RasaClient, RasaUnavailable
from .answer_lease import POLL_SECONDS, AnswerLeases, HeldLease
from .input import clean_id, clean_text, too_long
from .rasa_turns import message_metadata, replies_given

logger = logging.getLogger(__name__)
Notify = Callable[[str, str, dict], Awaitable[None]]   # (conversation id, event, payload)
# A message left unanswered longer than this is the agents' business, not the bot's.
UNANSWERED_WINDOW = dt.timedelta(minutes=10)
# A conversation ticketed for a conversation-store outage is not ticketed again for this long,
# unless Rasa answered in between (then a later failure is a new outage).
OUTAGE_SECONDS = UNANSWERED_WINDOW.total_seconds()


def message_json(message: Message) -> dict:
    """What the browser gets; it renders every field as text."""
    data = {"id": message.id, "sender": message.sender, "text": message.text,
            "buttons": message.buttons or [], "time": message.created_at.isoformat()}
    if message.client_msg_id:
        data["client_msg_id"] = message.client_msg_id
    return data


def _refused(error: str, hint: str) -> dict:
    return {"ok": False, "error": error, "hint": hint}


class LeaseLost(Exception):
    """Another instance took the conversation over while this one asked Rasa: it answers."""


class ChatService:
    def __init__(self, messages: MessageStore, rasa: RasaClient, handoff: HandoffService,
                 clock: Callable[[], dt.datetime], notify: Notify, background: Background,
                 busy_text: Callable[[], str], leases: AnswerLeases,
                 unanswered_window: dt.timedelta = UNANSWERED_WINDOW) -> None:
        self.messages, self.rasa, self.handoff = messages, rasa, handoff
        self._clock, self._notify = clock, notify
        self.busy_text = busy_text  # the owner's "please try again shortly", read live
        self._background, self._leases, self._window = background, leases, unanswered_window
        # One bot exchange at a time per conversation keeps replies in the order of the questions.
        self._locks: "weakref.WeakValueDictionary[str, asyncio.Lock]" = weakref.WeakValueDictionary()
        # conversation → {message id: text for the bot}: accepted here, not answered yet
        self._queued: dict[str, dict[int, str]] = {}
        self._watches: dict[str, asyncio.Task] = {}  # waiting for another instance's lease to end
        # conversation → when (monotonic) it was ticketed since Rasa last answered
        self._ticketed_in_outage: dict[str, float] = {}

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
        if created:
            self._queued.setdefault(conversation_id, {})[message.id] = payload
            await self._notify(conversation_id, "message", message_json(message))
            self._background.spawn(answer_timed(self._answer(conversation_id)))
        else:  # a resend after a reconnect is not asked twice, but its console may have died
            self.resume(conversation_id)
        return {"ok": True, "message": message_json(message)}

    def resume(self, conversation_id: str) -> None:
        """The shopper's page reconnected (or resent a message): answer what a console that died
        left unanswered. Costs one indexed query when nothing was."""
        self._background.spawn(answer_timed(self._answer(conversation_id, resumed=True)))

    async def close(self) -> None:
        """At shutdown: stop waiting for other instances' leases (their shoppers resync)."""
        watches = list(self._watches.values())
        for watch in watches:
            watch.cancel()
        await asyncio.gather(*watches, return_exceptions=True)

    async def _answer(self, conversation_id: str, resumed: bool = False) -> bool:
        """Answer what waits in the conversation, under its lease. True when the bot's replies
        were shown (the metrics time those)."""
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        async with lock:
            queued = self._queued.get(conversation_id)
            try:
                if not queued and not (resumed and await self._unanswered(conversation_id)):
                    return False  # answered meanwhile, or nothing was left
                lease = await self._leases.take(conversation_id)
            except Exception:  # the helpdesk database went away: a later sync finds what is left
                logger.warning("cannot look at or take the answer lease of %s", conversation_id, exc_info=True)
                if queued:
                    await self._notify(conversation_id, "notice", {"text": self.busy_text()})
                return False
            if lease is None:  # another instance answers, or died and its lease still runs
                self._watch(conversation_id)
                return False
            try:
                if queued and not resumed and not lease.taken_over:
                    return await self._answer_own(lease, queued)
                return await self._answer_left(lease)
            except LeaseLost:
                logger.warning("conversation %s was taken over by another console instance", conversation_id)
                self._queued.pop(conversation_id, None)  # the other instance answers those too
            except Exception:  # the lease runs out by itself; a later sync finds what is left
                logger.exception("answering conversation %s failed", conversation_id)
                await self._notify(conversation_id, "notice", {"text": self.busy_text()})
            finally:
                if not self._queued.get(conversation_id):
                    self._queued.pop(conversation_id, None)
        return False

    async def _answer_own(self, lease: HeldLease, queue: dict[int, str]) -> bool:
        """The messages this instance accepted, in order (more may arrive meanwhile)."""
        replied = False
        while queue:
            message_id = min(queue)
            replied |= await self._exchange(lease, message_id, queue.pop(message_id))
        await lease.release()
        return replied

    async def _answer_left(self, lease: HeldLease) -> bool:
        """Everything recent nobody has answered, read again under the lease (whoever held it
        before may have answered meanwhile), then this instance's own later messages."""
        conversation_id = lease.conversation_id
        queue = self._queued.setdefault(conversation_id, {})
        queued_before = set(queue)
        left = await self._unanswered(conversation_id)
        for message_id in queued_before - {m.id for m in left}:
            queue.pop(message_id, None)  # answered by another instance
        # Rasa may hold a message already: one its dead console sent, or any when it died.
        given = await self._replies_rasa_gave(
            conversation_id, [m.id for m in left if m.id not in queue or lease.taken_over])
        replied = False
        for message in left:
            logger.info("answering message %s of %s left unanswered%s", message.id, conversation_id,
                        " (Rasa had answered it)" if message.id in given else "")
            text = queue.pop(message.id, message.text)
            replied |= await self._exchange(lease, message.id, text, given.get(message.id))
        return await self._answer_own(lease, queue) or replied

    async def _unanswered(self, conversation_id: str) -> list[Message]:
        return await asyncio.to_thread(self.messages.unanswered, conversation_id, self._clock() - self._window)

    async def _replies_rasa_gave(self, conversation_id: str, message_ids: list[int]) -> dict[int, list[dict]]:
        """{message id: Rasa's replies} for those of the messages Rasa was asked already."""
        if not message_ids or not self.rasa.has_token:  # without its HTTP API: asked again
            return {}
        try:
            events = await self.rasa.tracker_events(conversation_id)
        except RasaUnavailable as err:  # asking will tell whether Rasa answers at all
            logger.warning("cannot read Rasa's tracker of %s: %s", conversation_id, err)
            return {}
        return replies_given(events, message_ids)

    def _watch(self, conversation_id: str) -> None:
        if conversation_id not in self._watches:
            self._watches[conversation_id] = asyncio.create_task(self._when_lease_ends(conversation_id))

    async def _when_lease_ends(self, conversation_id: str) -> None:
        try:
            while True:
                try:
                    await self._leases.wait_while_held_elsewhere(conversation_id)
                    break
                except Exception:  # the helpdesk database is out of reach: look again later
                    logger.warning("cannot read the answer lease of %s", conversation_id, exc_info=True)
                    await asyncio.sleep(POLL_SECONDS)
        finally:
            self._watches.pop(conversation_id, None)
        self.resume(conversation_id)

    async def _exchange(self, lease: HeldLease, message_id: int, text: str,
                        given: Optional[list[dict]] = None) -> bool:
        """One shopper message answered: the bot's replies (asked now, or `given` by Rasa
        before), else a ticket, else a retry notice. True when the bot's replies were shown.
        Raises LeaseLost, storing nothing, when another instance took the conversation over."""
        conversation_id = lease.conversation_id
        await self._notify(conversation_id, "typing", {"on": True})
        try:
            try:
                replies = given if given is not None else await self._ask_bot(lease, text, message_id)
            except RasaBusy as err:
                logger.warning("bot busy for %s, the shopper is asked to retry: %s", conversation_id, err)
                replies = None
            if not await lease.still_ours():
                raise LeaseLost(conversation_id)
            if replies is None:
                await self._ask_to_retry(conversation_id)
                await self._hand_off_in_outage(conversation_id)
                return False
            self._ticketed_in_outage.clear()  # Rasa answered: its stores are back
            if replies:
                for reply in replies:
                    await self._say(conversation_id, "bot", reply["text"], reply["buttons"])
                return True
            else:
                count_bot_unavailable()
                await self._hand_off(conversation_id)
        except LeaseLost:
            raise
        except Exception:  # e.g. the helpdesk database went away while the bot answered
            logger.exception("answering conversation %s failed", conversation_id)
            await self._notify(conversation_id, "notice", {"text": self.busy_text()})
        finally:
            await self._notify(conversation_id, "typing", {"on": False})
        return False

    async def _ask_bot(self, lease: HeldLease, text: str, message_id: int) -> list[dict]:
        """The bot's replies; [] when it is down or said nothing. Raises RasaBusy."""
        conversation_id = lease.conversation_id
        try:
            async with lease.renewed():
                replies = await self.rasa.send_message(conversation_id, text, message_metadata(message_id))
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

    async def _hand_off_in_outage(self, conversation_id: str) -> None:
        """Rasa could not read or keep the conversation: a person follows it up, so a message
        the shopper does not resend is not forgotten. One ticket per conversation per outage; a
        helpdesk database that is down too leaves only the retry notice."""
        ticketed = self._ticketed_in_outage.get(conversation_id)
        if ticketed is not None and time.monotonic() - ticketed < OUTAGE_SECONDS:
            return
        result = await asyncio.to_thread(self.handoff.hand_off, conversation_id,
                                         Reason.CONVERSATION_STORE_UNAVAILABLE)
        if result.ticket is not None:
            self._ticketed_in_outage[conversation_id] = time.monotonic()
            await self._say(conversation_id, "system", result.text)

    async def _ask_to_retry(self, conversation_id: str) -> None:
        """Into the record when it can be written (the shopper sees it after a reload too), else
        only to the open pages."""
        try:
            await self._say(conversation_id, "system", self.busy_text())
        except Exception:
            logger.warning("could not record the retry notice for %s", conversation_id, exc_info=True)
            await self._notify(conversation_id, "notice", {"text": self.busy_text()})
