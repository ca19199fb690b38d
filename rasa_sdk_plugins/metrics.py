"""`/metrics` on the action server: actions run by name and outcome, action latency, and the
handoffs (tickets opened, counted by the handoff service where it opens them).

The hook point is rasa-sdk's `ActionExecutor.run`, which the /webhook handler awaits for every
action call: the action's name is in the call, its outcome is how `run` ends (ok, rejected by a
form validation, not found, error). Actions are loaded before plugins are attached, so the name of
an action that does not exist is counted as `unknown` (the label set stays the domain's).

With ACTION_SERVER_SANIC_WORKERS > 1 the workers share their figures through
PROMETHEUS_MULTIPROC_DIR; plugins are attached in the main process before the workers fork, so
that directory is emptied here first."""
from __future__ import annotations

import asyncio
import functools
import time
from dataclasses import dataclass
from typing import Callable

import pluggy
from prometheus_client import Counter, Histogram
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
from sanic import Sanic, response

from metrics_export import (ACTION_SECONDS_BUCKETS, MetricsAccess, MetricsPage, forget_this_worker,
                            metrics_reply, remembered_labels, start_multiprocess_dir, warn_unless_workers_share)

hookimpl = pluggy.HookimplMarker("rasa_sdk")
UNKNOWN_ACTION = "unknown"


@dataclass(frozen=True)
class ActionMetrics:
    """As `remembered_labels`: label values → the child to count on."""
    runs: Callable[..., Counter]
    seconds: Callable[..., Histogram]


@functools.lru_cache(maxsize=None)
def action_metrics() -> ActionMetrics:
    """Created on first use, after the multiprocess directory was emptied."""
    return ActionMetrics(
        runs=remembered_labels(Counter("action_server_actions",
                                       "Actions run, by name and outcome (ok, rejected, not_found, error)",
                                       ["action", "outcome"])),
        seconds=remembered_labels(Histogram("action_server_action_seconds",
                                            "Time to run an action, tracker parsing included",
                                            ["action"], buckets=ACTION_SECONDS_BUCKETS)),
    )


def _outcome(error: BaseException | None) -> str:
    if error is None:
        return "ok"
    if isinstance(error, ActionExecutionRejection):
        return "rejected"
    if isinstance(error, ActionNotFoundException):
        return "not_found"
    return "error"


def _count_runs(run):
    async def run_counted(self, action_call):
        name = action_call.get("next_action") if isinstance(action_call, dict) else None
        name = name if name in self.actions else UNKNOWN_ACTION
        started, error = time.perf_counter(), None
        try:
            return await run(self, action_call)
        except Exception as raised:
            error = raised
            raise
        finally:
            metrics = action_metrics()
            metrics.seconds(name).observe(time.perf_counter() - started)
            metrics.runs(name, _outcome(error)).inc()
    run_counted._counted = True
    return functools.wraps(run)(run_counted)


def add_metrics(app: Sanic) -> None:
    """The counting hook and GET /metrics (the token check lets /metrics through to this rule)."""
    access = MetricsAccess.from_environ()  # a too short METRICS_TOKEN stops the start, with the fix
    start_multiprocess_dir()
    warn_unless_workers_share("ACTION_SERVER_SANIC_WORKERS")
    action_metrics()
    if not getattr(ActionExecutor.run, "_counted", False):
        ActionExecutor.run = _count_runs(ActionExecutor.run)
    page = MetricsPage()

    async def metrics(request):
        reply = await asyncio.to_thread(metrics_reply, access, page, request.headers, request.ip)
        return response.raw(reply.body, status=reply.status, content_type=reply.content_type, headers=reply.headers)

    async def worker_stopped(_app, _loop):
        forget_this_worker()

    app.add_route(metrics, "/metrics", methods=["GET"], name="operator_metrics")
    app.register_listener(worker_stopped, "after_server_stop")


class Metrics:
    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        add_metrics(app)
