"""`/metrics` on the console app (Prometheus text, prometheus_client):

- `console_http_requests_total{route, method, status}`: a response middleware; the route is the
  pattern (bounded), `unmatched` for a path no route knows;
- `console_reply_seconds`: a shopper's message through socket.io to the bot's replies shown, from
  the message being stored to the last reply being pushed, the wait behind the same conversation's
  earlier message included (`answer_timed` around each bot exchange of `ChatService`);
- `console_messages_waiting_for_bot`: bot exchanges not finished (the queue depth);
- `console_bot_unavailable_total`: messages the bot did not answer (down, too slow, no reply),
  each handed to a person; `handoffs_total{reason="bot_unavailable"}` counts their tickets;
- `console_rasa_not_sent_total`: requests to Rasa never sent, because they ran out of time
  waiting for one of the RASA_CONCURRENCY slots (overload: the bot-unavailable path follows);
- `console_sockets_connected` and `console_open_tickets{status}`: read at scrape time, a length
  and one indexed count, off the event loop.

Who may read it: `metrics_export.MetricsAccess` (METRICS_TOKEN, required in production)."""
from __future__ import annotations

import asyncio
import functools
import logging
import time
from dataclasses import dataclass
from typing import Awaitable, Callable

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from sanic import Sanic, response

from metrics_export import (REPLY_SECONDS_BUCKETS, MetricsAccess, MetricsPage, metrics_reply, remembered_labels,
                            start_multiprocess_dir)

logger = logging.getLogger(__name__)
UNMATCHED = "unmatched"


@dataclass(frozen=True)
class ConsoleMetrics:
    requests: Callable[..., Counter]   # as remembered_labels: (route, method, status) → the child
    replies: Histogram
    waiting: Gauge
    bot_unavailable: Counter
    rasa_not_sent: Counter


@functools.lru_cache(maxsize=None)
def console_metrics() -> ConsoleMetrics:
    """Created on first use (after a multiprocess directory, if any, was emptied)."""
    return ConsoleMetrics(
        requests=remembered_labels(Counter("console_http_requests", "HTTP requests answered by the console app",
                                           ["route", "method", "status"])),
        replies=Histogram("console_reply_seconds", "A shopper's message (socket.io) to the bot's replies shown",
                          buckets=REPLY_SECONDS_BUCKETS),
        waiting=Gauge("console_messages_waiting_for_bot", "Shopper messages whose bot exchange is not finished",
                      multiprocess_mode="livesum"),
        bot_unavailable=Counter("console_bot_unavailable", "Shopper messages the bot did not answer"),
        rasa_not_sent=Counter("console_rasa_not_sent", "Requests to Rasa that ran out of time waiting "
                              "for a slot (RASA_CONCURRENCY) and were not sent"),
    )


async def answer_timed(exchange: Awaitable[bool]) -> bool:
    """One bot exchange (ChatService._answer: True when the bot's replies were shown), counted."""
    metrics = console_metrics()
    metrics.waiting.inc()
    started = time.perf_counter()
    try:
        replied = await exchange
    finally:
        metrics.waiting.dec()
    if replied:
        metrics.replies.observe(time.perf_counter() - started)
    return replied


def count_bot_unavailable() -> None:
    console_metrics().bot_unavailable.inc()


def count_rasa_not_sent() -> None:
    console_metrics().rasa_not_sent.inc()


class ScrapeTimeGauges:
    """Values cheaper to read when scraped than to keep up to date."""

    def __init__(self, app: Sanic) -> None:
        self._ctx = app.ctx

    def collect(self):
        sockets = GaugeMetricFamily("console_sockets_connected", "Browser sockets connected to this instance")
        sockets.add_metric([], len(self._ctx.sio.eio.sockets))
        yield sockets
        try:
            counts = self._ctx.tickets.count_active()
        except Exception as err:  # the helpdesk database is down: the other figures still go out
            logger.warning("open tickets not counted for /metrics: %s", type(err).__name__)
            return
        tickets = GaugeMetricFamily("console_open_tickets", "Tickets not closed, by status", labels=["status"])
        for status, count in sorted(counts.items()):
            tickets.add_metric([status], count)
        yield tickets


async def count_response(request, sent):
    route = request.route
    path = "/" + route.path.strip("/") if route is not None else UNMATCHED
    console_metrics().requests(path, request.method, str(sent.status)).inc()


def add_metrics(app: Sanic) -> None:
    """GET /metrics and the request counter, on an app whose ctx holds settings, sio and tickets."""
    start_multiprocess_dir()
    console_metrics()
    access = MetricsAccess(app.ctx.settings.metrics_token)
    page = MetricsPage([ScrapeTimeGauges(app)])

    async def metrics(request):
        reply = await asyncio.to_thread(metrics_reply, access, page, request.headers, request.ip)
        return response.raw(reply.body, status=reply.status, content_type=reply.content_type, headers=reply.headers)

    app.add_route(metrics, "/metrics", methods=["GET"], name="operator_metrics")
    app.register_middleware(count_response, "response")
