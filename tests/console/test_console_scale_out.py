"""Several console instances on one helpdesk database (and one Redis), and what a shopper sees when
a shared store is down: socket.io rooms across instances, the conversation header nginx routes
Rasa requests by, agent replies written into Rasa's history once, shopper messages sent to Rasa
once, and a "please retry" (the owner's `system_busy_retry`) instead of a reply or a ticket that
cannot be kept.

Two apps run in this test's event loop on one SQLite file, or on PostgreSQL when TEST_POSTGRES_URL
is set (its helpdesk tables are dropped). The Redis tests start their own redis-server (Debian's
redis-server package) and are skipped when it is not installed."""
from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pytest
import pytest_asyncio
import socketio
from aiohttp import web
from sqlalchemy import text

from console.rasa_client import CONVERSATION_HEADER
from console.rasa_sync import SyncClaims
from helpdesk import open_database
from helpdesk.schema import metadata
from store import DEFAULT_CONFIG_DIR, load_store
from benchmark.ports import free_port

pytestmark = pytest.mark.asyncio
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
BUSY = load_store(DEFAULT_CONFIG_DIR).replies.render("system_busy_retry")[0]



def collect(sio: socketio.AsyncClient, event: str) -> list:
    seen = []
    sio.on(event, seen.append)
    return seen


@dataclass
class RecordingRasa:
    """Rasa's REST webhook and tracker-events API, recording the routing header of each request.
    `webhook_status`: 200 answers (or `answer(body)`), 503 is Rasa refusing because a shared store
    is down; `events_delay` makes tracker writes slow enough for two instances to overlap."""
    url: str = ""
    webhook_status: int = 200
    answer: object = None
    events_up: bool = True
    events_delay: float = 0.0
    received: list = field(default_factory=list)   # (header, body)
    events: list = field(default_factory=list)     # (conversation, header, body)

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append((request.headers.get(CONVERSATION_HEADER), body))
        if self.webhook_status != 200:
            return web.json_response({"error": "conversation_store_unavailable"}, status=self.webhook_status)
        if self.answer is not None:
            return web.json_response(await self.answer(body))
        return web.json_response([{"recipient_id": body["sender"], "text": f"收到：{body['message']}"}])

    async def tracker_events(self, request: web.Request) -> web.Response:
        body = await request.json()
        await asyncio.sleep(self.events_delay)
        if not self.events_up:
            return web.json_response({"error": "down"}, status=503)
        self.events.append((request.match_info["conversation"], request.headers.get(CONVERSATION_HEADER), body))
        return web.json_response({"events": []})


@pytest_asyncio.fixture
async def rasa():
    fake = RecordingRasa()
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", fake.webhook)
    app.router.add_post("/conversations/{conversation}/tracker/events", fake.tracker_events)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    fake.url = f"http://127.0.0.1:{port}"
    yield fake
    await runner.cleanup()


class RedisServer:
    """A redis-server of this test's own, on a free port, keeping nothing on disk."""

    def __init__(self, binary: str, folder: Path) -> None:
        self.binary, self.folder, self.port, self.process = binary, folder, free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.process.kill()
                    pytest.fail("redis-server did not start")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install -y redis-server)")
    server = RedisServer(binary, tmp_path)
    server.start()
    yield server
    server.stop()


def _drop_tables(url: str) -> None:
    db = open_database(url)
    metadata.drop_all(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS console_rasa_sync_claims"))
    db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not POSTGRES_URL, reason="set TEST_POSTGRES_URL to run two consoles on PostgreSQL"))])
