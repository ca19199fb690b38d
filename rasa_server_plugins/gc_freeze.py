"""The loaded model kept out of Python's full garbage collections.

Loading the live model leaves about 733,000 objects that the garbage collector tracks (TensorFlow,
the pipeline, the domain); they live as long as the model. Every full collection walks all of
them with the event loop stopped: 400 ms each, measured (`gc.collect()` after `load_agent` on
models/live.tar.gz), and under load these pauses queue every shopper's message behind them.
Before the first message a newly loaded model handles, the objects alive then are collected once
and frozen (`gc.freeze()`: never walked again); the next model's first message unfreezes them, so
the replaced model's cyclic garbage is collected then. Frozen objects are still freed by reference
counting; only cycles that die while frozen wait for the next model."""
from __future__ import annotations

import functools
import gc
import logging
import time

from rasa.core.agent import Agent

logger = logging.getLogger(__name__)
_frozen_for: list = [None]   # the processor whose model was frozen last


def freeze_now() -> tuple[int, float]:
    """Collect what is garbage, then freeze what is alive. (objects frozen, milliseconds)."""
    started = time.perf_counter()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count(), (time.perf_counter() - started) * 1000


def _freezing_first(handle_message):
    @functools.wraps(handle_message)
    async def handle(self: Agent, message):
        processor = self.processor
        if processor is not None and _frozen_for[0] is not processor:
            _frozen_for[0] = processor
            count, ms = freeze_now()
            logger.info("garbage collector: %d objects of the loaded model frozen in %.0f ms", count, ms)
        return await handle_message(self, message)
    handle.freezes_model = True
    return handle


def install() -> None:
    if not getattr(Agent.handle_message, "freezes_model", False):
        Agent.handle_message = _freezing_first(Agent.handle_message)
