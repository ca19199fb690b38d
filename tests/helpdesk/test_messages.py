"""The message outbox: increasing ids, a resend stored once, `since` returns exactly what was missed."""
from __future__ import annotations

import datetime as dt

import pytest

from helpdesk import Turn
from store import CHINA

NOON = dt.datetime(2026, 11, 25, 12, 0, tzinfo=CHINA)


def test_ids_increase_across_conversations(messages):
    ids = [messages.append(conv, "shopper", "在吗", now=NOON).id for conv in ["a", "b", "a"]]
    assert ids == sorted(ids) and len(set(ids)) == 3


def test_a_resend_with_the_same_client_id_is_stored_once(messages):
    first, created = messages.record("c1", "shopper", "运费多少", client_msg_id="m-1", now=NOON)
    again, created_again = messages.record("c1", "shopper", "运费多少", client_msg_id="m-1",
                                           now=NOON + dt.timedelta(seconds=5))
    assert created and not created_again
    assert again == first
    assert messages.since("c1") == [first]


def test_client_ids_are_per_conversation(messages):
    a = messages.append("a", "shopper", "hi", client_msg_id="m-1", now=NOON)
    b = messages.append("b", "shopper", "hi", client_msg_id="m-1", now=NOON)
    assert a.id != b.id


def test_messages_without_client_id_are_all_kept(messages):
    messages.append("c1", "bot", "您好", now=NOON)
    messages.append("c1", "bot", "您好", now=NOON)
    assert len(messages.since("c1")) == 2


def test_since_returns_only_the_missed_messages_of_that_conversation(messages):
    seen = messages.append("c1", "shopper", "寄到拉萨运费多少", now=NOON)
    messages.append("other", "shopper", "别人的消息", now=NOON)
    reply = messages.append("c1", "bot", "亲，寄到西藏1公斤以内18元",
                            buttons=[{"title": "转人工", "payload": "/request_human"}], now=NOON)
    assert messages.since("c1", after_id=seen.id) == [reply]
    assert reply.buttons == [{"title": "转人工", "payload": "/request_human"}]
    assert messages.since("c1", after_id=reply.id) == []
    assert [m.text for m in messages.since("c1", limit=1)] == ["寄到拉萨运费多少"]


def test_text_is_stored_verbatim(messages):
    text = "<img src=x onerror=alert(1)> 😀 \n 第二行"
    assert messages.append("c1", "shopper", text, now=NOON).text == text
    assert messages.since("c1")[0].text == text


def test_imported_turns_are_recorded_once_in_time_order(messages):
    """Turns kept first by Rasa's tracker (REST-channel conversations), recorded at a handoff."""
    later = NOON + dt.timedelta(seconds=30)
    turns = [Turn("bot", "亲，寄到新疆1公斤以内18元", later, "tracker:2"), Turn("shopper", "运费多少", NOON, "tracker:1")]
    assert messages.import_turns("c1", turns) == 2
    assert messages.import_turns("c1", turns + [Turn("shopper", "转人工", later, "tracker:3")]) == 1
    assert [(m.sender, m.text, m.created_at) for m in messages.since("c1")] == [
        ("shopper", "运费多少", NOON), ("bot", "亲，寄到新疆1公斤以内18元", later), ("shopper", "转人工", later)]


def test_times_come_back_in_the_business_zone(messages):
    stored = messages.append("c1", "shopper", "在吗", now=NOON.astimezone(dt.timezone.utc))
    assert stored.created_at == NOON and stored.created_at.utcoffset() == dt.timedelta(hours=8)


def test_unknown_sender_is_refused(messages):
    with pytest.raises(ValueError):
        messages.append("c1", "hacker", "hi", now=NOON)


def test_before_pages_back_through_one_conversation_oldest_first(messages):
    ids = [messages.append("long", "shopper", f"第{i}条", now=NOON).id for i in range(7)]
    messages.append("other", "shopper", "别人的", now=NOON)
    assert [m.id for m in messages.before("long", ids[5], limit=3)] == ids[2:5]
    assert [m.id for m in messages.before("long", ids[2], limit=3)] == ids[:2]
    assert [m.id for m in messages.before("long", ids[6], limit=10, after_id=ids[3])] == ids[4:6]
