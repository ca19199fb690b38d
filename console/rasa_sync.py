"""Agent replies go into Rasa's conversation history too. Rasa may be down when an agent
replies: the reply stays flagged in the message store and is pushed again later, in order."""
from __future__ import annotations

import asyncio
import logging

from helpdesk import MessageStore

from .rasa_client import RasaClient, RasaUnavailable

logger = logging.getLogger(__name__)


class RasaSync:
    def __init__(self, messages: MessageStore, rasa: RasaClient, interval: float) -> None:
        self._messages, self._rasa, self._interval = messages, rasa, interval
        self._lock = asyncio.Lock()  # the reply handler and the retry loop must not push twice

    async def push_pending(self) -> int:
        """Push what is waiting; stop at the first failure to keep the order. Returns how many
        are still waiting."""
        async with self._lock:
            pending = await asyncio.to_thread(self._messages.pending_sync)
            for message in pending:
                try:
                    await self._rasa.append_bot_event(message.conversation_id, message.text,
                                                      message.author or "agent", message.created_at)
                except RasaUnavailable as err:
                    logger.warning("agent reply %s not yet in Rasa's history, will retry: %s", message.id, err)
                    return len(pending) - pending.index(message)
                await asyncio.to_thread(self._messages.mark_synced, message.id)
            return 0

    async def run_forever(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.push_pending()
            except Exception:  # a database hiccup must not end the retries
                logger.exception("pushing agent replies to Rasa failed")
