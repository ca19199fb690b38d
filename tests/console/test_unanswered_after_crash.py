"""A console instance dies while it answers a shopper: the shopper's page reconnects to another
instance, syncs and resends, and the message it had acknowledged is answered there — once, in
order, without asking Rasa twice when Rasa had answered already — while a live instance's answer
is never duplicated and an old message is left to the agents.

Two console apps (create_app, as in test_console_scale_out.py) on one helpdesk database (SQLite,
or PostgreSQL with TEST_POSTGRES_URL) and one fake Rasa. "Killing" an app stops its in-flight
work where it is, as SIGKILL would: nothing more runs, its answer lease stays in the database.
The apps share the test's clock, so the lease runs out when the test moves the clock past it."""
from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field

import pytest
import pytest_asyncio
from aiohttp import web
from sqlalchemy import text

from console.chat.answer_lease import LEASE_SECONDS, POLL_SECONDS
from console.chat.answer_lease import TABLE as ANSWER_LEASES
from console.chat.rasa_turns import replies_given
from console.chat.service import UNANSWERED_WINDOW
from console.leases import ConversationLeases
from helpdesk import open_database
from test_console_scale_out import collect, conversation_of, free_port, shared_db, two_consoles  # noqa: F401

pytestmark = pytest.mark.asyncio
PAST_THE_LEASE = dt.timedelta(seconds=LEASE_SECONDS + 1)
BUTTONS = [{"title": "转人工", "payload": "/request_human"}]


@dataclass
class TrackingRasa:
    """Rasa's REST webhook and its tracker (GET with the token), one tracker per conversation.
    While `holding`, the webhook does not answer (the console that asked dies meanwhile); with
    `answers_first` Rasa has already recorded the turn, its answer included, when it holds."""
    url: str = ""
    token: str = ""                                # the consoles' RASA_TOKEN
    holding: bool = False
    answers_first: bool = False
    asked: list = field(default_factory=list)      # webhook bodies, in order
    trackers: dict = field(default_factory=dict)   # conversation → events
    tracker_reads: int = 0
    let_go: asyncio.Event = field(default_factory=asyncio.Event)

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.asked.append(body)
        replies = [{"recipient_id": body["sender"], "text": f"收到：{body['message']}"},
                   {"recipient_id": body["sender"], "text": "还需要什么帮助吗？", "buttons": BUTTONS}]
        holding = self.holding
        if not holding or self.answers_first:
            events = self.trackers.setdefault(body["sender"], [])
            events.append({"event": "user", "text": body["message"], "metadata": body.get("metadata")})
            events += [{"event": "bot", "text": r["text"], "data": {"buttons": r.get("buttons")}} for r in replies]
            events.append({"event": "action", "name": "action_listen"})
        if holding:
            await self.let_go.wait()
        return web.json_response(replies)

    async def tracker(self, request: web.Request) -> web.Response:
        if not self.token or request.query.get("token") != self.token:
            return web.json_response({"error": "unauthorized"}, status=401)
        self.tracker_reads += 1
        conversation = request.match_info["conversation"]
        return web.json_response({"sender_id": conversation, "events": self.trackers.get(conversation, [])})


@pytest_asyncio.fixture
async def rasa():
    fake = TrackingRasa()
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", fake.webhook)
    app.router.add_get("/conversations/{conversation}/tracker", fake.tracker)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    fake.url = f"http://127.0.0.1:{port}"
    yield fake
    fake.let_go.set()
    await runner.cleanup()


@pytest.fixture
def helpdesk_url(shared_db):
    """The shared helpdesk database; on PostgreSQL the answer leases are dropped afterwards."""
    yield shared_db
    if shared_db.startswith("postgresql"):
        db = open_database(shared_db)
        with db.engine.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {ANSWER_LEASES}"))
        db.dispose()


async def consoles(start_console, rasa, helpdesk_url):
    # Rasa may hold a request for the whole test: the consoles wait for it rather than hand off.
    a, b = await two_consoles(start_console, rasa, HELPDESK_DB_URL=helpdesk_url, RASA_TIMEOUT="60")
    rasa.token = a.app.ctx.settings.rasa_token
    return a, b


async def kill(console) -> None:
    """What SIGKILL leaves of a console's work: it stops where it is; nothing is released."""
    tasks = list(console.app.ctx.background._tasks)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def record(console, conversation) -> list[tuple[str, str]]:
    return [(m.sender, m.text) for m in console.messages.since(conversation)]


def bot_texts(events) -> list[str]:
    return [m["text"] for m in events if m["sender"] == "bot"]


