"""Shoppers on the public origin: each is a browser's socket.io connection to the console app
(page load for the signed cookie, then the websocket: benchmark/channels.py), recording every
event it receives with its arrival time, and the acknowledgement of every message it sends.

The load is open loop: message i of the run is due at t0 + i / rate and goes to shopper
i mod N, whatever the answers do, so each shopper sends every N / rate seconds. A shopper may
leave after a few messages (`per_conversation`): a new one (a new page load, a new
conversation) takes its place before its next message is due."""
from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Optional

import socketio

from benchmark.channels import ANSWER_TIMEOUT, SocketChannel

from .checker import Event, Question

CONNECT_BATCH = 50   # page loads and websockets opened at once when the run starts


class RecordedShopper:
    """One conversation, as its browser sees it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: list[Event] = []
        self.questions: list[Question] = []
        self._leaving = False
        for kind in ("message", "typing", "notice"):
            self.client.on(kind, self._recorder(kind))
        self.client.on("disconnect", self._disconnected)

    def _recorder(self, kind: str):
        async def record(data=None):
            self.events.append(Event(time.perf_counter(), kind, data if isinstance(data, dict) else {}))
        return record

    async def _disconnected(self, *_):
        if not self._leaving:
            self.events.append(Event(time.perf_counter(), "disconnect", {}))

    async def ask(self, text: str, client_msg_id: str, scheduled: float) -> None:
        question = Question(client_msg_id, scheduled)
        self.questions.append(question)
        try:
            ack = await self.client.call("send", {"text": text, "client_msg_id": client_msg_id},
                                         timeout=ANSWER_TIMEOUT)
        except Exception as err:   # timeout, or the socket is gone
            question.ack_error = type(err).__name__
            return
        if isinstance(ack, dict) and ack.get("ok") and isinstance(ack.get("message"), dict):
            question.ack_id = ack["message"].get("id")
        else:
            question.ack_error = str(ack)[:80]

    def settled(self) -> bool:
        """Every acknowledged question has had its whole answer (or could not have one)."""
        done = sum(1 for e in self.events if e.kind == "typing" and not e.data.get("on"))
        pending = [q for q in self.questions if q.ack_id is None and q.ack_error is None]
        return not pending and done >= sum(1 for q in self.questions if q.ack_id is not None)

    async def leave(self, wait_s: float = ANSWER_TIMEOUT) -> None:
        """Wait (bounded) for the last answers, then close the page."""
        deadline = time.monotonic() + wait_s
        while not self.settled() and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        self._leaving = True
        try:
            await self.client.disconnect()
        except Exception:
            pass


@dataclass
class LoadRun:
    """Everything one load produced, for the checker."""
    t0: float = 0.0
    seconds: float = 0.0
    shoppers: list = field(default_factory=list)      # every RecordedShopper, retired ones included
    open_failures: list = field(default_factory=list)  # page loads or websockets that failed


async def open_loop(url: str, messages: list[str], rate: float, seconds: float, shoppers: int,
                    per_conversation: Optional[int], tag: str, log=print) -> LoadRun:
    """`rate` messages/s for `seconds` over `shoppers` slots; client_msg_ids `<tag>-<slot>-<n>`."""
    run, names = LoadRun(), itertools.count()
    async with SocketChannel(url) as channel:
        async def arrive() -> Optional[RecordedShopper]:
            shopper = RecordedShopper(f"{tag}{next(names)}")
            try:
                await channel.connect(shopper.client)
            except Exception as err:
                run.open_failures.append(f"{type(err).__name__}: {str(err)[:60]}")
                return None
            run.shoppers.append(shopper)
            return shopper

        slots: list = []
        for start in range(0, shoppers, CONNECT_BATCH):
            slots += await asyncio.gather(*(arrive() for _ in range(start, min(shoppers, start + CONNECT_BATCH))))
        log(f"{sum(s is not None for s in slots)} shoppers connected")
        sent_in_slot = [0] * shoppers
        sends, departures, replacements = [], [], {}
        run.t0 = time.perf_counter()
        total = int(rate * seconds)
        for i in range(total):
            scheduled = run.t0 + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            slot = i % shoppers
            if slot in replacements:
                slots[slot] = await replacements.pop(slot)
            shopper = slots[slot]
            if shopper is None:
                continue
            sends.append(asyncio.create_task(
                shopper.ask(messages[i % len(messages)], f"{tag}-{slot}-{sent_in_slot[slot]}", scheduled)))
            sent_in_slot[slot] += 1
            # Slot k's first conversation is shorter by k mod per_conversation messages, so a tenth of
            # the shoppers (per_conversation 10) arrive anew in each round instead of all of them in
            # the same round: a 20-minute run where every shopper left at once showed a burst of
            # new conversations every per_conversation rounds (100 s) that saturated the machine.
            if per_conversation and (sent_in_slot[slot] + slot) % per_conversation == 0 and i + shoppers < total:
                departures.append(asyncio.create_task(shopper.leave()))
                replacements[slot] = asyncio.create_task(arrive())   # ready before its next turn
            if i and i % int(rate * 60) == 0:
                log(f"{i} of {total} sent")
        run.seconds = time.perf_counter() - run.t0
        await asyncio.gather(*sends)
        await asyncio.gather(*departures, *(s.leave() for s in slots if s is not None))
        for pending in replacements.values():
            extra = await pending
            if extra is not None:
                await extra.leave(0)
    return run
