"""What the integration checks share: the running stack and engines of the run (started by
scripts/integration/run.sh and tests/integration/conftest.py), shoppers on the public path, the
records in PostgreSQL, RabbitMQ's event queue, and the figures printed at the end.

Conversations are identified through the helpdesk record: a shopper's first message carries its
client id, whose row names the conversation (the cookie is signed, the driver does not read it).
"""
from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import psycopg2
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "integration"))

from figures import UsageMeter  # noqa: E402
from shoppers import Shopper, Turn, percentile  # noqa: E402
from stack import Stack  # noqa: E402

SERVICES = ROOT / "scripts" / "integration" / "services.sh"
FULL = os.environ.get("INTEGRATION_SCALE", "full") != "reduced"
RABBIT_QUEUE = "rasa_events"

# Places and the province the bot names for them; the follow-up 什么时候能到 names the province
# only when the conversation's context (the `province` slot) was kept.
PLACES = [("乌鲁木齐", "新疆"), ("拉萨", "西藏"), ("广州", "广东"), ("哈尔滨", "黑龙江"), ("成都", "四川"),
          ("杭州", "浙江"), ("昆明", "云南"), ("西宁", "青海")]
FOLLOW_UP = "什么时候能到"


def busy_texts() -> set[str]:
    """What a shopper may be told instead of an answer while a shared store is down: the owner's
    `system_busy_retry` and the console's "not saved, send again"."""
    replies = yaml.safe_load((ROOT / "store_config" / "replies.yml").read_text(encoding="utf8"))
    from console import texts
    found = {texts.NOT_SAVED}
    if isinstance(replies.get("system_busy_retry"), str):
        found.add(replies["system_busy_retry"])
    return found


@dataclass
class Conversation:
    shopper: Shopper
    place: str
    province: str
    turns: list = field(default_factory=list)
    conversation_id: Optional[str] = None

    def context_kept(self, turn: Turn) -> bool:
        """The follow-up was answered from this conversation's context (the province is named)."""
        return any(self.province in m["text"] for m in turn.replies)