def shared_db(request, tmp_path):
    """The helpdesk database both instances use (HELPDESK_DB_URL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared-helpdesk.db'}"
        return
    _drop_tables(POSTGRES_URL)
    yield POSTGRES_URL
    _drop_tables(POSTGRES_URL)


async def two_consoles(start_console, rasa, **environ):
    first = await start_console(rasa_url=rasa.url, **environ)
    second = await start_console(rasa_url=rasa.url, **environ)
    return first, second


def conversation_of(console, shopper) -> str:
    cookie = next(c.value for c in shopper.cookie_jar if c.key == "chat_session")
    return console.app.ctx.shopper_sessions.conversation_of(cookie)


async def reply_as_agent(console, ticket_id: int, text: str) -> None:
    agent = await console.agent()
    token = await console.csrf_of(agent, f"/agent/tickets/{ticket_id}")
    async with agent.post(f"/agent/tickets/{ticket_id}/reply", data={"csrf_token": token, "text": text},
                          allow_redirects=False) as resp:
        assert resp.status == 303


# ---------- socket.io rooms across instances ----------

async def test_replies_sent_through_another_instance_reach_the_shopper(start_console, rasa, redis):
    a, b = await two_consoles(start_console, rasa, REDIS_URL=redis.url)
    shopper = await a.shopper()
    on_a = await a.socket(shopper)
    live = collect(on_a, "message")
    # The same shopper's message arrives through instance B (e.g. after a reconnect there):
    # B's bot reply is pushed to the page still connected to A.
    on_b = await b.socket(shopper)
    assert (await on_b.call("send", {"text": "寄到拉萨运费多少", "client_msg_id": "m1"}))["ok"]
    await a.wait_for(lambda: [m for m in live if m["sender"] == "bot"], timeout=5)

    # An agent working on B answers the ticket: the shopper on A sees it at once.
    conversation = conversation_of(a, shopper)
    ticket, _ = a.tickets.open_or_append(conversation, "request_human", {}, a.clock(), a.clock())
    await reply_as_agent(b, ticket.id, "您好，拉萨运费18元")
    await a.wait_for(lambda: [m for m in live if m["sender"] == "agent"], timeout=5)
    assert [m["text"] for m in live if m["sender"] == "agent"] == ["您好，拉萨运费18元"]
    assert len({m["id"] for m in live}) == len(live), "each message is delivered once"


async def test_while_redis_is_down_each_instance_still_serves_its_own_shoppers(start_console, rasa, redis):
    a, b = await two_consoles(start_console, rasa, REDIS_URL=redis.url)
    shopper = await a.shopper()
    on_a = await a.socket(shopper)
    live = collect(on_a, "message")
    conversation = conversation_of(a, shopper)
    ticket, _ = a.tickets.open_or_append(conversation, "request_human", {}, a.clock(), a.clock())

    redis.stop()
    started = time.monotonic()
    assert (await on_a.call("send", {"text": "你好", "client_msg_id": "1"}))["ok"]
    await a.wait_for(lambda: [m for m in live if m["sender"] == "bot"], timeout=5)
    assert time.monotonic() - started < 2, "an unreachable Redis does not hold up the reply"

    redis.start()  # the instances resubscribe by themselves: B's pushes reach A's page again
    async def agent_reply_arrives(n: int) -> bool:
        await reply_as_agent(b, ticket.id, f"回复{n}")
        try:
            await a.wait_for(lambda: f"回复{n}" in [m["text"] for m in live], timeout=1)
            return True
        except AssertionError:
            return False
    for attempt in range(15):
        if await agent_reply_arrives(attempt):
            break
    else:
        pytest.fail("cross-instance pushes did not resume after Redis came back")
    async with shopper.get("/api/messages?after=0") as resp:
        record = [m["text"] for m in (await resp.json())["messages"] if m["sender"] == "agent"]
    assert record == [f"回复{n}" for n in range(attempt + 1)], "pushes missed live are in the record"


async def test_without_redis_the_rooms_stay_in_the_process(console):
    assert type(console.app.ctx.sio.manager) is socketio.AsyncManager


# ---------- per-conversation routing ----------

async def test_every_request_about_a_conversation_names_it_for_the_balancer(start_console, rasa):
    console = await start_console(rasa_url=rasa.url)
    shopper = await console.shopper()
    sio = await console.socket(shopper)
    await sio.call("send", {"text": "你好", "client_msg_id": "1"})
    await console.settle()
    conversation = conversation_of(console, shopper)
    ticket, _ = console.tickets.open_or_append(conversation, "request_human", {}, console.clock(), console.clock())
    await reply_as_agent(console, ticket.id, "您好")
    await console.settle()
    assert [header for header, _ in rasa.received] == [conversation]
    assert [(c, header) for c, header, _ in rasa.events] == [(conversation, conversation)]


# ---------- nothing done twice by two instances ----------

async def test_two_instances_write_each_agent_reply_into_rasa_once_in_order(start_console, rasa, shared_db):
    a, b = await two_consoles(start_console, rasa, HELPDESK_DB_URL=shared_db)
    rasa.events_up = False  # the replies wait, flagged, while Rasa refuses them
    now = a.clock()
    for conversation in ("web-one", "web-two"):
        a.messages.append(conversation, "shopper", "转人工", now=now)
        ticket, _ = a.tickets.open_or_append(conversation, "request_human", {}, now, now)
        for n in range(3):
            a.tickets.answer(ticket.id, "agent", f"{conversation} 回复{n}", now)
    assert len(a.messages.pending_sync()) == 6

    # Rasa comes back slow: both instances' retry loops (every 0.2 s) and explicit pushes overlap.
    rasa.events_delay, rasa.events_up = 0.15, True
    await asyncio.gather(*(console.app.ctx.rasa_sync.push_pending() for console in (a, b, a, b)))
    await a.wait_for(lambda: a.messages.pending_sync() == [], timeout=10)
    await asyncio.sleep(0.5)  # a duplicate would arrive within a loop or two

    written = [(c, body["text"]) for c, _, body in rasa.events]
    assert sorted(written) == sorted({(c, f"{c} 回复{n}") for c in ("web-one", "web-two") for n in range(3)}), \
        "each reply exactly once"
    for conversation in ("web-one", "web-two"):
        assert [t for c, t in written if c == conversation] == [f"{conversation} 回复{n}" for n in range(3)]


async def test_a_claim_left_by_a_dead_instance_expires(shared_db):
    now = [1000.0]
    db = open_database(shared_db)
    first, second = (SyncClaims(db, lease_seconds=60, clock=lambda: now[0]) for _ in range(2))
    try:
        assert first.claim("web-x") and not second.claim("web-x"), "one holder at a time"
        assert first.claim("web-x"), "the holder extends its lease"
        now[0] += 61  # the holder died: its lease runs out and another instance takes over
        assert second.claim("web-x") and not first.claim("web-x")
        second.release("web-x")
        assert first.claim("web-x")
    finally:
        db.dispose()


async def test_a_shopper_message_goes_to_rasa_once_when_sent_to_both_instances(start_console, rasa, shared_db):
    a, b = await two_consoles(start_console, rasa, HELPDESK_DB_URL=shared_db)
    shopper = await a.shopper()
    on_a, on_b = await a.socket(shopper), await b.socket(shopper)
    message = {"text": "运费多少", "client_msg_id": "resent-after-a-reconnect"}
    acks = await asyncio.gather(on_a.call("send", message), on_b.call("send", message))
    await a.settle()
    await b.settle()
    assert all(ack["ok"] for ack in acks) and acks[0]["message"]["id"] == acks[1]["message"]["id"]
    assert [body["message"] for _, body in rasa.received] == ["运费多少"]


# ---------- the shopper during an outage ----------

async def test_when_rasa_cannot_reach_its_stores_the_shopper_is_asked_to_retry_and_ticketed_once(start_console, rasa):
    console = await start_console(rasa_url=rasa.url)
    rasa.webhook_status = 503
    shopper = await console.shopper()
    sio = await console.socket(shopper)
    live = collect(sio, "message")
    ack = await sio.call("send", {"text": "寄到拉萨运费多少", "client_msg_id": "1"})
    assert ack["ok"], "the message itself was stored"
    await console.settle()
    await console.wait_for(lambda: [m for m in live if m["sender"] == "system"])
    conversation = conversation_of(console, shopper)
    await console.wait_for(lambda: len(console.messages.since(conversation)) == 3)
    said = [(m.sender, m.text) for m in console.messages.since(conversation)]
    assert said[:2] == [("shopper", "寄到拉萨运费多少"), ("system", BUSY)]
    (ticket,) = console.tickets.list_active()  # a person follows up a message the shopper may not resend
    assert ticket.reasons == ["conversation_store_unavailable"] and ticket.number in said[2][1]
    await sio.call("send", {"text": "还在吗", "client_msg_id": "1b"})
    await console.settle()
    assert [m.sender for m in console.messages.since(conversation)][3:] == ["shopper", "system"], \
        "the same outage: asked to retry again, no second ticket notice"
    assert len(console.tickets.list_active()) == 1

    rasa.webhook_status = 200  # the stores are back: the next message is answered as usual
    await sio.call("send", {"text": "寄到拉萨运费多少", "client_msg_id": "2"})
    await console.settle()
    assert console.messages.since(conversation)[-1].text == "收到：寄到拉萨运费多少"


class HelpdeskOutage:
    """The console's SQLite helpdesk file made unopenable (a directory in its place), then back."""

    def __init__(self, path: Path) -> None:
        self.path, self.away = path, path.parent / "away"

    def start(self) -> None:
        self.away.mkdir()
        for part in self.path.parent.glob(self.path.name + "*"):
            part.rename(self.away / part.name)
        self.path.mkdir()

    def end(self) -> None:
        self.path.rmdir()
        for part in self.away.iterdir():
            part.rename(self.path.parent / part.name)
        self.away.rmdir()


