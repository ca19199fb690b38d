"""`MessageStore.unanswered`: the shopper's messages nobody has answered yet, for a console that
takes over from one that died while answering (tests/console/test_unanswered_after_crash.py)."""
from __future__ import annotations

import datetime as dt

from store import CHINA

NOON = dt.datetime(2026, 11, 25, 12, 0, tzinfo=CHINA)
LONG_AGO = NOON - dt.timedelta(days=1)


def texts(found) -> list[str]:
    return [m.text for m in found]


def test_the_shopper_messages_after_the_last_answer_are_unanswered(messages):
    for sender, text in [("shopper", "在吗"), ("bot", "在的"), ("shopper", "运费多少"), ("shopper", "寄拉萨")]:
        messages.append("c1", sender, text, now=NOON)
    messages.append("c2", "shopper", "别的会话", now=NOON)
    assert texts(messages.unanswered("c1", since=LONG_AGO)) == ["运费多少", "寄拉萨"]


def test_an_agent_or_system_message_answers_too(messages):
    for sender in ("agent", "system"):
        conversation = f"c-{sender}"
        messages.append(conversation, "shopper", "转人工", now=NOON)
        messages.append(conversation, sender, "好的", now=NOON)
        assert messages.unanswered(conversation, since=LONG_AGO) == []


def test_only_messages_written_since_the_given_time(messages):
    messages.append("c1", "shopper", "昨天的", now=NOON - dt.timedelta(hours=20))
    messages.append("c1", "shopper", "刚才的", now=NOON)
    assert texts(messages.unanswered("c1", since=NOON - dt.timedelta(minutes=10))) == ["刚才的"]


def test_an_unknown_conversation_has_nothing_unanswered(messages):
    assert messages.unanswered("nobody", since=LONG_AGO) == []
