"""The shopper's web chat: server-issued identity, messages stored once and replayed exactly,
input limits, text never turned into markup, and a ticket when the bot cannot answer."""
from __future__ import annotations

import asyncio

import pytest
import socketio

from console.signing import Signer

pytestmark = pytest.mark.asyncio
XSS = "<img src=x onerror=alert(1)>"


async def history(client, after: int = 0):
    async with client.get(f"/api/messages?after={after}") as resp:
        return resp.status, (await resp.json())


def collect(sio: socketio.AsyncClient, event: str) -> list:
    seen = []
    sio.on(event, seen.append)
    return seen


# ---------- identity ----------

async def test_the_page_issues_a_signed_httponly_cookie(console):
    client = console.session()
    async with client.get("/") as resp:
        page = await resp.text()
        set_cookie = resp.headers["Set-Cookie"]
        headers = resp.headers
    assert "示例旗舰店" in page
    assert set_cookie.startswith("chat_session=") and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    assert "script-src 'self'" in headers["Content-Security-Policy"] and "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    first = console.cookie_header(client)
    async with client.get("/") as resp:
        assert resp.status == 200
    assert Signer("s" * 40).loads("shopper", client.cookie_jar.filter_cookies(console.url)["chat_session"].value)["c"] \
        == Signer("s" * 40).loads("shopper", first.split("=", 1)[1])["c"], "a return visit keeps the conversation"


async def test_static_files_are_served_by_the_app(console):
    client = console.session()
    for path in ["/static/chat.js", "/static/chat.css"]:
        async with client.get(path) as resp:
            assert resp.status == 200, path
            assert resp.headers["X-Content-Type-Options"] == "nosniff"


async def test_health(console):
    async with console.session().get("/health") as resp:
        assert (resp.status, await resp.json()) == (200, {"status": "ok"})


@pytest.mark.parametrize("cookie", [
    pytest.param(None, id="no cookie"),
    pytest.param("garbage", id="garbage"),
    pytest.param("伪造.签名", id="non-ascii"),
    pytest.param(Signer("another secret" * 3).dumps("shopper", {"c": "web-someone"}), id="wrong secret"),
    pytest.param(Signer("s" * 40).dumps("agent", {"c": "web-someone"}), id="other purpose"),
])
async def test_history_without_a_valid_cookie_is_refused(console, cookie):
    client = console.session()
    if cookie:
        client.cookie_jar.update_cookies({"chat_session": cookie})
    assert (await history(client))[0] == 401


@pytest.mark.parametrize("cookie", [
    pytest.param("", id="no cookie"),
    pytest.param("chat_session=" + Signer("wrong" * 10).dumps("shopper", {"c": "web-x"}), id="wrong secret"),
])
async def test_a_socket_without_a_valid_cookie_is_refused(console, cookie):
    assert await console.refused_socket(cookie) == {"message": "unauthorized"}


async def test_one_shopper_cannot_read_or_write_another_conversation(console, fake_rasa):
    alice, mallory = await console.shopper(), await console.shopper()
    alice_socket = await console.socket(alice)
    ack = await alice_socket.call("send", {"text": "我的地址是乌鲁木齐某某路1号", "client_msg_id": "a-1"})
    await console.settle()
    alice_conversation = fake_rasa.received[0]["sender"]

    status, body = await history(mallory)
    assert status == 200 and body["messages"] == []
    mallory_socket = await console.socket(mallory)
    assert (await mallory_socket.call("sync", {"after": 0}))["messages"] == []
    # Naming Alice's conversation in the payload changes nothing: the cookie decides.
    forged = await mallory_socket.call("send", {"text": "hi", "client_msg_id": "a-1",
                                                "conversation_id": alice_conversation,
                                                "sender": alice_conversation})
    await console.settle()
    assert forged["message"]["id"] != ack["message"]["id"]
    assert fake_rasa.received[-1]["sender"] != alice_conversation
    assert [m["text"] for m in (await history(alice))[1]["messages"] if m["sender"] == "shopper"] \
        == ["我的地址是乌鲁木齐某某路1号"]


