"""The agent inbox: login, CSRF, tickets by due time, replies that reach the shopper and Rasa."""
from __future__ import annotations

import datetime as dt

import pytest

from console.signing import Signer

pytestmark = pytest.mark.asyncio
HOUR = dt.timedelta(hours=1)
XSS = "<img src=x onerror=alert(1)>"


async def open_ticket(console, conversation="web-c1", text="转人工", due_in=HOUR, reason="request_human"):
    now = console.clock()
    console.messages.append(conversation, "shopper", text, now=now)
    ticket, _ = console.tickets.open_or_append(conversation, reason, {"province": "西藏"}, now, now + due_in)
    return ticket


async def get(client, path):
    async with client.get(path, allow_redirects=False) as resp:
        return resp.status, resp.headers, await resp.text()


async def post(client, path, **form):
    async with client.post(path, data=form, allow_redirects=False) as resp:
        return resp.status, resp.headers, await resp.text()


# ---------- login ----------

async def test_the_inbox_needs_a_login(console):
    status, headers, _ = await get(console.session(), "/agent")
    assert status == 302 and headers["Location"] == "/agent/login"


async def test_the_login_cookie_is_httponly_strict_and_signed(console):
    client = console.session()
    async with client.get("/agent/login") as resp:
        cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/agent" in cookie


async def test_a_right_password_opens_the_inbox(console):
    agent = await console.agent()
    status, _, page = await get(agent, "/agent")
    assert status == 200 and "待回复" in page


@pytest.mark.parametrize("user, password", [("agent", "wrong password"), ("nobody", "correct horse battery"),
                                            ("agent", "")])
async def test_a_wrong_password_is_refused(console, user, password):
    client = console.session()
    resp = await console.login(client, user, password)
    assert resp.status == 401
    assert (await get(client, "/agent"))[0] == 302


async def test_login_without_the_form_token_is_refused(console):
    client = console.session()
    await get(client, "/agent/login")
    status, _, _ = await post(client, "/agent/login", username="agent", password="correct horse battery")
    assert status == 403
    assert (await get(client, "/agent"))[0] == 302


async def test_a_forged_session_cookie_is_not_an_agent(console):
    client = console.session()
    client.cookie_jar.update_cookies({"agent_session": Signer("x" * 40).dumps("agent", {"u": "agent", "n": "n"})})
    assert (await get(client, "/agent"))[0] == 302


async def test_logout(console):
    agent = await console.agent()
    token = await console.csrf_of(agent, "/agent")
    status, headers, _ = await post(agent, "/agent/logout", csrf_token=token)
    assert status == 303 and headers["Location"] == "/agent/login"
    assert (await get(agent, "/agent"))[0] == 302


# ---------- the inbox ----------

async def test_tickets_are_listed_by_due_time_with_overdue_marked(console):
    late = await open_ticket(console, "web-late", due_in=5 * HOUR)
    soon = await open_ticket(console, "web-soon", due_in=HOUR)
    console.clock.now += 2 * HOUR  # `soon` is now past due
    _, _, page = await get(await console.agent(), "/agent")
    assert page.index(soon.number) < page.index(late.number)
    assert page.count("已超时") == 1 and page.index("已超时") < page.index(late.number)


async def test_the_ticket_page_shows_the_conversation_as_text(console):
    ticket = await open_ticket(console, text=XSS)
    status, headers, page = await get(await console.agent(), f"/agent/tickets/{ticket.id}")
    assert status == 200
    assert XSS not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "西藏" in page and "顾客要求转人工" in page
    assert "script-src 'self'" in headers["Content-Security-Policy"]


async def test_an_unknown_ticket_is_404(console):
    assert (await get(await console.agent(), "/agent/tickets/999"))[0] == 404


# ---------- replying ----------

