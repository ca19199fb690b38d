"""The Rasa server as the console sees it: the REST channel for shopper messages and the
token-protected HTTP API for writing agent replies into the conversation history.

Every request about a conversation names it in the `X-Conversation-Id` header: with several Rasa
instances, nginx hashes that header so a conversation stays on one instance (its lock and its
tracker cache), and moves only when that instance is gone.

One console instance has at most `concurrency` requests in flight to Rasa (RASA_CONCURRENCY); the
others wait here, in order of arrival, and the wait counts toward the request's timeout. Rasa's
event loop works on one message at a time, so more requests inside it only lengthen its own
queue, and a request the console has given up on is still worked on there: under `make soak`, an
overload of a few seconds grew into a queue that 48 messages/s never drained, and questions that
had timed out reached Rasa after later ones. Waiting here instead, a message that runs out of time
is never sent: Rasa's work goes to the shoppers still waiting, and the queue drains.

Errors never carry the request URL: it holds the token (`?token=`), which must stay out of logs.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from typing import Optional
from urllib.parse import quote

import aiohttp

from .metrics import count_rasa_not_sent

logger = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa did not answer usefully: down, too slow, or an error status."""


class RasaBusy(RasaUnavailable):
    """Rasa is up but answered 503: a store it shares (conversations, locks) is out of reach, so
    it refused to answer from a context it could not read or keep. Worth asking again shortly."""


CONVERSATION_HEADER = "X-Conversation-Id"


def conversation_header(conversation_id: str) -> dict:
    """The routing header: the id percent-encoded, so any id is one safe header line."""
    return {CONVERSATION_HEADER: quote(conversation_id, safe="")}


def _clean_buttons(buttons) -> list[dict]:
    if not isinstance(buttons, list):
        return []
    return [{"title": str(b["title"]), "payload": str(b.get("payload") or b["title"])}
            for b in buttons if isinstance(b, dict) and b.get("title")]


def bot_replies(raw) -> list[dict]:
    """REST-channel output → [{"text", "buttons"}]; images and custom payloads are dropped."""
    replies = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        text, buttons = item.get("text"), _clean_buttons(item.get("buttons"))
        if isinstance(text, str) and text.strip() or buttons:
            replies.append({"text": text if isinstance(text, str) else "", "buttons": buttons})
    return replies


# Rasa loads a model inside its event loop (PUT /model): it answers nothing for the 10–25 s a
# swap takes. While the owner's promotion or rollback runs, shoppers' messages wait that long
# instead of being handed to a person as "bot unavailable".
SWAP_WAIT_SECONDS = 90.0


async def _error_code(resp: aiohttp.ClientResponse) -> str:
    """The code of an error body {"error": code, ...} as " (code)", for the log; "" without one."""
    try:
        body = await resp.json(content_type=None)
    except (ValueError, aiohttp.ClientError):
        return ""
    code = body.get("error") if isinstance(body, dict) else None
    return f" ({code[:60]})" if isinstance(code, str) and code.isidentifier() else ""


DEFAULT_CONCURRENCY = 8   # Rasa overlaps little but its action-server calls: a few are enough


class RasaClient:
    def __init__(self, base_url: str, token: Optional[str], timeout: float = 10.0,
                 concurrency: int = DEFAULT_CONCURRENCY) -> None:
        self.base_url = base_url.rstrip("/")
        self.has_token = bool(token)
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._slots = asyncio.Semaphore(concurrency)
        self.concurrency = concurrency
        self._swaps = 0
        self._session: Optional[aiohttp.ClientSession] = None

    @contextlib.asynccontextmanager
    async def model_swap(self):
        """Around a live model swap: messages sent meanwhile wait for the new model."""
        self._swaps += 1
        try:
            yield
        finally:
            self._swaps -= 1

    def _timeout_now(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(total=SWAP_WAIT_SECONDS) if self._swaps else self._timeout

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=self._timeout)

    async def close(self) -> None:
        if self._session:
            await self._session.close()

    async def _call(self, method: str, path: str, body: Optional[dict], conversation_id: str,
                    params: Optional[dict] = None):
        assert self._session is not None, "call start() first"
        timeout = self._timeout_now()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout.total
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout.total)
        except asyncio.TimeoutError:
            count_rasa_not_sent()
            raise RasaUnavailable(f"Rasa was busy: the request waited {timeout.total:g} s for one of "
                                  f"{self.concurrency} slots and was not sent") from None
        try:
            return await self._request(method, path, body, conversation_id, params,
                                       aiohttp.ClientTimeout(total=max(deadline - loop.time(), 0.001)))
        finally:
            self._slots.release()

    async def _request(self, method: str, path: str, body: Optional[dict], conversation_id: str,
                       params: Optional[dict], timeout: aiohttp.ClientTimeout):
        try:
            async with self._session.request(method, self.base_url + path, json=body, params=params,
                                             timeout=timeout, headers=conversation_header(conversation_id)) as resp:
                if resp.status == 503:
                    raise RasaBusy(f"Rasa answered HTTP 503 on {path.split('?')[0]}: a shared store is down")
                if resp.status >= 400:  # e.g. 502 action_server_unavailable: an action call failed
                    raise RasaUnavailable(f"Rasa answered HTTP {resp.status} on {path.split('?')[0]}"
                                          f"{await _error_code(resp)}")
                return await resp.json(content_type=None)
        except asyncio.TimeoutError:
            raise RasaUnavailable("Rasa did not answer in time")
        except aiohttp.ClientError as err:
            raise RasaUnavailable(f"cannot reach Rasa: {type(err).__name__}") from None
        except ValueError:
            raise RasaUnavailable("Rasa answered with something that is not JSON") from None

    async def send_message(self, sender: str, text: str, metadata: Optional[dict] = None) -> list[dict]:
        """The bot's replies to one shopper message; [] when it said nothing. Rasa keeps
        `metadata` with the user event in its tracker."""
        body = {"sender": sender, "message": text, **({"metadata": metadata} if metadata else {})}
        return bot_replies(await self._call("POST", "/webhooks/rest/webhook", body, sender))

    async def tracker_events(self, conversation_id: str) -> list[dict]:
        """The events of the conversation's tracker since its last restart."""
        if not self._token:
            raise RasaUnavailable("RASA_TOKEN is not set: cannot use Rasa's HTTP API")
        tracker = await self._call("GET", f"/conversations/{quote(conversation_id, safe='')}/tracker", None,
                                   conversation_id, params={"token": self._token, "include_events": "AFTER_RESTART"})
        events = tracker.get("events") if isinstance(tracker, dict) else None
        return [event for event in events if isinstance(event, dict)] if isinstance(events, list) else []

    async def append_bot_event(self, conversation_id: str, text: str, agent: str, at: dt.datetime) -> None:
        """Record an agent's reply in Rasa's tracker as a bot utterance (metadata names the agent),
        so the bot's later turns and exports see it."""
        if not self._token:
            raise RasaUnavailable("RASA_TOKEN is not set: cannot use Rasa's HTTP API")
        await self._call("POST", f"/conversations/{quote(conversation_id, safe='')}/tracker/events",
                         {"event": "bot", "text": text, "timestamp": at.timestamp(),
                          "metadata": {"agent": agent}},
                         conversation_id, params={"token": self._token})
