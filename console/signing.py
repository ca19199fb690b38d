"""Signed, timed cookie values and bound tokens, with itsdangerous (maintained, reviewed) instead
of hand-written HMAC code.

Each purpose is its own itsdangerous salt, so a shopper's cookie never passes as an agent's
session or the other way round. Keys rotate: the first is signed with, every one is accepted
(`previous` keys keep sessions alive while a new secret rolls out).

Cookies signed by the hand-written signer of earlier versions are not accepted: shoppers get a
new conversation cookie and agents and owners log in again, once, after the upgrade."""
from __future__ import annotations

import time
from typing import Callable, Optional, Sequence

from itsdangerous import BadData, Signer as BoundSigner, TimestampSigner, URLSafeTimedSerializer


class _ClockedTimestampSigner(TimestampSigner):
    """itsdangerous' timestamp signer on an injected clock (tests move it; age checks use it)."""
    clock: Callable[[], float] = staticmethod(time.time)

    def get_timestamp(self) -> int:
        return int(self.clock())


class Signer:
    def __init__(self, secret: str, previous: Sequence[str] = (),
                 clock: Callable[[], float] = time.time) -> None:
        # itsdangerous signs with the last key and accepts every one.
        self._keys = [*reversed(list(previous)), secret]
        self._signer_class = type("ClockedSigner", (_ClockedTimestampSigner,), {"clock": staticmethod(clock)})
        self._serializers: dict[str, URLSafeTimedSerializer] = {}

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        if purpose not in self._serializers:
            self._serializers[purpose] = URLSafeTimedSerializer(self._keys, salt=purpose,
                                                                signer=self._signer_class)
        return self._serializers[purpose]

    def dumps(self, purpose: str, data: dict) -> str:
        return self._serializer(purpose).dumps(data)

    def loads(self, purpose: str, token: Optional[str], max_age: Optional[float] = None) -> Optional[dict]:
        """The signed data, or None when the token is missing, forged, of another purpose or
        signed longer than max_age seconds ago."""
        if not token or len(token) > 4096:
            return None
        try:
            data = self._serializer(purpose).loads(token, max_age=max_age)
        except BadData:
            return None
        return data if isinstance(data, dict) else None

    def token(self, purpose: str, value: str) -> str:
        """A value bound to another (the CSRF token of a session nonce, a password stamp)."""
        return BoundSigner(self._keys, salt=purpose).get_signature(value).decode()

    def token_ok(self, purpose: str, value: str, token: str) -> bool:
        """`token` was made by `token(purpose, value)` with one of the keys (constant time)."""
        return BoundSigner(self._keys, salt=purpose).verify_signature(value, token)
