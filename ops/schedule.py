"""The retention purge as a scheduled job inside the console app, which runs wherever the product
runs (make run, docker compose, Kubernetes) — no second scheduler to install or to forget. Every
console instance runs the loop; a lease in the helpdesk database (console/leases.py, passed in)
lets one purge at a time, and a purge is harmless to repeat.

The purge's database work runs in a thread: the event loop keeps answering shoppers."""
from __future__ import annotations

import asyncio
import logging
from typing import Callable, Optional, Protocol

from .retention import PurgeReport

logger = logging.getLogger(__name__)
LEASE_KEY = "retention purge"   # its row in the console_job_leases table
DAY = 24 * 3600.0
FIRST_DELAY = 600.0   # after a start: not while a restarted stack is busiest


class Claim(Protocol):
    granted: bool


class Lease(Protocol):
    def take(self, key: str) -> Claim: ...
    def extend(self, key: str) -> bool: ...
    def release(self, key: str) -> None: ...


class RetentionSchedule:
    """`purge(keepalive)` runs one purge; it calls `keepalive()` between batches."""

    def __init__(self, purge: Callable[[Callable[[], None]], PurgeReport], lease: Lease,
                 interval: float = DAY, first_delay: float = FIRST_DELAY) -> None:
        self._purge, self._lease, self.interval, self.first_delay = purge, lease, interval, first_delay

    async def run_once(self) -> Optional[PurgeReport]:
        """One purge if no other instance is purging now; None when one is."""
        claim = await asyncio.to_thread(self._lease.take, LEASE_KEY)
        if not claim.granted:
            logger.info("retention purge: another console instance is purging")
            return None
        try:
            return await asyncio.to_thread(self._purge, lambda: self._lease.extend(LEASE_KEY))
        finally:
            await asyncio.to_thread(self._lease.release, LEASE_KEY)

    async def run_forever(self) -> None:
        await asyncio.sleep(self.first_delay)
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:   # a database down tonight must not end tomorrow's purge
                logger.exception("retention purge failed; next try in %.0f s", self.interval)
            await asyncio.sleep(self.interval)
