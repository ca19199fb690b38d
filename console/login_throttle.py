"""The login limit, per account and per address, shared by every console instance (the events
live in an `AttemptLog`: the helpdesk database or Redis).

A few failures are free (typos). After `FREE_FAILURES` recent failures of an account or of an
address, each further attempt is refused — 429 with Retry-After, before the password is even
checked — until a wait has passed since the last failure; the wait doubles with each failure, up
to `MAX_WAIT`. Never a permanent lockout: a hard lockout would let anyone lock the owner out by
failing on purpose, while here the owner who knows the password gets in once the wait is over.
Refused attempts do not count (an attacker hammering during the wait does not lengthen it);
failures are forgotten `WINDOW` after they happened, and an account's after a successful login."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from .attempt_log import AttemptLog, MemoryAttemptLog

FREE_FAILURES = 5
BASE_WAIT = 30.0            # seconds, after the FREE_FAILURES-th failure
MAX_WAIT = 15 * 60.0        # the longest wait: slow, never locked
WINDOW = 60 * 60.0          # failures older than this do not count


@dataclass(frozen=True)
class LoginLimits:
    free_failures: int = FREE_FAILURES
    base_wait: float = BASE_WAIT
    max_wait: float = MAX_WAIT
    window: float = WINDOW

    def wait_after(self, failures: int) -> float:
        if failures < self.free_failures:
            return 0.0
        return min(self.max_wait, self.base_wait * 2 ** (failures - self.free_failures))


class LoginThrottle:
    def __init__(self, log: AttemptLog | None = None, clock: Callable[[], float] = time.time,
                 limits: LoginLimits = LoginLimits()) -> None:
        self._log, self._clock, self.limits = log or MemoryAttemptLog(), clock, limits

    @staticmethod
    def _keys(user: str, address: str) -> tuple[str, str]:
        return f"user:{user.casefold()}", f"addr:{address}"

    def retry_after(self, user: str, address: str) -> float:
        """Seconds until this account may be tried from this address again; 0: go ahead."""
        now = self._clock()
        wait = 0.0
        for key in self._keys(user, address):
            failures, last = self._log.since(key, now - self.limits.window)
            # min: after the clock jumped back, a failure "in the future" must not stretch the wait
            wait = max(wait, min(last, now) + self.limits.wait_after(failures) - now)
        return max(0.0, wait)

    def failed(self, user: str, address: str) -> None:
        now = self._clock()
        for key in self._keys(user, address):
            self._log.add(key, now, self.limits.window)

    def succeeded(self, user: str) -> None:
        """The account's failures are forgotten; the address's stay (one right password from a
        shared address must not reset the count of someone guessing other accounts there)."""
        self._log.clear(self._keys(user, "")[0])
