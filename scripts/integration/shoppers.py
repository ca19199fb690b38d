"""Shoppers for the integration run, behaving as the web chat's page does (console/static/chat.js),
on the public path: HTTPS through nginx, the page first (it issues the signed conversation cookie),
then socket.io with that cookie and the page's Origin. A message gets a client id and is sent again
until the server acknowledges it (also after a reconnect); after every (re)connect the shopper asks
for everything after the last message id it saw. No polling beyond that: an answer the page would
not show is not counted as shown.

    async with Shopper(base_url) as shopper:
        turn = await shopper.say("寄到乌鲁木齐运费多少")
        turn.replies, turn.seconds
"""
from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from typing import Optional

import aiohttp
import socketio

if not hasattr(aiohttp, "ClientWSTimeout"):
    # python-engineio's client builds aiohttp ≥ 3.10's websocket timeout object; Rasa pins aiohttp
    # 3.9, whose ws_connect takes the close timeout as a number. Client side only (the driver).
    aiohttp.ClientWSTimeout = lambda ws_close=None, **_: ws_close or 10.0

ACK_TIMEOUT_S = 10        # the page's ACK_TIMEOUT_MS
RESEND_AFTER_S = 1.0      # the page's RETRY_MS
QUIET_AFTER_REPLY_S = 1.5  # a bot answer may be several messages: wait for `typing` off or this long


@dataclass
class Turn:
    """One shopper message and what the page showed after it."""
    text: str
    sent_at: float
    message_id: Optional[int] = None     # the stored message's id (from the acknowledgement)
    refusal: Optional[str] = None        # the acknowledgement's hint when the server refused it
    replies: list = field(default_factory=list)   # bot / agent / system messages after it
    notices: list = field(default_factory=list)   # `notice` events while it waited
    seconds: Optional[float] = None      # send → first reply or notice

    @property
    def answered(self) -> bool:
        return bool(self.replies or self.notices or self.refusal)

    def texts(self) -> list[str]:
        return [m["text"] for m in self.replies] + list(self.notices) + ([self.refusal] if self.refusal else [])


class Shopper:
    def __init__(self, base_url: str, name: str = "") -> None:
        self.base_url, self.name = base_url.rstrip("/"), name or secrets.token_hex(4)
        self.messages: dict[int, dict] = {}      # everything shown, by id
        self.notices: list[tuple[float, str]] = []
        self.connects = self.disconnects = 0
        self._changed = asyncio.Event()
        self._typing_off = asyncio.Event()
        self._http: Optional[aiohttp.ClientSession] = None
        self.sio: Optional[socketio.AsyncClient] = None

    async def __aenter__(self) -> "Shopper":
        await self.open()
        return self

    async def __aexit__(self, *_exc) -> None:
        await self.close()

    @property
    def last_id(self) -> int:
        return max(self.messages, default=0)

    async def open(self) -> None:
        self._http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                           connector=aiohttp.TCPConnector(ssl=False, limit=4),
                                           timeout=aiohttp.ClientTimeout(total=30))
        async with self._http.get(self.base_url + "/") as page:   # the conversation cookie
            if page.status != 200:
                raise RuntimeError(f"the chat page answered HTTP {page.status}")
        self.sio = socketio.AsyncClient(http_session=self._http, ssl_verify=False, reconnection=True,
                                        reconnection_attempts=0, reconnection_delay=0.5,
                                        reconnection_delay_max=2, randomization_factor=0.5)
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", self._on_disconnect)
        self.sio.on("message", self._show)
        self.sio.on("notice", self._on_notice)
        self.sio.on("typing", self._on_typing)
        await self.sio.connect(self.base_url, headers={"Origin": self.base_url},
                               transports=["polling", "websocket"], wait_timeout=30)

    async def close(self) -> None:
        if self.sio is not None:
            await self.sio.disconnect()
        if self._http is not None:
            await self._http.close()

    # --- events -----------------------------------------------------------------------------
    async def _on_connect(self) -> None:
        self.connects += 1
        asyncio.ensure_future(self.sync())   # as the page: everything after the last id seen

    async def _on_disconnect(self, *_args) -> None:
        self.disconnects += 1

    async def _show(self, message: dict) -> None:
        if isinstance(message, dict) and isinstance(message.get("id"), int):
            self.messages[message["id"]] = message
            self._changed.set()

    async def _on_notice(self, data: dict) -> None:
        self.notices.append((time.monotonic(), str((data or {}).get("text", ""))))
        self._changed.set()

    async def _on_typing(self, data: dict) -> None:
        if not (data or {}).get("on"):
            self._typing_off.set()

    async def sync(self) -> list[dict]:
        try:
            ack = await self.sio.call("sync", {"after": self.last_id}, timeout=ACK_TIMEOUT_S)
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError,
                socketio.exceptions.DisconnectedError):
            return []
        found = ack.get("messages", []) if isinstance(ack, dict) else []
        for message in found:
            await self._show(message)
        return found

    async def history(self) -> list[dict]:
        """The whole conversation as the server keeps it (GET /api/messages, the page's first load)."""
        async with self._http.get(self.base_url + "/api/messages?after=0") as response:
            response.raise_for_status()
            return (await response.json())["messages"]

    # --- one message --------------------------------------------------------------------------
    async def say(self, text: str, timeout: float = 60.0) -> Turn:
        """Sends `text` (again until acknowledged) and waits for the answer the page would show."""
        turn = Turn(text, time.monotonic())
        deadline = turn.sent_at + timeout
        item = {"text": text, "client_msg_id": secrets.token_hex(16)}
        notices_before = len(self.notices)
        self._typing_off.clear()
        while turn.message_id is None and time.monotonic() < deadline:
            try:
                ack = await self.sio.call("send", item, timeout=ACK_TIMEOUT_S)
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError,
                    socketio.exceptions.DisconnectedError):
                await asyncio.sleep(RESEND_AFTER_S)   # not connected or no answer: keep it, resend
                continue
            if isinstance(ack, dict) and ack.get("ok"):
                turn.message_id = ack["message"]["id"]
                await self._show(ack["message"])
            elif isinstance(ack, dict) and ack.get("error") == "not_saved":
                turn.refusal = ack.get("hint", "")     # shown to the shopper; the page resends later
                turn.seconds = time.monotonic() - turn.sent_at
                return turn
            else:
                turn.refusal = str(ack)
                return turn
        while time.monotonic() < deadline:
            turn.replies = [m for i, m in sorted(self.messages.items())
                            if turn.message_id is not None and i > turn.message_id and m.get("sender") != "shopper"]
            turn.notices = [text for _, text in self.notices[notices_before:]]
            if turn.replies or turn.notices:
                turn.seconds = turn.seconds or time.monotonic() - turn.sent_at
                try:
                    await asyncio.wait_for(self._typing_off.wait(), QUIET_AFTER_REPLY_S)
                except asyncio.TimeoutError:
                    pass
                turn.replies = [m for i, m in sorted(self.messages.items())
                                if i > turn.message_id and m.get("sender") != "shopper"]
                return turn
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), max(0.05, min(1.0, deadline - time.monotonic())))
            except asyncio.TimeoutError:
                pass
        return turn


def percentile(values: list[float], share: float) -> Optional[float]:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]