async def test_when_the_helpdesk_database_is_down_nothing_is_promised_and_service_resumes(
        start_console, rasa, tmp_path):
    console = await start_console(rasa_url=rasa.url)
    outage = HelpdeskOutage(tmp_path / "helpdesk.db")
    shopper = await console.shopper()
    sio = await console.socket(shopper)
    notices = collect(sio, "notice")

    # The bot is down and the database goes away while it was being asked: no ticket can be
    # written, so no ticket number is promised; the shopper is asked to retry.
    async def down_while_answering(body):
        outage.start()
        return []
    rasa.answer = down_while_answering
    assert (await sio.call("send", {"text": "有人吗", "client_msg_id": "1"}))["ok"]
    await console.settle()
    await console.wait_for(lambda: notices)
    assert notices == [{"text": BUSY}]

    # Still down: a new message is refused, not acknowledged (the page keeps it and resends).
    ack = await sio.call("send", {"text": "还在吗", "client_msg_id": "2"})
    assert ack["ok"] is False and ack["error"] == "not_saved"
    assert (await sio.call("sync", {"after": 0}))["ok"] is False
    async with shopper.get("/api/messages?after=0") as resp:
        assert resp.status == 503 and (await resp.json())["hint"] == BUSY
    assert len(rasa.received) == 1, "a message that was not stored is not sent to the bot"

    outage.end()  # the database is back: the resent message is stored and answered
    rasa.answer = None
    assert (await sio.call("send", {"text": "还在吗", "client_msg_id": "2"}))["ok"]
    await console.settle()
    conversation = conversation_of(console, shopper)
    assert [(m.sender, m.text) for m in console.messages.since(conversation)] == [
        ("shopper", "有人吗"), ("shopper", "还在吗"), ("bot", "收到：还在吗")]
    assert console.tickets.list_active() == []


def test_a_redis_url_of_another_kind_is_refused_without_echoing_it(tmp_path):
    from console.settings import SettingsError, load_settings
    environ = {"CONSOLE_SECRET": "s" * 40, "REDIS_URL": "http://user:hunter2@redis:6379/0"}
    with pytest.raises(SettingsError, match="REDIS_URL must start with") as err:
        load_settings(environ, root=tmp_path)
    assert "hunter2" not in str(err.value)
    assert load_settings({**environ, "REDIS_URL": "redis://:pw@redis:6379/0"}, root=tmp_path).redis_url \
        == "redis://:pw@redis:6379/0"
