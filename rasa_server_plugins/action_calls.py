"""Custom-action calls that end within seconds, and a webhook that says so when one failed.

Rasa 3.6 calls the action server with a hard-coded 300 s timeout (`RemoteAction.run` passes
`DEFAULT_REQUEST_TIMEOUT`; an `action_endpoint: timeout:` in endpoints.yml is kept in the
endpoint's `kwargs` but never used), and when a call fails (500, refused connection, no answer,
an invalid result) `MessageProcessor._run_action` logs "Bot will continue, but the actions events
are lost", records the action with none of its events and goes on: the shopper gets a partial
answer or none, the REST webhook answers 200 with it, and the slots the action would have set are
gone from the saved conversation.

Installed by the entry point, this module:
- bounds each call by `action_endpoint: timeout:` (seconds; DEFAULT_TIMEOUT_SECONDS without it);
- during a channel webhook request, stops handling the message at a failed call, so nothing of
  it is saved (the conversation stays as it was before the message) and nothing is sent;
- answers that webhook 502 `action_server_unavailable`: the console hands the message to a
  person (its "bot unavailable" apology and ticket) instead of showing a partial answer.
A rejection by a form's validation (HTTP 400 from the action server) is not a failure: Rasa's own
handling stays. Outside webhooks (HTTP API, socket.io) Rasa's behaviour is unchanged apart from the
timeout."""
from __future__ import annotations

import asyncio
import functools
import logging
from contextvars import ContextVar
from typing import Optional

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig
from sanic import Sanic
from sanic.response import json

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 10.0
WEBHOOK_FAILURE = "action_server_unavailable"

# The action calls that failed while the current webhook request was handled (None outside one).
_failed_calls: ContextVar[Optional[list]] = ContextVar("failed_action_calls", default=None)


class ActionServerUnavailable(RasaException):
    """A custom action could not be run: the action server failed, refused or did not answer."""


def call_timeout(endpoint: Optional[EndpointConfig]) -> float:
    """Seconds one action call may take: endpoints.yml `action_endpoint: timeout:`."""
    raw = endpoint.kwargs.get("timeout") if endpoint is not None else None
    if raw is None:
        return DEFAULT_TIMEOUT_SECONDS
    try:
        seconds = float(raw)
    except (TypeError, ValueError):
        seconds = 0.0
    if 0 < seconds <= 300:
        return seconds
    _warn_once(f"endpoints.yml action_endpoint.timeout is {raw!r}, not a number of seconds above 0 and at most "
               f"300 (e.g. timeout: 5); using {DEFAULT_TIMEOUT_SECONDS:g} s")
    return DEFAULT_TIMEOUT_SECONDS


@functools.lru_cache(maxsize=8)
def _warn_once(text: str) -> None:
    logger.error(text)


def _bounded(run):
    @functools.wraps(run)
    async def run_bounded(self: RemoteAction, *args, **kwargs):
        seconds = call_timeout(self.action_endpoint)
        try:
            return await asyncio.wait_for(run(self, *args, **kwargs), seconds)
        except ActionExecutionRejection:
            raise
        except asyncio.TimeoutError:
            failure = ActionServerUnavailable(f"custom action '{self.name()}': no answer within {seconds:g} s")
        except Exception as error:
            failure = ActionServerUnavailable(f"custom action '{self.name()}' failed: {type(error).__name__}")
            failure.__cause__ = error
        failed = _failed_calls.get()
        if failed is not None:
            failed.append(failure)
        raise failure
    run_bounded.bounded = True
    return run_bounded


def _stopping_at_failed_call(run_action):
    """Rasa's `_run_action` swallows the failure; in a webhook request it is raised again after,
    so the message is not saved with the action's events missing."""
    @functools.wraps(run_action)
    async def run(self, *args, **kwargs):
        failed = _failed_calls.get()
        seen = len(failed) if failed is not None else 0
        result = await run_action(self, *args, **kwargs)
        if failed is not None and len(failed) > seen:
            raise failed[-1]
        return result
    run.stops_at_failed_call = True
    return run


def install() -> None:
    if not getattr(RemoteAction.run, "bounded", False):
        RemoteAction.run = _bounded(RemoteAction.run)
    if not getattr(MessageProcessor._run_action, "stops_at_failed_call", False):
        MessageProcessor._run_action = _stopping_at_failed_call(MessageProcessor._run_action)


def _answering_502_on_failed_call(receive):
    @functools.wraps(receive)
    async def webhook(request, *args, **kwargs):
        failed: list = []
        token = _failed_calls.set(failed)
        try:
            response = await receive(request, *args, **kwargs)
        finally:
            _failed_calls.reset(token)
        if not failed:
            return response
        logger.warning("message not answered: %s", failed[-1])
        return json({"error": WEBHOOK_FAILURE, "reason": f"{failed[-1]}; nothing of the message was kept, "
                     "hand it to a person or send it again"}, status=502)
    return webhook


def answer_502_when_an_action_failed(app: Sanic) -> None:
    """An app extension: each channel's webhook answers 502 when an action call of its message failed."""
    for route in app.router.routes:
        if route.path.startswith("webhooks/") and route.path.endswith("/webhook") and "POST" in route.methods:
            route.handler = _answering_502_on_failed_call(route.handler)