# ---------- messages ----------

async def test_a_message_is_stored_answered_and_pushed_live(console, fake_rasa):
    shopper = await console.shopper()
    sio = await console.socket(shopper)
    messages, typing = collect(sio, "message"), collect(sio, "typing")

    ack = await sio.call("send", {"text": "寄到拉萨运费多少", "client_msg_id": "m-1"})
    assert ack["ok"] and ack["message"]["text"] == "寄到拉萨运费多少" and ack["message"]["id"] > 0
    await console.settle()
    await console.wait_for(lambda: len(messages) == 3 and typing and typing[-1] == {"on": False})

    assert fake_rasa.received[0]["message"] == "寄到拉萨运费多少"
    assert fake_rasa.received[0]["sender"].startswith("web-")
    assert [m["sender"] for m in messages] == ["shopper", "bot", "bot"]
    assert messages[2]["buttons"] == [{"title": "转人工", "payload": "/request_human"}]
    assert typing[0] == {"on": True}
    ids = [m["id"] for m in messages]
    assert ids == sorted(ids)
    assert [m["id"] for m in (await history(shopper))[1]["messages"]] == ids


async def test_a_resend_after_a_reconnect_is_stored_and_asked_once(console, fake_rasa):
    shopper = await console.shopper()
    sio = await console.socket(shopper)
    first = await sio.call("send", {"text": "在吗", "client_msg_id": "same"})
    await console.drop(sio)
    sio = await console.socket(shopper)
    again = await sio.call("send", {"text": "在吗", "client_msg_id": "same"})
    await console.settle()
    assert again == first
    assert len(fake_rasa.received) == 1
    assert [m["text"] for m in (await history(shopper))[1]["messages"]].count("在吗") == 1


async def test_sync_returns_exactly_the_missed_messages(console, fake_rasa):
    shopper = await console.shopper()
    sio = await console.socket(shopper)
    await sio.call("send", {"text": "第一句", "client_msg_id": "1"})
    await console.settle()
    seen = (await sio.call("sync", {"after": 0}))["messages"][1]["id"]  # the page saw two of three
    await console.drop(sio)
    conversation = fake_rasa.received[0]["sender"]
    console.messages.append(conversation, "agent", "您好，我是客服", now=console.clock())  # while away

    sio = await console.socket(shopper)
    missed = (await sio.call("sync", {"after": seen}))["messages"]
    assert [m["text"] for m in missed] == ["还需要什么帮助吗？", "您好，我是客服"]
    assert (await history(shopper, after=seen))[1]["messages"] == missed
    assert (await sio.call("sync", {"after": missed[-1]["id"]}))["messages"] == []


async def test_a_quick_reply_shows_its_title_and_sends_its_payload(console, fake_rasa):
    sio = await console.socket(await console.shopper())
    ack = await sio.call("send", {"text": "转人工", "payload": "/request_human", "client_msg_id": "b"})
    await console.settle()
    assert ack["message"]["text"] == "转人工"
    assert fake_rasa.received[0]["message"] == "/request_human"


async def test_an_empty_message_is_ignored_with_a_hint(console, fake_rasa):
    sio = await console.socket(await console.shopper())
    for text in ["", "   \n ", "\x00\x07", None]:
        ack = await sio.call("send", {"text": text, "client_msg_id": "e"})
        assert ack == {"ok": False, "error": "empty", "hint": "请输入内容后再发送。"}
    assert fake_rasa.received == []


