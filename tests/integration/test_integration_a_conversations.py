"""Many shoppers at once through nginx over TLS (the public path), spread over two consoles and two
Rasa instances: every message answered, the context of each conversation kept, and no event lost
or stored twice — Rasa's tracker (PostgreSQL) and the helpdesk record agree message by message, and
every stored event also reached RabbitMQ's queue. Around the load, the engines' own counters and the
processes' CPU time give the figures' "per shopper message" rows (scripts/integration/figures.py)."""
from __future__ import annotations

import asyncio
import time

from integration_world import FOLLOW_UP, World, describe, latency_figures, scaled, texts_of


async def test_concurrent_conversations_are_answered_and_recorded_once(world: World):
    count = scaled(200, 50)
    await world.drain_queue()   # only this check's events are counted below
    meter = world.usage_meter()
    meter.start()
    started = time.monotonic()
    conversations = await world.open_conversations(count)
    try:
        await world.everyone_says(conversations, lambda c: FOLLOW_UP, spread=1.0)
        await world.everyone_says(conversations, lambda c: "发什么快递", spread=1.0)
        took = time.monotonic() - started
        meter.load_over()
        turns = [t for c in conversations for t in c.turns]
        unanswered = [describe(c, t) for c in conversations for t in c.turns if not t.replies]
        forgotten = [f"{c.conversation_id}: {texts_of(c.turns[1])}" for c in conversations
                     if not c.context_kept(c.turns[1])]
        routed = world.instance_of()
        on = {name: sum(1 for c in conversations if routed.get(c.conversation_id) == name) for name in ("rasa-1", "rasa-2")}
        # The broker publishes after the tracker is saved; PostgreSQL's statistics come later still.
        await asyncio.sleep(max(2.0, meter.seconds_until_postgres_flushed()))
        queued = await world.drain_queue()
        ids = [c.conversation_id for c in conversations if c.conversation_id]
        # Read before the checker's own queries below, which would count as the load's.
        usage = meter.per_message(len(turns) - len(unanswered), sum(queued[i] for i in ids))
        stored = world.tracker_event_counts(ids)
        missing_in_queue = sum(max(0, stored[i] - queued[i]) for i in ids)
        world.record("conversations", shoppers=count, messages=len(turns), answered=len(turns) - len(unanswered),
                     seconds=round(took, 1), messages_per_s=round(len(turns) / took, 1),
                     on_rasa_1=on["rasa-1"], on_rasa_2=on["rasa-2"], tracker_events=sum(stored.values()),
                     queue_events=sum(queued[i] for i in ids), missing_in_queue=missing_in_queue,
                     **latency_figures(turns))
        for row, values in usage.items():
            world.record(row, **values)
        assert not unanswered, f"{len(unanswered)} messages got no answer: {unanswered[:5]}"
        assert not forgotten, f"context lost in {len(forgotten)} conversations: {forgotten[:3]}"
        problems = world.record_problems(conversations)
        assert not problems, f"{len(problems)} conversations disagree: {problems[:5]}"
        assert on["rasa-1"] and on["rasa-2"], f"nginx routed every conversation to one instance: {on}"
        assert missing_in_queue == 0, f"{missing_in_queue} stored events never reached the queue"
    finally:
        await world.close(conversations)
