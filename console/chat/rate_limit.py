"""How much one shopper may send: token buckets per conversation (the messages, whichever
sockets they come through) and per connection (every event, so a flood of syncs or unknown
events costs nothing either). A refused message is not stored: the page keeps it in its outbox
and sends it again after `retry_after` seconds, so nothing is lost.

The limits are settings (environment variables, read once at start-up), not constants."""
from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from typing import Callable, Hashable, Mapping


class ChatLimitsError(ValueError):
    """A CHAT_* variable is not a positive number; the message names it."""


@dataclass(frozen=True)
class ChatLimits:
    messages_burst: int = 10          # messages one conversation may send at once …
    messages_per_minute: float = 30.0   # … and then on average (one every 2 s)
    events_burst: int = 30            # socket events of any kind one connection may send at once …
    events_per_minute: float = 120.0    # … and then on average
    page_default: int = 100           # messages per page of history (GET /api/messages, sync)
    page_max: int = 500

    ENV = {"messages_burst": "CHAT_MESSAGES_BURST", "messages_per_minute": "CHAT_MESSAGES_PER_MINUTE",
           "events_burst": "CHAT_EVENTS_BURST", "events_per_minute": "CHAT_EVENTS_PER_MINUTE",
           "page_default": "CHAT_PAGE_DEFAULT", "page_max": "CHAT_PAGE_MAX"}

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "ChatLimits":
        values = {}
        for field, name in cls.ENV.items():
            raw = environ.get(name)
            if not raw:
                continue
            kind = type(getattr(cls, field))
            try:
                value = kind(raw)
            except ValueError:
                raise ChatLimitsError(f"{name} must be a number, got {raw!r}") from None
            if not (0 < value < 1e9):
                raise ChatLimitsError(f"{name} must be above 0, got {raw!r}")
            values[field] = value
        limits = cls(**values)
        if limits.page_default > limits.page_max:
            raise ChatLimitsError("CHAT_PAGE_DEFAULT must not be above CHAT_PAGE_MAX")
        return limits


class RateLimiter:
    """Token buckets by key. Full buckets are forgotten now and then, so memory follows the
    number of keys active in the last minutes, not every key ever seen."""

    SWEEP_EVERY = 1000  # checks between sweeps

    def __init__(self, burst: int, per_minute: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._burst, self._rate, self._clock = float(burst), per_minute / 60.0, clock
        self._buckets: dict[Hashable, tuple[float, float]] = {}  # key → (tokens, when)
        self._checks = 0

    def take(self, key: Hashable) -> float:
        """0 when `key` may go on (one token taken), else the seconds until it may."""
        now = self._clock()
        tokens = self._tokens(key, now)
        self._checks += 1
        if self._checks % self.SWEEP_EVERY == 0:
            self._sweep(now)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) / self._rate

    def _tokens(self, key: Hashable, now: float) -> float:
        tokens, when = self._buckets.get(key, (self._burst, now))
        return min(self._burst, tokens + (now - when) * self._rate)

    def _sweep(self, now: float) -> None:
        for key in [k for k in self._buckets if self._tokens(k, now) >= self._burst]:
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


def whole_seconds(wait: float) -> int:
    """What the shopper is told: at least one second."""
    return max(1, math.ceil(wait))
