"""One answer to `GET /metrics`, for every process's thin Sanic route: the refusal, or the page."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from .access import MetricsAccess
from .page import MetricsPage


@dataclass(frozen=True)
class MetricsReply:
    status: int
    body: bytes
    content_type: str
    headers: dict = field(default_factory=dict)


def metrics_reply(access: MetricsAccess, page: MetricsPage, headers: Mapping[str, str], client_ip: str) -> MetricsReply:
    """Reads files and may run a query (the page): call it off the event loop."""
    refusal = access.refusal(headers, client_ip)
    if refusal:
        return MetricsReply(refusal.status, refusal.reason.encode(), "text/plain; charset=utf-8", refusal.headers)
    body, content_type = page.render(headers.get("accept", ""))
    return MetricsReply(200, body, content_type)
