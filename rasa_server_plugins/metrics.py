"""`/metrics` on the Rasa server: requests by route and status, the time from a shopper's message
to the bot's replies, messages in progress (the queue depth), predicted intents and actions run.

The hook points, each one call per event on the hot path (measured: see the README's metrics
figures):
- `Agent.handle_message`: every channel message (the REST webhook, socket.io) goes through it,
  first waiting for its conversation's lock, then answered. In progress while inside it, so the
  gauge stays right when a caller hangs up (the cancelled task leaves it too); the reply time per
  channel (`rest` = /webhooks/rest/webhook) is taken there.
- `MessageProcessor.log_message`: returns the tracker with the message's parse, so the predicted
  intent (`nlu_fallback` when the FallbackClassifier took over).
- `MessageProcessor._run_action`: every action the prediction loop runs (`action_fallback`,
  `action_handoff`, the answers, `action_listen`).
- one Sanic response middleware: requests by route pattern (bounded), method and status.
- `gc.callbacks`: how long each garbage collection stopped the server, by generation (a full one
  walks every object kept between messages; see gc_freeze).

Several Sanic workers (SANIC_WORKERS) share their figures through PROMETHEUS_MULTIPROC_DIR; this
extension runs in the main process before the workers fork, so it empties that directory first."""
from __future__ import annotations

import asyncio
import functools
import gc
import time
from dataclasses import dataclass
from typing import Callable

from prometheus_client import Counter, Gauge, Histogram
from sanic import Sanic, response

from metrics_export import (REPLY_SECONDS_BUCKETS, MetricsAccess, MetricsPage, forget_this_worker,
                            metrics_reply, remembered_labels, start_multiprocess_dir, warn_unless_workers_share)

GC_PAUSE_BUCKETS = (0.001, 0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
UNMATCHED = "unmatched"   # the route label of a request no route matched (e.g. a 404): not its path


@dataclass(frozen=True)
class RasaMetrics:
    """Labelled metrics as `remembered_labels` (label values → the child to count on)."""
    requests: Callable[..., Counter]
    replies: Callable[..., Histogram]
    in_progress: Gauge
    intents: Callable[..., Counter]
    actions: Callable[..., Counter]
    gc_pauses: Callable[..., Histogram]


@functools.lru_cache(maxsize=None)
def rasa_metrics() -> RasaMetrics:
    """Created on first use, after the multiprocess directory was emptied."""
    return RasaMetrics(
        requests=remembered_labels(Counter("rasa_http_requests", "HTTP requests answered by the Rasa server",
                                           ["route", "method", "status"])),
        replies=remembered_labels(Histogram("rasa_reply_seconds",
                                            "A shopper's message to the bot's replies, lock wait included",
                                            ["channel"], buckets=REPLY_SECONDS_BUCKETS)),
        in_progress=Gauge("rasa_messages_in_progress", "Messages waiting for their conversation or being answered",
                          multiprocess_mode="livesum"),
        intents=remembered_labels(Counter("rasa_intents", "Shopper messages by predicted intent", ["intent"])),
        actions=remembered_labels(Counter("rasa_actions", "Actions run by the prediction loop", ["action"])),
        gc_pauses=remembered_labels(Histogram("rasa_gc_pause_seconds",
                                              "Garbage collections, by generation: the server stops meanwhile",
                                              ["generation"], buckets=GC_PAUSE_BUCKETS)),
    )


_gc_started = [0.0]


def time_garbage_collections(phase: str, info: dict) -> None:
    """A `gc.callbacks` entry: each collection's pause into rasa_gc_pause_seconds."""
    if phase == "start":
        _gc_started[0] = time.perf_counter()
    else:
        rasa_metrics().gc_pauses(str(info.get("generation"))).observe(time.perf_counter() - _gc_started[0])


def _wrap_once(owner: type, name: str, make_wrapper) -> None:
    original = getattr(owner, name)
    if not getattr(original, "_counted", False):
        wrapper = functools.wraps(original)(make_wrapper(original))
        wrapper._counted = True
        setattr(owner, name, wrapper)


def _count_messages(handle_message):
    async def handle_message_counted(self, message):
        metrics = rasa_metrics()
        metrics.in_progress.inc()
        started = time.perf_counter()
        try:
            replies = await handle_message(self, message)
        finally:
            metrics.in_progress.dec()
        metrics.replies(message.input_channel or "unknown").observe(time.perf_counter() - started)
        return replies
    return handle_message_counted


def _count_intents(log_message):
    async def log_message_counted(self, message, *args, **kwargs):
        tracker = await log_message(self, message, *args, **kwargs)
        intent = (tracker.latest_message.intent if tracker.latest_message else None) or {}
        rasa_metrics().intents(intent.get("name") or "none").inc()
        return tracker
    return log_message_counted


def _count_actions(run_action):
    async def run_action_counted(self, action, *args, **kwargs):
        rasa_metrics().actions(action.name()).inc()
        return await run_action(self, action, *args, **kwargs)
    return run_action_counted


async def count_response(request, sent):
    route = request.route
    path = "/" + route.path.strip("/") if route is not None else UNMATCHED
    rasa_metrics().requests(path, request.method, str(sent.status)).inc()


def add_metrics(app: Sanic) -> None:
    """The Rasa server extension (APP_EXTENSIONS): the counting hooks and GET /metrics."""
    from rasa.core.agent import Agent  # here, not at import: `rasa run` sets itself up first
    from rasa.core.processor import MessageProcessor

    access = MetricsAccess.from_environ()  # a too short METRICS_TOKEN stops the start, with the fix
    start_multiprocess_dir()
    warn_unless_workers_share("SANIC_WORKERS")
    rasa_metrics()
    _wrap_once(Agent, "handle_message", _count_messages)
    _wrap_once(MessageProcessor, "log_message", _count_intents)
    _wrap_once(MessageProcessor, "_run_action", _count_actions)
    if time_garbage_collections not in gc.callbacks:
        gc.callbacks.append(time_garbage_collections)
    page = MetricsPage()

    async def metrics(request):
        reply = await asyncio.to_thread(metrics_reply, access, page, request.headers, request.ip)
        return response.raw(reply.body, status=reply.status, content_type=reply.content_type, headers=reply.headers)

    async def worker_stopped(_app, _loop):
        forget_this_worker()

    app.add_route(metrics, "/metrics", methods=["GET"], name="operator_metrics")
    app.register_middleware(count_response, "response")
    app.register_listener(worker_stopped, "after_server_stop")