class World:
    def __init__(self, run_dir: Path, stack: Stack, figures: dict) -> None:
        self.run_dir, self.stack, self.figures = run_dir, stack, figures
        self.services = stack.services

    # --- engines -------------------------------------------------------------------------------
    def engine(self, verb: str, name: str) -> None:
        subprocess.run(["bash", str(SERVICES), verb, name, str(self.run_dir)], check=True)

    # --- shoppers ------------------------------------------------------------------------------
    async def open_conversations(self, count: int, opening: Callable[[int], str] = None) -> list[Conversation]:
        """`count` shoppers open the page and connect (20 at a time), then each asks its opening
        question (寄到<place>运费多少) at the same time."""
        gate = asyncio.Semaphore(20)

        async def one(index: int) -> Conversation:
            place, province = PLACES[index % len(PLACES)]
            shopper = Shopper(self.stack.public_url, f"s{index}")
            async with gate:
                await shopper.open()
            return Conversation(shopper, place, province)

        conversations = await asyncio.gather(*(one(i) for i in range(count)))
        await self.everyone_says(conversations, lambda c: f"寄到{c.place}运费多少", spread=2.0)
        found = self.conversations_of([c.turns[0] for c in conversations])
        for conversation, conversation_id in zip(conversations, found):
            conversation.conversation_id = conversation_id
        return list(conversations)

    async def everyone_says(self, conversations: list[Conversation], text: Callable[[Conversation], str],
                            spread: float = 0.0, timeout: float = 60.0) -> list[Turn]:
        """Each conversation sends its next message at a random moment within `spread` seconds."""
        async def one(conversation: Conversation) -> Turn:
            await asyncio.sleep(random.uniform(0, spread))
            turn = await conversation.shopper.say(text(conversation), timeout=timeout)
            conversation.turns.append(turn)
            return turn
        return list(await asyncio.gather(*(one(c) for c in conversations)))

    @staticmethod
    async def close(conversations: list[Conversation]) -> None:
        await asyncio.gather(*(c.shopper.close() for c in conversations), return_exceptions=True)

    # --- PostgreSQL ----------------------------------------------------------------------------
    def _query(self, database: str, sql: str, params=()) -> list[tuple]:
        s = self.services
        user, password = (("rasa", s["POSTGRES_PASSWORD"]) if database == "rasa_tracker"
                          else ("helpdesk", s["HELPDESK_DB_PASSWORD"]))
        with psycopg2.connect(host="127.0.0.1", port=s["POSTGRES_PORT"], dbname=database, user=user,
                              password=password, connect_timeout=5) as connection:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

    def conversations_of(self, turns: list[Turn]) -> list[Optional[str]]:
        """The conversation of each turn, in one query: a load being metered (figures.UsageMeter)
        counts the checker's own reads too."""
        stored = [t.message_id for t in turns if t.message_id is not None]
        found = dict(self._query("helpdesk", "SELECT id, conversation_id FROM helpdesk_messages WHERE id = ANY(%s)",
                                 (stored,)))
        return [found.get(t.message_id) for t in turns]

    def tracker_events(self, conversation_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
        """(type, text) of every event per conversation, in the order Rasa stored them."""
        rows = self._query("rasa_tracker", "SELECT sender_id, type_name, data FROM events "
                           "WHERE sender_id = ANY(%s) ORDER BY id", (conversation_ids,))
        found = defaultdict(list)
        for sender, kind, data in rows:
            found[sender].append((kind, (json.loads(data or "{}") or {}).get("text") or ""))
        return found

    def helpdesk_messages(self, conversation_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
        rows = self._query("helpdesk", "SELECT conversation_id, sender, text FROM helpdesk_messages "
                           "WHERE conversation_id = ANY(%s) ORDER BY id", (conversation_ids,))
        found = defaultdict(list)
        for conversation, sender, text in rows:
            found[conversation].append((sender, text))
        return found

    def record_problems(self, conversations: list[Conversation], strict: bool = True) -> list[str]:
        """Per conversation: the shopper's messages are in Rasa's tracker once each and in order,
        the bot's answers in the tracker and in the helpdesk record are the same, in the same
        order. `strict`: also none missing (no kill, no outage)."""
        ids = [c.conversation_id for c in conversations if c.conversation_id]
        events, record = self.tracker_events(ids), self.helpdesk_messages(ids)
        problems = []
        for conversation in conversations:
            cid = conversation.conversation_id
            if cid is None:
                problems.append(f"{conversation.shopper.name}: conversation not found in the helpdesk record")
                continue
            said = [text for kind, text in events[cid] if kind == "user"]
            bot = [text for kind, text in events[cid] if kind == "bot"]
            asked = [text for sender, text in record[cid] if sender == "shopper"]
            answered = [text for sender, text in record[cid] if sender == "bot"]
            turns = [t.text for t in conversation.turns if t.message_id is not None]
            if asked != turns:
                problems.append(f"{cid}: helpdesk holds {asked}, the shopper sent {turns}")
            duplicates = [text for text, n in Counter(said).items() if n > turns.count(text)]
            if duplicates:
                problems.append(f"{cid}: tracker holds {duplicates} more often than sent")
            if strict and said != turns:
                problems.append(f"{cid}: tracker user events {said} ≠ sent {turns}")
            if not strict and not _in_order(said, turns):
                problems.append(f"{cid}: tracker user events {said} out of the order sent {turns}")
            if strict and bot != answered:
                problems.append(f"{cid}: tracker bot events {bot} ≠ helpdesk bot messages {answered}")
            if not strict and not _in_order(answered, bot):
                problems.append(f"{cid}: helpdesk bot messages {answered} not in the tracker's order {bot}")
        return problems

    # --- RabbitMQ ------------------------------------------------------------------------------
    async def drain_queue(self) -> Counter:
        """Takes every event waiting in the broker's queue; counts them per conversation."""
        import aio_pika
        s = self.services
        connection = await aio_pika.connect(host="127.0.0.1", port=int(s["RABBITMQ_PORT"]),
                                            login=s["RABBITMQ_USER"], password=s["RABBITMQ_PASSWORD"])
        counts = Counter()
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(RABBIT_QUEUE, durable=True, passive=True)
            while True:
                message = await queue.get(no_ack=True, fail=False)
                if message is None:
                    break
                counts[json.loads(message.body).get("sender_id")] += 1
        return counts

    def tracker_event_counts(self, conversation_ids: list[str]) -> Counter:
        rows = self._query("rasa_tracker", "SELECT sender_id, count(*) FROM events WHERE sender_id = ANY(%s) "
                           "GROUP BY sender_id", (conversation_ids,))
        return Counter(dict(rows))

    # --- routing (nginx's internal access log: conversation → instance) ------------------------
    def instance_of(self) -> dict[str, str]:
        """The Rasa instance (rasa-1 | rasa-2) that last answered each conversation."""
        ports = {self.services["RASA_1_PORT"]: "rasa-1", self.services["RASA_2_PORT"]: "rasa-2"}
        found = {}
        for line in (self.run_dir / "nginx" / "routed.log").read_text().splitlines():
            parts = line.split(maxsplit=3)   # msec, conversation, status, upstream(s) tried
            if len(parts) == 4 and parts[1] != "-" and parts[2] == "200":
                upstream = parts[3].split(",")[-1].strip().rsplit(":", 1)[-1]
                if upstream in ports:
                    found[parts[1]] = ports[upstream]
        return found

    # --- figures -------------------------------------------------------------------------------
    def record(self, scenario: str, **values) -> None:
        self.figures.setdefault(scenario, {}).update(values)

    def usage_meter(self) -> UsageMeter:
        """Engine counters and CPU time around a load, for the per-message rows of the figures."""
        def pids() -> dict[str, int]:
            return {name: p.popen.pid for name, p in self.stack.processes.items() if p.running()}
        return UsageMeter(self.services, self.run_dir, pids)


def _in_order(items: list[str], within: list[str]) -> bool:
    """`items` appear in `within` in the same order (a subsequence)."""
    position = iter(within)
    return all(any(item == candidate for candidate in position) for item in items)


def latency_figures(turns: list[Turn]) -> dict:
    seconds = [t.seconds for t in turns if t.seconds is not None]
    return {"p50_s": _round(percentile(seconds, 0.5)), "p95_s": _round(percentile(seconds, 0.95)),
            "max_s": _round(max(seconds) if seconds else None)}


def _round(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 2)


def describe(conversation: Conversation, turn: Turn) -> str:
    """A turn in a failure message: whose, what, and whether the console had stored it."""
    stored = f"stored as #{turn.message_id}" if turn.message_id is not None else "never acknowledged"
    return (f"{conversation.conversation_id or conversation.shopper.name}: {turn.text} ({stored}; "
            f"{conversation.shopper.disconnects} disconnects) → {texts_of(turn) or 'nothing'}")


def texts_of(turn: Turn) -> str:
    return " | ".join(turn.texts())[:200]


def scaled(full: int, reduced: int) -> int:
    return full if FULL else reduced

