"""Fire-and-forget work that must not be garbage-collected mid-way and that shutdown (and tests)
can wait for: bot exchanges, pushes of agent replies to Rasa."""
from __future__ import annotations

import asyncio
import logging
from typing import Coroutine

logger = logging.getLogger(__name__)


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task] = set()

    def spawn(self, coro: Coroutine) -> asyncio.Task:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception():
            logger.error("background task failed", exc_info=task.exception())

    async def drain(self) -> None:
        """Wait for everything started so far, and what that starts in turn."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
