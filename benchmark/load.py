"""Load shapes of `make bench`, each over a channel (benchmark/channels.py) and a message mix:

- closed loop: N conversations, each sending its next message as soon as the answer is in;
- open loop: messages sent on a fixed schedule whatever the answers do, latency counted from the
  scheduled send time (so a saturated server shows its queue, not a polite client's pace);
- shoppers: N people each sending a message every `period` seconds (staggered), the shape a shop
  at its peak sees; stepping N up finds the most served with every reply within a limit."""
from __future__ import annotations

import asyncio
import collections
import statistics
import time
from dataclasses import asdict, dataclass, field

from .channels import NoAnswer

MESSAGES_PER_CONVERSATION = 8   # a conversation is retired after this many, like a real shopper


@dataclass
class Figures:
    sent: int = 0
    answered: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list = field(default_factory=list, repr=False)
    error_kinds: dict = field(default_factory=dict)

    def record(self, outcome) -> None:
        self.sent += 1
        if isinstance(outcome, Exception):
            self.errors += 1
            kind = str(outcome)[:60]
            self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1
        else:
            self.answered += 1
            self.latencies.append(outcome)

    def summary(self) -> dict:
        lat = sorted(self.latencies)

        def pct(p):
            return lat[min(len(lat) - 1, int(p / 100 * len(lat)))] if lat else float("nan")

        out = {k: v for k, v in asdict(self).items() if k != "latencies"}
        out.update({"messages/s": self.answered / self.seconds if self.seconds else 0.0,
                    "p50 ms": statistics.median(lat) if lat else float("nan"),
                    "p95 ms": pct(95), "p99 ms": pct(99), "max ms": lat[-1] if lat else float("nan")})
        return out


class _Conversations:
    """Idle conversations to send on; a conversation is retired after a few messages."""

    def __init__(self, channel) -> None:
        self.channel, self.idle, self.used = channel, collections.deque(), collections.Counter()

    async def take(self):
        if self.idle:
            return self.idle.popleft()
        return await self.channel.open()

    async def give_back(self, conversation) -> None:
        key = conversation if isinstance(conversation, str) else id(conversation)
        self.used[key] += 1
        if self.used[key] >= MESSAGES_PER_CONVERSATION:
            await self.channel.close(conversation)
        else:
            self.idle.append(conversation)

    async def close_all(self) -> None:
        await asyncio.gather(*(self.channel.close(c) for c in self.idle), return_exceptions=True)
        self.idle.clear()


async def _ask(channel, conversation, text, since=None):
    try:
        return await channel.ask(conversation, text, since)
    except NoAnswer as err:
        return err


async def closed_loop(channel, messages, conversations: int, seconds: float) -> dict:
    figures, stop = Figures(), time.perf_counter() + seconds

    async def shopper(n: int) -> None:
        i = 0
        while time.perf_counter() < stop:
            conversation = await channel.open()
            for _ in range(MESSAGES_PER_CONVERSATION):
                if time.perf_counter() >= stop:
                    break
                figures.record(await _ask(channel, conversation, messages[(n * 7 + i) % len(messages)]))
                i += 1
            await channel.close(conversation)

    t0 = time.perf_counter()
    await asyncio.gather(*(shopper(n) for n in range(conversations)))
    figures.seconds = time.perf_counter() - t0
    return figures.summary()


async def open_loop(channel, messages, rate: float, seconds: float) -> dict:
    figures, pool, tasks = Figures(), _Conversations(channel), []

    async def one(i: int, scheduled: float) -> None:
        conversation = await pool.take()
        figures.record(await _ask(channel, conversation, messages[i % len(messages)], since=scheduled))
        await pool.give_back(conversation)

    t0 = time.perf_counter()
    for i in range(int(rate * seconds)):
        scheduled = t0 + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, scheduled)))
    await asyncio.gather(*tasks)
    figures.seconds = time.perf_counter() - t0
    await pool.close_all()
    return figures.summary()


async def shoppers(channel, messages, count: int, period: float, seconds: float) -> dict:
    """`count` shoppers, each asking every `period` seconds, starts spread over one period."""
    figures = Figures()
    t0 = time.perf_counter()

    async def shopper(n: int) -> None:
        conversation, asked = await channel.open(), 0
        first = t0 + period * n / count
        i = 0
        while True:
            scheduled = first + i * period
            if scheduled > t0 + seconds:
                break
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            figures.record(await _ask(channel, conversation, messages[(n * 5 + i) % len(messages)], since=scheduled))
            i += 1
        await channel.close(conversation)

    await asyncio.gather(*(shopper(n) for n in range(count)))
    figures.seconds = time.perf_counter() - t0
    return figures.summary()


def within(summary: dict, p95: float | None = None, p99: float | None = None, worst: float | None = None) -> bool:
    if summary["errors"] or not summary["answered"]:
        return False
    return ((p95 is None or summary["p95 ms"] <= p95) and (p99 is None or summary["p99 ms"] <= p99)
            and (worst is None or summary["max ms"] <= worst))
