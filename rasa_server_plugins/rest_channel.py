"""The REST channel the console uses, answering 4xx with a JSON reason to a malformed request.

Registered in credentials.yml by its module path (`rasa_server_plugins.rest_channel.StrictRestInput`)
in place of `rest`. Its name stays "rest", so the URL (`/webhooks/rest/webhook`, from `url_prefix()`
= `name()`), the `input_channel` Rasa records, and `output_channel=rest` on the HTTP API are those
of Rasa's own channel. A good request is handled by `RestInput` unchanged (streaming included): a
request middleware of the channel's blueprint checks the body (rest_request.py) and hands Rasa the
parsed dict, so Rasa never parses it again with other rules."""
from __future__ import annotations

from typing import Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from .rest_request import Refusal, parse_rest_request


class StrictRestInput(RestInput):
    """Rasa's REST channel behind a check of every message it is sent."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def refuse_malformed(request: Request):
            if request.method != "POST" or not request.path.rstrip("/").endswith("/webhook"):
                return None
            parsed = parse_rest_request(request.body or b"", request.headers.get("content-type"))
            if isinstance(parsed, Refusal):
                return response.json(parsed.as_json(), status=parsed.status)
            request.parsed_json = parsed  # what RestInput's `request.json` returns
            return None

        return webhook
