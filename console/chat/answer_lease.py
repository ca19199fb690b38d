"""Who answers a conversation's shopper messages right now, across console instances.

A console holds this lease (a row in the helpdesk database, `console_answer_leases`) from the
moment it starts answering until the answer, the handoff or the "please retry" notice is stored;
it renews the lease while Rasa is asked. A lease that ran out means its holder died: the console
the shopper reconnects to may then take the conversation over (console/chat/service.py)."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Optional

from ..leases import ConversationLeases

logger = logging.getLogger(__name__)

TABLE = "console_answer_leases"
# Long enough to ride out a slow database write or two between renewals, short enough that a
# killed console's shoppers get their answer soon after they reconnect elsewhere.
LEASE_SECONDS = 10.0
# How often a console waiting for another's lease looks at it again (one indexed read).
POLL_SECONDS = 0.5


class HeldLease:
    """A lease this instance took for one conversation."""

    def __init__(self, leases: ConversationLeases, conversation_id: str, taken_over: bool) -> None:
        self._leases, self.conversation_id = leases, conversation_id
        self.taken_over = taken_over  # from an instance that died: it may have left work half-done
        self._lost = False
        self._trust()

    def _trust(self) -> None:
        """For two thirds of a lease from now no other instance can have taken it (the last third
        is margin for clocks of different machines and for the time the write took). Counted on
        both clocks: the wall clock is what other instances judge the lease by (after a forward
        jump it looks run out to them), the monotonic one cannot jump (after a backward jump the
        wall clock would stretch the window by the jump)."""
        window = self._leases.lease_seconds * 2 / 3
        self._wall_from = self._leases.now()
        self._wall_until = self._wall_from + window
        self._steady_until = time.monotonic() + window

    def _trusted(self) -> bool:
        return self._wall_from <= self._leases.now() < self._wall_until and time.monotonic() < self._steady_until

    async def _extend(self) -> bool:
        """Raises when the database is out of reach."""
        extended = await asyncio.to_thread(self._leases.extend, self.conversation_id)
        if extended:
            self._trust()
        else:
            self._lost = True
        return extended

    async def renew(self) -> None:
        if self._lost:
            return
        try:
            await self._extend()
        except Exception:  # the database is out of reach: the lease may run out
            logger.warning("could not renew the answer lease of %s", self.conversation_id, exc_info=True)

    @contextlib.asynccontextmanager
    async def renewed(self):
        """Keep the lease while the block runs (Rasa may take its whole timeout)."""
        async def keep_renewing():
            while True:
                await asyncio.sleep(self._leases.lease_seconds / 3)
                await self.renew()
        renewing = asyncio.create_task(keep_renewing())
        try:
            yield
        finally:
            renewing.cancel()
            await asyncio.gather(renewing, return_exceptions=True)

    async def still_ours(self) -> bool:
        """Checked before an answer is stored: another instance that took the conversation over
        answers it, so this one must not. Raises when the database cannot tell."""
        if self._lost:
            return False
        return self._trusted() or await self._extend()

    async def release(self) -> None:
        if self._lost:
            return
        try:
            await asyncio.to_thread(self._leases.release, self.conversation_id)
        except Exception:  # it runs out by itself
            logger.warning("could not release the answer lease of %s", self.conversation_id, exc_info=True)


class AnswerLeases:
    def __init__(self, leases: ConversationLeases) -> None:
        self._leases = leases

    async def take(self, conversation_id: str) -> Optional[HeldLease]:
        """The lease, or None while another instance holds it."""
        claim = await asyncio.to_thread(self._leases.take, conversation_id)
        return HeldLease(self._leases, conversation_id, claim.taken_over) if claim.granted else None

    async def wait_while_held_elsewhere(self, conversation_id: str) -> None:
        """Return once no other instance's lease on the conversation runs."""
        while await asyncio.to_thread(self._leases.held_by_another, conversation_id):
            await asyncio.sleep(POLL_SECONDS)
