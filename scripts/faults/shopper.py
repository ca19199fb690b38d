"""A shopper's browser as the fault scripts drive it, over the console's socket.io (what
console/static/chat.js does): the page load for the signed cookie, a socket that reconnects by
itself, `sync` from the last message id seen on every (re)connect, and an outbox of messages not
acknowledged yet, resent with the same client id until one is.

What the shopper saw is kept: every message by id (live or from a sync) and the "notice" events,
each with the monotonic time it arrived, so a script can say how long an answer took and count
what was lost or came twice."""
from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Optional

import aiohttp
import socketio

import benchmark.channels  # noqa: F401  (its aiohttp shim lets python-engineio's client run on aiohttp 3.9)

ACK_SECONDS = 5.0
RESEND_SECONDS = 0.5
RECONNECT_SECONDS = 60.0
RECONNECT_POLL_SECONDS = 0.3
_ids = itertools.count()


@dataclass
class Seen:
    message: dict
    at: float                    # time.monotonic() when it first arrived


@dataclass
class Shopper:
    url: str
    name: str = "shopper"
    messages: dict = field(default_factory=dict)     # id → Seen
    notices: list = field(default_factory=list)      # (time, text)
    acked: dict = field(default_factory=dict)        # client id → the stored message's id
    outbox: dict = field(default_factory=dict)       # client id → payload not acknowledged yet
    reconnects: int = 0

    async def open(self) -> "Shopper":
        async with aiohttp.ClientSession() as session:
            async with session.get(self.url + "/") as resp:   # the page sets the signed cookie
                self._cookie = resp.cookies["chat_session"].value
        self.client = socketio.AsyncClient(reconnection=True, reconnection_delay=0.3,
                                           reconnection_delay_max=1, randomization_factor=0)
        self.client.on("connect", self._connected)
        self.client.on("message", self._message)
        self.client.on("notice", self._notice)
        self._connected_once = False
        await self._connect()
        self._closing = False
        self._watchdog = asyncio.get_running_loop().create_task(self._keep_connected())
        return self

    async def _connect(self) -> None:
        # A callable, so every reconnect sends the cookie again: python-engineio takes the Cookie
        # header out of the dict it is given and keeps it only in a session closed at disconnect.
        await self.client.connect(self.url, headers=lambda: {"Cookie": f"chat_session={self._cookie}"},
                                  transports=["websocket"], wait_timeout=10)

    async def _keep_connected(self) -> None:
        """The browser's socket.io reconnects after the server closed the connection too (a
        console shutting down does); python-socketio reconnects only after a dropped one."""
        while not self._closing:
            await asyncio.sleep(RECONNECT_POLL_SECONDS)
            if self.client.connected or self._closing or getattr(self.client, "_reconnect_task", None):
                continue
            try:
                await self._connect()
            except Exception:  # not up yet, or half-connected: try again
                pass

    async def close(self) -> None:
        self._closing = True
        self._watchdog.cancel()
        await self.client.disconnect()

    @property
    def last_id(self) -> int:
        return max(self.messages, default=0)

    def _see(self, message: object) -> None:
        if isinstance(message, dict) and isinstance(message.get("id"), int) and message["id"] not in self.messages:
            self.messages[message["id"]] = Seen(message, time.monotonic())

    async def _message(self, data) -> None:
        self._see(data)

    async def _notice(self, data) -> None:
        self.notices.append((time.monotonic(), str((data or {}).get("text", ""))))

    async def _connected(self) -> None:
        if self._connected_once:
            self.reconnects += 1
        self._connected_once = True
        asyncio.get_running_loop().create_task(self._catch_up())

    async def _catch_up(self) -> None:
        """What the page does on every connect: sync from the last id, then resend the outbox."""
        try:
            await self.sync()
        except Exception:  # disconnected again meanwhile: the next connect syncs
            return
        for client_id in list(self.outbox):
            await self._send(client_id)

    async def sync(self) -> None:
        more = True
        while more:
            ack = await self.client.call("sync", {"after": self.last_id}, timeout=ACK_SECONDS)
            if not (isinstance(ack, dict) and ack.get("ok")):
                return
            for message in ack.get("messages", []):
                self._see(message)
            more = bool(ack.get("more") and ack.get("messages"))

    async def history(self) -> list[dict]:
        """The whole conversation as the console stored it (a sync from the start), once the
        socket is connected (again)."""
        deadline = time.monotonic() + RECONNECT_SECONDS
        while not self.client.connected and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        found: dict[int, dict] = {}
        more, after = True, 0
        while more:
            ack = await self.client.call("sync", {"after": after}, timeout=ACK_SECONDS)
            if not (isinstance(ack, dict) and ack.get("ok")):
                raise RuntimeError(f"sync refused: {ack}")
            for message in ack.get("messages", []):
                found[message["id"]] = message
            after = max(found, default=0)
            more = bool(ack.get("more") and ack.get("messages"))
        return [found[i] for i in sorted(found)]

    async def say(self, text: str, timeout: float = 60) -> str:
        """Send one message; returns its client id once the console acknowledged it as stored
        (resending, as the page does, while the console is away). Raises TimeoutError when no
        console acknowledged it in time; it stays in the outbox."""
        client_id = f"{self.name}-{next(_ids)}"
        self.outbox[client_id] = {"text": text, "client_msg_id": client_id}
        deadline = time.monotonic() + timeout
        while client_id in self.outbox:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: {text!r} not acknowledged within {timeout:g} s")
            await self._send(client_id)
            if client_id in self.outbox:
                await asyncio.sleep(RESEND_SECONDS)
        return client_id

    async def _send(self, client_id: str) -> None:
        payload = self.outbox.get(client_id)
        if payload is None or not self.client.connected:
            return
        try:
            ack = await self.client.call("send", payload, timeout=ACK_SECONDS)
        except Exception:  # no acknowledgement: it stays in the outbox
            return
        if isinstance(ack, dict) and ack.get("ok") and client_id in self.outbox:
            del self.outbox[client_id]
            self.acked[client_id] = ack["message"]["id"]
            self._see(ack["message"])

    def answer_to(self, client_id: str) -> Optional[Seen]:
        """The first bot or system message after this shopper message (its answer, apology or
        ticket), once seen."""
        mine = self.acked.get(client_id)
        if mine is None:
            return None
        later = [seen for i, seen in sorted(self.messages.items())
                 if i > mine and seen.message.get("sender") in ("bot", "system")]
        return later[0] if later else None

    async def wait_answer(self, client_id: str, timeout: float) -> Optional[Seen]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = self.answer_to(client_id)
            if seen is not None:
                return seen
            await asyncio.sleep(0.05)
        return None


def audit(history: list[dict], sent: list[str]) -> dict:
    """From the whole conversation as stored (a full sync): of the messages the shopper sent
    (client ids), how many are missing or unanswered (lost), stored twice, or answered twice
    (the same reply text twice after one shopper message)."""
    stored: dict[str, int] = {}
    answers: dict[int, list[str]] = {}
    current = None
    for message in sorted(history, key=lambda m: m["id"]):
        if message["sender"] == "shopper":
            client_id = message.get("client_msg_id", "")
            stored[client_id] = stored.get(client_id, 0) + 1
            current = message["id"]
            answers[current] = []
        elif current is not None and message["sender"] in ("bot", "system"):
            answers[current].append(message["text"])
    by_client = {m.get("client_msg_id"): m["id"] for m in history if m["sender"] == "shopper"}
    lost = sum(1 for c in sent if c not in by_client or not answers.get(by_client[c]))
    duplicates = sum(n - 1 for c, n in stored.items() if c in sent and n > 1)
    duplicates += sum(len(texts) - len(set(texts)) for texts in answers.values())
    return {"sent": len(sent), "lost": lost, "duplicates": duplicates}