async def test_a_too_long_message_is_refused_and_not_stored(console, fake_rasa):
    shopper = await console.shopper()
    sio = await console.socket(shopper)
    ack = await sio.call("send", {"text": "运" * 1001, "client_msg_id": "long"})
    assert not ack["ok"] and ack["error"] == "too_long"
    assert "1000字" in ack["hint"] and "输入框" in ack["hint"], "tells the shopper the text was kept"
    assert (await history(shopper))[1]["messages"] == [] and fake_rasa.received == []
    assert (await sio.call("send", {"text": "运" * 1000, "client_msg_id": "ok"}))["ok"]


async def test_control_characters_are_stripped(console):
    sio = await console.socket(await console.shopper())
    ack = await sio.call("send", {"text": "运\x00费\x1b多少\u202e钱\r\n第二行", "client_msg_id": "c"})
    assert ack["message"]["text"] == "运费多少钱\n第二行"


async def test_markup_is_stored_verbatim_and_served_as_json(console):
    shopper = await console.shopper()
    sio = await console.socket(shopper)
    await sio.call("send", {"text": XSS, "client_msg_id": "x"})
    await console.settle()
    async with shopper.get("/api/messages?after=0") as resp:
        assert resp.content_type == "application/json"
        body = await resp.json()
    assert body["messages"][0]["text"] == XSS
    async with shopper.get("/") as resp:
        assert XSS not in await resp.text(), "messages are never put into the page's HTML"


# ---------- the bot is unavailable ----------

@pytest.mark.parametrize("mode", ["empty", "slow", "error"])
async def test_when_the_bot_cannot_answer_the_shopper_gets_a_ticket(console, fake_rasa, mode):
    fake_rasa.mode = mode
    await _assert_ticket_when_bot_fails(console)


async def test_when_rasa_is_down_the_shopper_gets_a_ticket(start_console):
    console = await start_console(rasa_url="http://127.0.0.1:9")  # nothing listens there
    await _assert_ticket_when_bot_fails(console)


async def _assert_ticket_when_bot_fails(console):
    shopper = await console.shopper()
    sio = await console.socket(shopper)
    events = collect(sio, "message")
    assert (await sio.call("send", {"text": "寄到拉萨运费多少", "client_msg_id": "1"}))["ok"]
    await console.settle()
    system = await console.wait_for(lambda: [m for m in events if m["sender"] == "system"])

    [ticket] = console.tickets.list_active()
    assert ticket.reasons == ["bot_unavailable"]
    assert [(m.sender, m.text) for m in console.messages.since(ticket.conversation_id)][:1] \
        == [("shopper", "寄到拉萨运费多少")]
    assert ticket.due_at.strftime("%H:%M") == "14:30"  # 10:00 + half of 09:00–18:00
    assert ticket.number in system[0]["text"] and "今天14:30前" in system[0]["text"]
    assert "暂时无法回复" in system[0]["text"] and "已经保存" in system[0]["text"]

    # Still down: the next message joins the same ticket.
    await sio.call("send", {"text": "有人吗", "client_msg_id": "2"})
    await console.settle()
    await console.wait_for(lambda: len([m for m in events if m["sender"] == "system"]) == 2)
    again = [m for m in events if m["sender"] == "system"][1]["text"]
    assert ticket.number in again and "补充" in again
    assert len(console.tickets.list_active()) == 1
    assert [m["text"] for m in (await history(shopper))[1]["messages"] if m["sender"] == "shopper"] \
        == ["寄到拉萨运费多少", "有人吗"], "the shopper's messages are kept"


async def test_replies_to_one_conversation_keep_the_order_of_the_questions(console, fake_rasa):
    shopper = await console.shopper()
    sio = await console.socket(shopper)
    await asyncio.gather(*(sio.call("send", {"text": f"问题{i}", "client_msg_id": str(i)}) for i in range(3)))
    await console.settle()
    bot = [m["text"] for m in (await history(shopper))[1]["messages"] if m["text"].startswith("收到")]
    asked = [r["message"] for r in fake_rasa.received]
    assert bot == [f"收到：{q}" for q in asked]
