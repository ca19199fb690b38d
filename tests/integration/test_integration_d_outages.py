"""Redis, then PostgreSQL, stopped for 10 s while shoppers talk: a shopper gets either a real answer
from the conversation's context or the clear "please try again shortly" — never an answer from a
forgotten context (Rasa's FailSafeTrackerStore would start the conversation afresh) — and when the
engine is back, service resumes by itself with every conversation's history intact."""
from __future__ import annotations

import asyncio
import time

import pytest

from integration_world import FOLLOW_UP, World, busy_texts, scaled, texts_of

OUTAGE_S = 10


@pytest.mark.parametrize("engine", ["redis", "postgres"])
async def test_an_outage_gets_please_retry_and_service_resumes_by_itself(world: World, engine: str):
    conversations = await world.open_conversations(scaled(40, 20))
    retry = busy_texts()
    try:
        await asyncio.to_thread(world.engine, "stop", engine)
        stopped_at = time.monotonic()
        during = await world.everyone_says(conversations, lambda c: FOLLOW_UP, spread=OUTAGE_S - 2, timeout=30)
        await asyncio.sleep(max(0.0, OUTAGE_S - (time.monotonic() - stopped_at)))
        await asyncio.to_thread(world.engine, "start", engine)
        restarted_at = time.monotonic()

        probe = conversations[0]
        resumed_after = None
        while time.monotonic() - restarted_at < 90:
            turn = await probe.shopper.say(FOLLOW_UP, timeout=20)
            probe.turns.append(turn)
            if probe.context_kept(turn):
                resumed_after = time.monotonic() - restarted_at
                break
            await asyncio.sleep(1)
        after = await world.everyone_says(conversations[1:], lambda c: FOLLOW_UP, spread=1.0)

        answered_from_context = [t for c, t in zip(conversations, during) if c.context_kept(t)]
        asked_to_retry = [t for t in during if set(t.texts()) & retry]
        wrong = [f"{c.conversation_id}: {texts_of(t)}" for c, t in zip(conversations, during)
                 if t not in answered_from_context and t not in asked_to_retry]
        forgotten_after = [f"{c.conversation_id}: {texts_of(t)}" for c, t in zip(conversations[1:], after)
                           if not c.context_kept(t)]
        world.record(f"{engine}_outage", shoppers=len(conversations), outage_s=OUTAGE_S,
                     answered_from_context=len(answered_from_context), asked_to_retry=len(asked_to_retry),
                     other_replies=len(wrong), resumed_after_s=None if resumed_after is None else round(resumed_after, 1),
                     context_kept_after=f"{len(after) - len(forgotten_after)}/{len(after)}")
        assert not wrong, (f"{len(wrong)} shoppers got neither an answer from their context nor "
                           f"'please retry' during the {engine} outage: {wrong[:3]}")
        assert resumed_after is not None, f"no answer from context within 90 s after {engine} came back"
        assert not forgotten_after, f"{len(forgotten_after)} conversations lost their context: {forgotten_after[:3]}"
        problems = world.record_problems(conversations, strict=False)
        assert not problems, f"{len(problems)} conversations disagree: {problems[:5]}"
    finally:
        await world.close(conversations)
        if not _running(world, engine):
            await asyncio.to_thread(world.engine, "start", engine)


def _running(world: World, engine: str) -> bool:
    import socket
    port = {"redis": "REDIS_PORT", "postgres": "POSTGRES_PORT"}[engine]
    try:
        socket.create_connection(("127.0.0.1", int(world.services[port])), 1).close()
        return True
    except OSError:
        return False
