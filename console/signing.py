"""Signed cookie values (HMAC-SHA256). The purpose is part of the signature, so a shopper's
cookie can never pass as an agent's session or the other way round."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Optional


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    def __init__(self, secret: str) -> None:
        self._key = secret.encode()

    def _mac(self, purpose: str, body: str) -> str:
        return _b64(hmac.new(self._key, f"{purpose}\n{body}".encode(), hashlib.sha256).digest())

    def dumps(self, purpose: str, data: dict, now: Optional[float] = None) -> str:
        body = _b64(json.dumps({**data, "iat": int(now if now is not None else time.time())},
                               separators=(",", ":")).encode())
        return f"{body}.{self._mac(purpose, body)}"

    def loads(self, purpose: str, token: Optional[str], max_age: Optional[float] = None,
              now: Optional[float] = None) -> Optional[dict]:
        """The signed data, or None when the token is missing, forged or older than max_age."""
        if not token or token.count(".") != 1:
            return None
        body, mac = token.split(".")
        if not hmac.compare_digest(mac.encode(), self._mac(purpose, body).encode()):
            return None
        try:
            data = json.loads(_unb64(body))
        except ValueError:
            return None
        if max_age is not None and (now if now is not None else time.time()) - data.get("iat", 0) > max_age:
            return None
        return data

    def token(self, purpose: str, value: str) -> str:
        """A value bound to another (the CSRF token of a session nonce)."""
        return self._mac(purpose, value)
