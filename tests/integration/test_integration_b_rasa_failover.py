"""One Rasa instance killed (SIGKILL) while shoppers are talking: nginx moves its conversations to the
other instance, which reads their history from PostgreSQL (the province asked about before the kill
is still known), and no message is lost or stored twice. The killed instance's Redis locks expire
(TICKET_LOCK_LIFETIME) instead of stalling its conversations."""
from __future__ import annotations

import asyncio
import time

from integration_world import FOLLOW_UP, World, busy_texts, describe, latency_figures, scaled, texts_of


async def test_a_killed_rasa_instance_s_conversations_go_on_with_their_history(world: World):
    count = scaled(80, 30)
    conversations = await world.open_conversations(count)
    try:
        routed = world.instance_of()
        moved = [c for c in conversations if routed.get(c.conversation_id) == "rasa-1"]
        assert moved, "no conversation was on rasa-1 before the kill"

        async def kill_soon():
            await asyncio.sleep(1.0)
            await asyncio.to_thread(world.stack.kill, "rasa-1")
            return time.monotonic()

        killer = asyncio.ensure_future(kill_soon())
        in_flight = await world.everyone_says(conversations, lambda c: "发什么快递", spread=3.0)
        killed_at = await killer
        after = await world.everyone_says(conversations, lambda c: FOLLOW_UP, spread=1.0)
        routed = world.instance_of()
        unanswered = [describe(c, t) for c in conversations for t in c.turns[1:] if not t.answered]
        forgotten = [f"{c.conversation_id}: {texts_of(c.turns[-1])}" for c in moved if not c.context_kept(c.turns[-1])]
        still_on_1 = [c.conversation_id for c in moved if routed.get(c.conversation_id) != "rasa-2"]
        handed_off = sum(1 for t in in_flight if t.replies and all(m["sender"] == "system" for m in t.replies))
        busy = sum(1 for t in in_flight + after if set(t.texts()) & busy_texts())
        world.record("rasa_kill", shoppers=count, on_killed_instance=len(moved),
                     context_kept_after_kill=f"{len(moved) - len(forgotten)}/{len(moved)}",
                     answered_in_flight=sum(t.answered for t in in_flight),
                     in_flight=len(in_flight), handed_off_in_flight=handed_off, busy_replies=busy,
                     **{f"moved_{k}": v for k, v in latency_figures(
                         [t for c in moved for t in c.turns[1:] if t.sent_at >= killed_at]).items()})
        assert not unanswered, f"{len(unanswered)} messages got no answer: {unanswered[:5]}"
        assert not still_on_1, f"{len(still_on_1)} conversations were not moved to rasa-2"
        assert not forgotten, f"{len(forgotten)} moved conversations lost their history: {forgotten[:3]}"
        problems = world.record_problems(conversations, strict=False)
        assert not problems, f"{len(problems)} conversations disagree: {problems[:5]}"
    finally:
        await world.close(conversations)
        await asyncio.to_thread(world.stack.start, "rasa-1")
