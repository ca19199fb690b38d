"""RabbitMQ, the event broker for analytics: stopped for 10 s while shoppers talk. Conversations are
durable in PostgreSQL and go on; what the outage costs in the queue (events stored in the tracker
that never reached the queue) is measured and printed, not required to be zero: Rasa's pika broker
keeps unpublished events in the process's memory and sends them when it reconnects."""
from __future__ import annotations

import asyncio
import time

from integration_world import FOLLOW_UP, World, describe, scaled

OUTAGE_S = 10


async def test_a_broker_outage_costs_no_conversation_and_its_event_loss_is_measured(world: World):
    await world.drain_queue()
    conversations = await world.open_conversations(scaled(40, 20))
    try:
        async def outage():
            await asyncio.sleep(1.0)
            await asyncio.to_thread(world.engine, "stop", "rabbitmq")
            await asyncio.sleep(OUTAGE_S)
            await asyncio.to_thread(world.engine, "start", "rabbitmq")
            return time.monotonic()

        broker = asyncio.ensure_future(outage())
        for text in (FOLLOW_UP, "发什么快递", "谢谢", FOLLOW_UP):
            await world.everyone_says(conversations, lambda c, text=text: text, spread=3.0)
        back_at = await broker
        await asyncio.sleep(max(0.0, 15 - (time.monotonic() - back_at)))   # reconnect and resend
        queued = await world.drain_queue()
        ids = [c.conversation_id for c in conversations if c.conversation_id]
        stored = world.tracker_event_counts(ids)
        missing = sum(max(0, stored[i] - queued[i]) for i in ids)
        unanswered = [describe(c, t) for c in conversations for t in c.turns if not t.replies]
        world.record("broker_outage", shoppers=len(conversations), outage_s=OUTAGE_S,
                     tracker_events=sum(stored.values()), queue_events=sum(queued[i] for i in ids),
                     missing_in_queue=missing,
                     missing_share=f"{100 * missing / max(1, sum(stored.values())):.1f}%",
                     duplicated_in_queue=sum(max(0, queued[i] - stored[i]) for i in ids))
        print(f"broker outage of {OUTAGE_S} s: {missing} of {sum(stored.values())} stored events missing from the queue")
        assert not unanswered, f"{len(unanswered)} messages got no answer while the broker was down: {unanswered[:5]}"
        problems = world.record_problems(conversations)
        assert not problems, f"{len(problems)} conversations disagree: {problems[:5]}"
    finally:
        await world.close(conversations)
