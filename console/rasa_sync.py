"""Agent replies go into Rasa's conversation history too. Rasa may be down when an agent
replies: the reply stays flagged in the message store and is pushed again later, in order.

Every console instance runs this retry loop against the one helpdesk database, so a reply must be
pushed by one of them only: before pushing a conversation's replies an instance claims the
conversation in the database (`SyncClaims`, a row only one writer can take). The claim is a lease:
an instance that dies while holding it delays that conversation's push until the lease runs out,
never loses it.
"""
from __future__ import annotations

import asyncio
import logging
import time
from itertools import groupby
from typing import Callable, Optional

from helpdesk import Database, Message, MessageStore, open_database

from .leases import ConversationLeases
from .rasa_client import SWAP_WAIT_SECONDS, RasaClient, RasaUnavailable

logger = logging.getLogger(__name__)


class SyncClaims(ConversationLeases):
    """Who pushes a conversation's agent replies into Rasa right now, across console instances."""

    TABLE = "console_rasa_sync_claims"

    def __init__(self, db: Database, lease_seconds: float, clock: Callable[[], float] = time.time) -> None:
        super().__init__(db, self.TABLE, lease_seconds, clock)
        self._owns_db = False

    @classmethod
    def in_database(cls, db: Database, rasa_timeout: float) -> "SyncClaims":
        """With a lease longer than any push can take (a reply waits up to the Rasa timeout, or
        SWAP_WAIT_SECONDS during a model swap)."""
        return cls(db, lease_seconds=2 * max(rasa_timeout, SWAP_WAIT_SECONDS))

    @classmethod
    def open(cls, db_url: str, rasa_timeout: float) -> "SyncClaims":
        """In the helpdesk database at `db_url`, on a connection pool of their own."""
        claims = cls.in_database(open_database(db_url), rasa_timeout)
        claims._owns_db = True
        return claims

    def close(self) -> None:
        if self._owns_db:
            self.database.dispose()

    def claim(self, conversation_id: str) -> bool:
        """Take (or extend) the lease; False while another instance holds it."""
        return self.take(conversation_id).granted


class RasaSync:
    def __init__(self, messages: MessageStore, rasa: RasaClient, interval: float, claims: SyncClaims) -> None:
        self._messages, self._rasa, self._interval, self._claims = messages, rasa, interval, claims
        self._lock = asyncio.Lock()  # the reply handler and the retry loop of this instance

    async def push_pending(self) -> int:
        """Push what is waiting, conversation by conversation; stop at the first failure to keep
        the order. Returns how many replies this instance leaves waiting (for itself or another)."""
        async with self._lock:
            pending = await asyncio.to_thread(self._messages.pending_sync)
            by_conversation = [list(group) for _, group in groupby(
                sorted(pending, key=lambda m: (m.conversation_id, m.id)), key=lambda m: m.conversation_id)]
            for index, replies in enumerate(by_conversation):
                if not await asyncio.to_thread(self._claims.claim, replies[0].conversation_id):
                    continue  # another instance is pushing this conversation
                try:
                    failed = await self._push_claimed(replies[0])
                finally:
                    await asyncio.to_thread(self._claims.release, replies[0].conversation_id)
                if failed is not None:
                    return failed + sum(len(later) for later in by_conversation[index + 1:])
            return 0

    async def _push_claimed(self, first: Message) -> Optional[int]:
        """Push the conversation's waiting replies, read again under the claim: another instance
        may have pushed them between our first read and our claim. None when all went in, else
        how many are left."""
        since = await asyncio.to_thread(self._messages.since, first.conversation_id, first.id - 1)
        waiting = [m for m in since if m.pending_sync]
        for position, message in enumerate(waiting):
            if position and not await asyncio.to_thread(self._claims.claim, message.conversation_id):
                return len(waiting) - position  # the lease ran out and was taken: theirs now
            try:
                await self._rasa.append_bot_event(message.conversation_id, message.text,
                                                  message.author or "agent", message.created_at)
            except RasaUnavailable as err:
                logger.warning("agent reply %s not yet in Rasa's history, will retry: %s", message.id, err)
                return len(waiting) - position
            await asyncio.to_thread(self._messages.mark_synced, message.id)
        return None

    async def run_forever(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.push_pending()
            except Exception:  # a database hiccup must not end the retries
                logger.exception("pushing agent replies to Rasa failed")
