"""Who may read `/metrics`, the same rule on the Rasa server, the action server and the console.

With METRICS_TOKEN set, only a request that carries `Authorization: Bearer <token>` (compared in
constant time). Without it, only a client on this machine that no proxy relayed: nginx on the same
host connects from 127.0.0.1 too, so a request with a forwarding header is not a local client.
Plain Python, no web framework: each process adds its own thin route around `MetricsAccess`."""
from __future__ import annotations

import hmac
import ipaddress
import os
from dataclasses import dataclass, field
from typing import Mapping, Optional

TOKEN_VARIABLE = "METRICS_TOKEN"
MIN_TOKEN_CHARS = 32
# Headers a reverse proxy adds (nginx: proxy_set_header X-Forwarded-For / X-Real-IP).
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


class MetricsTokenError(ValueError):
    """METRICS_TOKEN is set but too short to be a secret; the message says how to make one."""


def metrics_token_from(environ: Mapping[str, str] = os.environ) -> Optional[str]:
    """METRICS_TOKEN, or None when it is not set."""
    token = environ.get(TOKEN_VARIABLE, "")
    if token and len(token) < MIN_TOKEN_CHARS:
        raise MetricsTokenError(f"{TOKEN_VARIABLE} must be at least {MIN_TOKEN_CHARS} characters; make one with: "
                                "python -c 'import secrets; print(secrets.token_urlsafe(32))'")
    return token or None


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str
    headers: dict = field(default_factory=dict)


_NO_TOKEN = Refusal(401, "metrics need the bearer token (METRICS_TOKEN)",
                    {"WWW-Authenticate": 'Bearer realm="metrics"'})
_NOT_LOCAL = Refusal(403, "metrics are readable from this machine only, unless METRICS_TOKEN is set")


def is_loopback(ip: str) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:  # no address (a unix socket) or garbage: not known to be local
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 on a dual-stack socket
    return (mapped or address).is_loopback


@dataclass(frozen=True)
class MetricsAccess:
    token: Optional[str]

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> "MetricsAccess":
        return cls(metrics_token_from(environ))

    def refusal(self, headers: Mapping[str, str], client_ip: str) -> Optional[Refusal]:
        """None when the request may read the metrics. `headers`: case-insensitive (Sanic's
        request.headers) or lower-case keys; `client_ip`: the socket's peer, not a header."""
        if self.token:
            scheme, _, given = (headers.get("authorization") or "").partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self.token.encode()):
                return None
            return _NO_TOKEN
        if any(headers.get(name) for name in FORWARDING_HEADERS) or not is_loopback(client_ip):
            return _NOT_LOCAL
        return None

    def __repr__(self) -> str:  # never print the token
        return f"MetricsAccess(token={'set' if self.token else 'unset'})"
