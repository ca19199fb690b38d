"""What the console makes of Rasa's answers and failures."""
from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from console.rasa_client import RasaClient, RasaUnavailable, bot_replies


def test_replies_keep_text_and_buttons_and_drop_the_rest():
    raw = [
        {"recipient_id": "c", "text": "亲，寄到西藏1公斤以内18元"},
        {"recipient_id": "c", "text": "还有别的问题吗？",
         "buttons": [{"title": "转人工", "payload": "/request_human"}, {"payload": "/no_title"}]},
        {"recipient_id": "c", "image": "https://example.com/a.png"},
        {"recipient_id": "c", "custom": {"x": 1}},
        "garbage",
    ]
    assert bot_replies(raw) == [
        {"text": "亲，寄到西藏1公斤以内18元", "buttons": []},
        {"text": "还有别的问题吗？", "buttons": [{"title": "转人工", "payload": "/request_human"}]},
    ]
    assert bot_replies({"error": "x"}) == [] and bot_replies(None) == []


@pytest.mark.asyncio
async def test_failures_never_mention_the_token():
    client = RasaClient("http://127.0.0.1:9", "very-secret-token", timeout=2)
    await client.start()
    try:
        with pytest.raises(RasaUnavailable) as err:
            await client.append_bot_event("web-1", "hi", "agent", dt.datetime.now().astimezone())
        assert "very-secret-token" not in str(err.value) and err.value.__cause__ is None
        with pytest.raises(RasaUnavailable):
            await client.send_message("web-1", "hi")
    finally:
        await client.close()


@pytest.mark.asyncio
async def test_without_a_token_agent_replies_wait():
    client = RasaClient("http://127.0.0.1:9", None)
    await client.start()
    try:
        with pytest.raises(RasaUnavailable, match="RASA_TOKEN"):
            await client.append_bot_event("web-1", "hi", "agent", dt.datetime.now().astimezone())
    finally:
        await client.close()


async def test_during_a_model_swap_messages_wait_longer_than_the_usual_timeout(fake_rasa):
    fake_rasa.mode = "slow"   # 5 s, longer than this client's 1 s timeout
    client = RasaClient(fake_rasa.url, "t", timeout=1)
    await client.start()
    try:
        with pytest.raises(RasaUnavailable):
            await client.send_message("c1", "在吗")
        fake_rasa.mode = "reply"
        async with client.model_swap():
            fake_rasa.mode = "slow"
            replies = await client.send_message("c1", "在吗")
        assert replies and replies[0]["text"] == "收到：在吗"
    finally:
        await client.close()


async def test_requests_beyond_the_slots_wait_and_one_out_of_time_is_never_sent(fake_rasa):
    fake_rasa.mode = "slow"   # 5 s: the one slot stays taken past the 1 s timeout
    client = RasaClient(fake_rasa.url, "t", timeout=1, concurrency=1)
    await client.start()
    try:
        results = await asyncio.gather(client.send_message("c1", "在吗"), client.send_message("c2", "包邮吗"),
                                       return_exceptions=True)
        assert all(isinstance(r, RasaUnavailable) for r in results)
        assert "was busy" in str(results[1]) and "not sent" in str(results[1])
        assert [body["sender"] for body in fake_rasa.received] == ["c1"]   # Rasa never saw the second
        fake_rasa.mode = "reply"
        first, second = await asyncio.gather(client.send_message("c1", "在吗"), client.send_message("c2", "包邮吗"))
        assert first[0]["text"] == "收到：在吗" and second[0]["text"] == "收到：包邮吗"   # the slot came back
    finally:
        await client.close()


def test_the_slots_are_a_setting_of_at_least_one(monkeypatch, tmp_path):
    from console.settings import SettingsError, load_settings
    assert load_settings({"RASA_CONCURRENCY": "3"}, root=tmp_path).rasa_concurrency == 3
    assert load_settings({}, root=tmp_path).rasa_concurrency == 8
    with pytest.raises(SettingsError):
        load_settings({"RASA_CONCURRENCY": "0"}, root=tmp_path)