async def test_a_reply_reaches_the_shopper_live_and_rasa_history(console, fake_rasa):
    shopper = await console.shopper()
    sio = await console.socket(shopper)
    live = []
    sio.on("message", live.append)
    await sio.call("send", {"text": "转人工", "client_msg_id": "1"})
    await console.settle()
    conversation = fake_rasa.received[0]["sender"]
    ticket = await open_ticket(console, conversation)

    agent = await console.agent()
    token = await console.csrf_of(agent, f"/agent/tickets/{ticket.id}")
    status, headers, _ = await post(agent, f"/agent/tickets/{ticket.id}/reply", csrf_token=token,
                                    text="您好，寄到拉萨运费18元")
    assert status == 303 and headers["Location"] == f"/agent/tickets/{ticket.id}?sent=1"

    await console.wait_for(lambda: any(m["sender"] == "agent" for m in live))
    assert [m["text"] for m in live if m["sender"] == "agent"] == ["您好，寄到拉萨运费18元"]
    assert "author" not in live[-1], "the shopper does not see the agent's login name"
    async with shopper.get("/api/messages?after=0") as resp:
        assert (await resp.json())["messages"][-1]["text"] == "您好，寄到拉萨运费18元"
    assert console.tickets.get(ticket.id).status == "answered"

    await console.settle()
    assert fake_rasa.events == [(conversation, {
        "event": "bot", "text": "您好，寄到拉萨运费18元", "timestamp": console.clock().timestamp(),
        "metadata": {"agent": "agent"}})]
    assert console.messages.pending_sync() == []


async def test_a_reply_while_rasa_is_down_is_kept_and_pushed_later(console, fake_rasa):
    ticket = await open_ticket(console)
    fake_rasa.events_up = False
    agent = await console.agent()
    token = await console.csrf_of(agent, f"/agent/tickets/{ticket.id}")
    await post(agent, f"/agent/tickets/{ticket.id}/reply", csrf_token=token, text="稍等，马上为您查询")
    await console.settle()
    assert len(console.messages.pending_sync()) == 1
    assert "还没写入机器人的对话记录" in (await get(agent, f"/agent/tickets/{ticket.id}"))[2]

    fake_rasa.events_up = True  # the background retry (every 0.2 s in tests) catches up
    await console.wait_for(lambda: fake_rasa.events, timeout=5)
    assert fake_rasa.events[0][1]["text"] == "稍等，马上为您查询"
    await console.wait_for(lambda: console.messages.pending_sync() == [])


async def test_a_reply_without_the_form_token_is_refused(console):
    ticket = await open_ticket(console)
    agent = await console.agent()
    for form in [{}, {"csrf_token": "forged"}, {"csrf_token": "伪造"}]:
        status, _, _ = await post(agent, f"/agent/tickets/{ticket.id}/reply", text="hi", **form)
        assert status == 403
    assert console.tickets.get(ticket.id).status == "open"
    assert [m.sender for m in console.messages.since(ticket.conversation_id)] == ["shopper"]


async def test_an_empty_reply_is_refused_and_the_draft_kept(console):
    ticket = await open_ticket(console)
    agent = await console.agent()
    token = await console.csrf_of(agent, f"/agent/tickets/{ticket.id}")
    status, _, page = await post(agent, f"/agent/tickets/{ticket.id}/reply", csrf_token=token, text="  ")
    assert status == 400 and "回复不能为空" in page


async def test_closing_removes_the_ticket_from_the_inbox(console):
    ticket = await open_ticket(console)
    agent = await console.agent()
    token = await console.csrf_of(agent, f"/agent/tickets/{ticket.id}")
    status, headers, _ = await post(agent, f"/agent/tickets/{ticket.id}/close", csrf_token=token)
    assert status == 303 and headers["Location"] == "/agent"
    assert console.tickets.get(ticket.id).status == "closed"
    assert ticket.number not in (await get(agent, "/agent"))[2]
    status, _, _ = await post(agent, f"/agent/tickets/{ticket.id}/reply", csrf_token=token, text="迟到的回复")
    assert status == 409
