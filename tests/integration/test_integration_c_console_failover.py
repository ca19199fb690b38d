"""One console instance killed: its shoppers' sockets drop, they reconnect through nginx to the other
instance (socket.io rooms are shared through Redis), send again what was not acknowledged, sync
from their last message id, and miss nothing: every message they sent is answered, on the page and
in the record. Full run only (the reduced run kills one Rasa instance)."""
from __future__ import annotations

import asyncio

import pytest

from integration_world import FOLLOW_UP, FULL, World, describe, latency_figures, texts_of

pytestmark = pytest.mark.skipif(not FULL, reason="INTEGRATION_SCALE=reduced: one kill only")


async def test_a_killed_console_s_shoppers_reconnect_to_the_other_and_miss_nothing(world: World):
    conversations = await world.open_conversations(60)
    try:
        async def kill_soon():
            await asyncio.sleep(1.0)
            await asyncio.to_thread(world.stack.kill, "console-1")

        killer = asyncio.ensure_future(kill_soon())
        await world.everyone_says(conversations, lambda c: "发什么快递", spread=3.0, timeout=90)
        await killer
        await world.everyone_says(conversations, lambda c: FOLLOW_UP, spread=1.0)
        dropped = [c for c in conversations if c.shopper.disconnects]
        unanswered = [describe(c, t) for c in conversations for t in c.turns if not t.answered]
        missed = []
        for conversation in dropped:
            history = await conversation.shopper.history()
            shown = set(conversation.shopper.messages)
            missed += [f"{conversation.conversation_id}#{m['id']}" for m in history if m["id"] not in shown]
        forgotten = [f"{c.conversation_id}: {texts_of(c.turns[-1])}" for c in dropped if not c.context_kept(c.turns[-1])]
        world.record("console_kill", shoppers=len(conversations), dropped=len(dropped),
                     reconnected=sum(1 for c in dropped if c.shopper.connects > 1),
                     messages_missed=len(missed), **latency_figures([c.turns[1] for c in dropped]))
        assert dropped, "no shopper was on console-1"
        assert not unanswered, f"{len(unanswered)} messages got no answer: {unanswered[:5]}"
        assert not missed, f"{len(missed)} stored messages never shown to their shopper: {missed[:5]}"
        assert not forgotten, f"{len(forgotten)} conversations lost their context: {forgotten[:3]}"
        problems = world.record_problems(conversations, strict=False)
        assert not problems, f"{len(problems)} conversations disagree: {problems[:5]}"
    finally:
        await world.close(conversations)
        await asyncio.to_thread(world.stack.start, "console-1")