async def asked_then_killed(a, rasa, shopper, *messages):
    """The shopper sends `messages` on A; A asks Rasa about the first and dies."""
    rasa.holding = True
    on_a = await a.socket(shopper)
    acks = [await on_a.call("send", m) for m in messages]
    assert all(ack["ok"] for ack in acks)
    await a.wait_for(lambda: rasa.asked)
    await kill(a)
    await a.drop(on_a)
    rasa.holding = False
    return acks


# ---------- a console dies while it answers ----------

@pytest.mark.parametrize("page_does", [("sync", "resend"), ("sync",), ("resend",)])
async def test_the_message_a_dead_console_acknowledged_is_answered_once_by_the_other(
        start_console, rasa, helpdesk_url, clock, page_does):
    a, b = await consoles(start_console, rasa, helpdesk_url)
    shopper = await a.shopper()
    message = {"text": "寄到拉萨运费多少", "client_msg_id": "m1"}
    [ack] = await asked_then_killed(a, rasa, shopper, message)
    clock.now += PAST_THE_LEASE

    # The page reconnects (nginx sends it to B), syncs from its last id and resends what was
    # not acknowledged (the acknowledgement may have been lost with A). Either one triggers.
    on_b = await b.socket(shopper)
    live = collect(on_b, "message")
    if "sync" in page_does:
        assert (await on_b.call("sync", {"after": ack["message"]["id"]}))["messages"] == []
    if "resend" in page_does:
        assert (await on_b.call("send", message))["message"] == ack["message"], "a resend is the same message"
    await b.wait_for(lambda: len(bot_texts(live)) == 2)
    await b.settle()
    await asyncio.sleep(3 * POLL_SECONDS)  # a second answer would come within a poll or two

    conversation = conversation_of(a, shopper)
    assert record(b, conversation) == [("shopper", "寄到拉萨运费多少"), ("bot", "收到：寄到拉萨运费多少"),
                                       ("bot", "还需要什么帮助吗？")]
    assert bot_texts(live) == ["收到：寄到拉萨运费多少", "还需要什么帮助吗？"], "shown once"
    assert [body["metadata"] for body in rasa.asked] == [{"helpdesk_message_id": ack["message"]["id"]}] * 2, \
        "Rasa never recorded A's request: B asked, naming the message"
    assert b.messages.since(conversation)[-1].buttons == BUTTONS


async def test_what_rasa_answered_before_the_console_died_is_stored_not_asked_again(
        start_console, rasa, helpdesk_url, clock):
    a, b = await consoles(start_console, rasa, helpdesk_url)
    shopper = await a.shopper()
    rasa.answers_first = True  # Rasa answered A, then A died before storing the answer
    await asked_then_killed(a, rasa, shopper, {"text": "发什么快递", "client_msg_id": "m1"})
    clock.now += PAST_THE_LEASE

    on_b = await b.socket(shopper)
    live = collect(on_b, "message")
    await on_b.call("sync", {"after": 0})
    await b.wait_for(lambda: len(bot_texts(live)) == 2)
    await b.settle()
    conversation = conversation_of(a, shopper)
    assert len(rasa.asked) == 1, "Rasa holds the message once"
    assert rasa.tracker_reads == 1
    assert record(b, conversation) == [("shopper", "发什么快递"), ("bot", "收到：发什么快递"),
                                       ("bot", "还需要什么帮助吗？")]
    assert b.messages.since(conversation)[-1].buttons == BUTTONS


async def test_messages_left_by_a_dead_console_are_answered_in_order_before_new_ones(
        start_console, rasa, helpdesk_url, clock):
    a, b = await consoles(start_console, rasa, helpdesk_url)
    shopper = await a.shopper()
    # A asks Rasa about the first and has the second waiting behind it when it dies.
    await asked_then_killed(a, rasa, shopper, {"text": "问题1", "client_msg_id": "1"},
                            {"text": "问题2", "client_msg_id": "2"})

    # The shopper is on B at once and writes again, while A's lease still runs: B waits for it.
    on_b = await b.socket(shopper)
    await on_b.call("sync", {"after": 0})
    assert (await on_b.call("send", {"text": "问题3", "client_msg_id": "3"}))["ok"]
    await asyncio.sleep(3 * POLL_SECONDS)
    assert len(rasa.asked) == 1, "nobody answers while the lease runs"

    clock.now += PAST_THE_LEASE  # B looks at the lease again by itself: no new trigger needed
    conversation = conversation_of(a, shopper)
    await b.wait_for(lambda: len([s for s, _ in record(b, conversation) if s == "bot"]) == 6, timeout=5)
    await b.settle()
    assert [body["message"] for body in rasa.asked] == ["问题1", "问题1", "问题2", "问题3"]
    assert [t for s, t in record(b, conversation) if s == "bot" and t.startswith("收到")] == \
        ["收到：问题1", "收到：问题2", "收到：问题3"]


# ---------- nothing twice, nothing stale ----------

