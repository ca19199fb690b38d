"""The two ways a shopper's message reaches the bot, as the load generator drives them:
Rasa's REST channel (the shortcut the console itself uses) and the console app's socket.io (what a
shopper's browser really does: a page load for the signed cookie, a websocket, `send` with an
acknowledgement, then `message` events). `ask` returns the milliseconds until the first answer and
returns only when the whole answer is in, so one conversation never has two questions in flight."""
from __future__ import annotations

import asyncio
import itertools
import time
from typing import Optional

import aiohttp
import socketio

ANSWER_TIMEOUT = 30.0

if not hasattr(aiohttp, "ClientWSTimeout"):
    # python-engineio's client asks for aiohttp ≥ 3.10's websocket timeout object; Rasa pins aiohttp
    # 3.9, whose ws_connect takes the close timeout as a number. Client side only.
    aiohttp.ClientWSTimeout = lambda ws_close=None, **_: ws_close or 10.0
_ids = itertools.count()


class NoAnswer(Exception):
    """No reply, an error status, or the "bot unavailable" notice."""


class RestChannel:
    name = "REST"

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/") + "/webhooks/rest/webhook"
        self._session: Optional[aiohttp.ClientSession] = None

    async def __aenter__(self):
        connector = aiohttp.TCPConnector(limit=0)  # the load, not the client pool, sets concurrency
        self._session = aiohttp.ClientSession(connector=connector,
                                              timeout=aiohttp.ClientTimeout(total=ANSWER_TIMEOUT))
        return self

    async def __aexit__(self, *exc):
        await self._session.close()

    async def open(self) -> str:
        return f"bench-{next(_ids)}"

    async def close(self, conversation: str) -> None:
        pass

    async def ask(self, conversation: str, text: str, since: Optional[float] = None) -> float:
        t0 = since or time.perf_counter()
        try:
            async with self._session.post(self.url, json={"sender": conversation, "message": text}) as resp:
                replies = await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as err:
            raise NoAnswer(type(err).__name__) from None
        if resp.status != 200 or not replies:
            raise NoAnswer(f"status {resp.status}, {len(replies or [])} replies")
        return (time.perf_counter() - t0) * 1000


class _Shopper:
    """One browser: its cookie, its socket, and the answer it is waiting for."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.first: Optional[asyncio.Future] = None
        self.done: Optional[asyncio.Future] = None
        self.answering = False
        self.client.on("message", self._message)
        self.client.on("notice", self._notice)
        self.client.on("typing", self._typing)

    def expect(self) -> None:
        loop = asyncio.get_running_loop()
        self.first, self.done, self.answering = loop.create_future(), loop.create_future(), False

    async def _message(self, data):
        if isinstance(data, dict) and data.get("sender") in ("bot", "system") and self.first and not self.first.done():
            self.first.set_result(time.perf_counter())

    async def _notice(self, data):
        if self.first and not self.first.done():
            self.first.set_exception(NoAnswer("notice: " + str(data.get("text", ""))[:40]))

    async def _typing(self, data):
        if not isinstance(data, dict) or not self.done:
            return
        if data.get("on"):
            self.answering = True
        elif self.answering and not self.done.done():
            self.done.set_result(None)


class SocketChannel:
    name = "socket.io"

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self._session: Optional[aiohttp.ClientSession] = None

    async def __aenter__(self):
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=ANSWER_TIMEOUT))
        return self

    async def __aexit__(self, *exc):
        await self._session.close()

    async def open(self) -> _Shopper:
        shopper = _Shopper()
        await self.connect(shopper.client)
        return shopper

    async def connect(self, client: socketio.AsyncClient) -> None:
        """A new shopper's page load (the signed cookie), then `client`'s websocket with it."""
        async with self._session.get(self.url + "/") as resp:  # the page sets the signed cookie
            cookie = resp.cookies["chat_session"].value
        await client.connect(self.url, headers={"Cookie": f"chat_session={cookie}"},
                             transports=["websocket"], wait_timeout=ANSWER_TIMEOUT)

    async def close(self, shopper: _Shopper) -> None:
        await shopper.client.disconnect()

    async def ask(self, shopper: _Shopper, text: str, since: Optional[float] = None) -> float:
        t0 = since or time.perf_counter()
        shopper.expect()
        ack = await shopper.client.call("send", {"text": text, "client_msg_id": f"b{next(_ids)}"},
                                        timeout=ANSWER_TIMEOUT)
        if not (isinstance(ack, dict) and ack.get("ok")):
            raise NoAnswer(f"not acknowledged: {ack}")
        try:
            first = await asyncio.wait_for(shopper.first, ANSWER_TIMEOUT)
            await asyncio.wait_for(shopper.done, ANSWER_TIMEOUT)
        except asyncio.TimeoutError:
            raise NoAnswer("timeout") from None
        return (first - t0) * 1000
