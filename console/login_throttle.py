"""Failed logins slow further attempts, per account and per address, without locking anyone
out: a guesser waits longer and longer, while the owner who knows the password still gets in
after the same wait (a hard lockout would let anyone lock the owner out by failing on purpose)."""
from __future__ import annotations

import time
from collections import deque
from typing import Callable

WINDOW_SECONDS = 15 * 60
BASE_DELAY = 0.5       # after the first failure
MAX_DELAY = 10.0       # never longer: slow, not locked
MAX_KEYS = 10_000      # memory bound under a spray of names or addresses


class LoginThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: dict[str, deque] = {}

    def _recent(self, key: str) -> int:
        times = self._failures.get(key)
        if not times:
            return 0
        cutoff = self._clock() - WINDOW_SECONDS
        while times and times[0] < cutoff:
            times.popleft()
        if not times:
            del self._failures[key]
        return len(times)

    def delay(self, user: str, address: str) -> float:
        """Seconds to wait before checking this attempt: doubles with each recent failure of the
        account or of the address, whichever has more."""
        failures = max(self._recent(f"user:{user}"), self._recent(f"addr:{address}"))
        return 0.0 if failures == 0 else min(MAX_DELAY, BASE_DELAY * 2 ** (failures - 1))

    def failed(self, user: str, address: str) -> None:
        if len(self._failures) >= MAX_KEYS:
            self._failures.pop(next(iter(self._failures)))
        now = self._clock()
        for key in (f"user:{user}", f"addr:{address}"):
            self._failures.setdefault(key, deque(maxlen=64)).append(now)

    def succeeded(self, user: str) -> None:
        self._failures.pop(f"user:{user}", None)