async def test_while_the_answering_console_lives_the_other_does_not_answer(start_console, rasa, helpdesk_url):
    a, b = await consoles(start_console, rasa, helpdesk_url)
    shopper = await a.shopper()
    rasa.holding = True
    on_a = await a.socket(shopper)
    message = {"text": "在吗", "client_msg_id": "m1"}
    assert (await on_a.call("send", message))["ok"]
    await a.wait_for(lambda: rasa.asked)

    # A network blip: the same page also reaches B, syncs and resends. A is alive and answering.
    on_b = await b.socket(shopper)
    await on_b.call("sync", {"after": 0})
    assert (await on_b.call("send", message))["ok"]
    await asyncio.sleep(3 * POLL_SECONDS)
    assert len(rasa.asked) == 1

    rasa.let_go.set()  # Rasa answers A, which stores the answer and releases the lease
    await a.settle()
    await asyncio.sleep(3 * POLL_SECONDS)  # B's look at the released lease finds it answered
    await b.settle()
    conversation = conversation_of(a, shopper)
    assert record(a, conversation) == [("shopper", "在吗"), ("bot", "收到：在吗"), ("bot", "还需要什么帮助吗？")]
    assert len(rasa.asked) == 1 and rasa.tracker_reads == 0


async def test_a_console_that_stalled_past_its_lease_stores_nothing_once_another_took_over(
        start_console, rasa, helpdesk_url, clock):
    a, b = await consoles(start_console, rasa, helpdesk_url)
    shopper = await a.shopper()
    rasa.holding = True
    on_a = await a.socket(shopper)
    assert (await on_a.call("send", {"text": "在吗", "client_msg_id": "m1"}))["ok"]
    await a.wait_for(lambda: rasa.asked)
    rasa.holding = False
    clock.now += PAST_THE_LEASE  # A hangs (not dead) longer than its lease: B takes over

    on_b = await b.socket(shopper)
    await on_b.call("sync", {"after": 0})
    conversation = conversation_of(a, shopper)
    await b.wait_for(lambda: len(record(b, conversation)) == 3)
    rasa.let_go.set()  # A's answer comes back at last: the conversation is no longer A's
    await a.settle()
    await b.settle()
    assert record(b, conversation) == [("shopper", "在吗"), ("bot", "收到：在吗"), ("bot", "还需要什么帮助吗？")]
    assert len(rasa.asked) == 2


async def test_an_old_unanswered_message_is_left_to_the_agents(start_console, rasa, helpdesk_url, clock):
    a, b = await consoles(start_console, rasa, helpdesk_url)
    shopper = await a.shopper()
    message = {"text": "有人吗", "client_msg_id": "m1"}
    await asked_then_killed(a, rasa, shopper, message)
    clock.now += UNANSWERED_WINDOW + dt.timedelta(seconds=1)

    on_b = await b.socket(shopper)
    await on_b.call("sync", {"after": 0})
    assert (await on_b.call("send", message))["ok"]
    await b.settle()
    await asyncio.sleep(3 * POLL_SECONDS)
    assert len(rasa.asked) == 1
    assert record(b, conversation_of(a, shopper)) == [("shopper", "有人吗")]


# ---------- the parts ----------

def test_rasa_s_replies_are_found_by_the_message_id_and_agent_replies_are_not_the_bot_s():
    events = [
        {"event": "action", "name": "action_session_start"},
        {"event": "user", "text": "你好", "metadata": {"helpdesk_message_id": 7}},
        {"event": "bot", "text": "您好", "data": {"buttons": BUTTONS}},
        {"event": "bot", "text": "我是客服", "metadata": {"agent": "agent"}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "运费", "metadata": {"helpdesk_message_id": 8}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "别的", "metadata": None},
        {"event": "bot", "text": "别的回复", "data": {}},
    ]
    assert replies_given(events, [7, 8, 9]) == {7: [{"text": "您好", "buttons": BUTTONS}], 8: []}
    assert replies_given(events, []) == {}


def test_a_lease_left_by_a_dead_holder_is_taken_over_and_says_so(helpdesk_url):
    now = [1000.0]
    db = open_database(helpdesk_url)
    first, second = (ConversationLeases(db, ANSWER_LEASES, 10, clock=lambda: now[0]) for _ in range(2))
    try:
        assert first.take("web-x") == first.take("web-x"), "the holder takes it again"
        assert not second.take("web-x").granted and second.held_by_another("web-x")
        now[0] += 11  # the holder died
        assert not second.held_by_another("web-x")
        claim = second.take("web-x")
        assert claim.granted and claim.taken_over
        assert not first.extend("web-x"), "the dead holder's lease is gone"
        second.release("web-x")
        claim = first.take("web-x")
        assert claim.granted and not claim.taken_over, "a released lease was left in order"
    finally:
        db.dispose()
