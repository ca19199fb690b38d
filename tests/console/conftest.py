"""The console app on a free port, in the test's event loop, against a fake Rasa server.

sanic-testing is not installed, so the app runs on a real socket and tests talk to it with
aiohttp (HTTP) and python-socketio's client (the web chat's socket)."""
from __future__ import annotations

import asyncio
import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
import socketio
from aiohttp import web
from sanic import Sanic

from console import create_app
from console.credentials import ensure_accounts
from console.owner.review import build_review
from console.owner.services import OwnerServices
from console.rasa_client import RasaClient
from console.settings import load_settings
from handoff import HandoffService
from helpdesk import Accounts, ConfigHistory, MessageStore, ModelEvents, TicketStore, open_database
from store import CHINA, DEFAULT_CONFIG_DIR, StoreCache
from benchmark.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
Sanic.test_mode = True  # several apps with one name in one run

AGENT_PASSWORD = "correct horse battery"
OWNER_PASSWORD = "owner staple battery"
RASA_TOKEN = "rasa-test-token"
# A Wednesday in working hours: half a working day (09:00–18:00) later is 14:30.
WEDNESDAY_10 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=CHINA)



class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class FakeRasa:
    """Rasa's REST channel and tracker-events API as the console uses them. `mode`:
    reply (echo a fee answer with buttons), empty (no reply, like a dead action server),
    slow (longer than the console's timeout), error (HTTP 500); `answer`, when set, is called
    with the request body and returns the reply list (async: e.g. runs a real action)."""
    url: str = ""
    mode: str = "reply"
    answer: object = None
    events_up: bool = True
    received: list = field(default_factory=list)
    events: list = field(default_factory=list)

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        if self.mode == "slow":
            await asyncio.sleep(5)
        if self.mode == "error":
            return web.json_response({"error": "boom"}, status=500)
        if self.mode == "empty":
            return web.json_response([])
        if self.answer is not None:
            return web.json_response(await self.answer(body))
        return web.json_response([
            {"recipient_id": body["sender"], "text": f"收到：{body['message']}"},
            {"recipient_id": body["sender"], "text": "还需要什么帮助吗？",
             "buttons": [{"title": "转人工", "payload": "/request_human"}]},
        ])

    async def tracker_events(self, request: web.Request) -> web.Response:
        if request.query.get("token") != RASA_TOKEN:
            return web.json_response({"error": "unauthorized"}, status=401)
        if not self.events_up:
            return web.json_response({"error": "down"}, status=503)
        self.events.append((request.match_info["conversation"], await request.json()))
        return web.json_response({"events": []})


@pytest_asyncio.fixture
async def fake_rasa():
    fake = FakeRasa()
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", fake.webhook)
    app.router.add_post("/conversations/{conversation}/tracker/events", fake.tracker_events)
    runner = web.AppRunner(app, shutdown_timeout=0.1)  # do not wait for a "slow" reply at the end
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    fake.url = f"http://127.0.0.1:{port}"
    yield fake
    await runner.cleanup()


@pytest.fixture
def clock():
    return Clock(WEDNESDAY_10)


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Console:
    url: str
    app: Sanic
    tickets: TicketStore
    messages: MessageStore
    clock: Clock
    clients: list = field(default_factory=list)
    agent_password = AGENT_PASSWORD   # the development accounts' passwords in these tests
    owner_password = OWNER_PASSWORD

    def session(self) -> aiohttp.ClientSession:
        # unsafe=True: aiohttp otherwise drops cookies set by an IP-address host
        client = aiohttp.ClientSession(self.url, cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.clients.append(client)
        return client

    async def shopper(self) -> aiohttp.ClientSession:
        """A browser that opened the chat page and so holds a shopper cookie."""
        client = self.session()
        async with client.get("/") as resp:
            assert resp.status == 200
        return client

    async def socket(self, client: aiohttp.ClientSession, cookie: str | None = None) -> socketio.AsyncClient:
        sio = socketio.AsyncClient(reconnection=False)
        self.clients.append(sio)
        header = cookie if cookie is not None else self.cookie_header(client)
        # Long-polling: engineio's websocket client needs aiohttp >= 3.10, Rasa pins 3.9. The
        # browser test covers the websocket transport.
        await sio.connect(self.url, headers={"Cookie": header}, transports=["polling"])
        return sio

    @staticmethod
    async def drop(sio: socketio.AsyncClient) -> None:
        """Cut a socket as a lost network would. (A polite disconnect over long-polling waits
        for the pending poll, up to the server's 25 s ping interval.)"""
        tasks = [sio.eio.read_loop_task, sio.eio.write_loop_task]
        await sio.eio.disconnect(abort=True)
        for task in tasks:
            if task:
                task.cancel()

    async def refused_socket(self, cookie: str):
        """The error a socket with this cookie gets. (The client's own teardown after a refusal
        waits for a long-poll to end, so the attempt is abandoned once the error is in.)"""
        sio = socketio.AsyncClient(reconnection=False)
        errors = []
        sio.on("connect_error", errors.append)
        attempt = asyncio.create_task(sio.connect(self.url, headers={"Cookie": cookie}, transports=["polling"]))
        try:
            await self.wait_for(lambda: errors)
        finally:
            attempt.cancel()
        assert not sio.connected
        return errors[0]

    @staticmethod
    def cookie_header(client: aiohttp.ClientSession) -> str:
        return "; ".join(f"{c.key}={c.value}" for c in client.cookie_jar)

    @staticmethod
    async def csrf_of(client: aiohttp.ClientSession, path: str) -> str:
        async with client.get(path) as resp:
            return CSRF.search(await resp.text()).group(1)

    async def login(self, client: aiohttp.ClientSession, user: str, password: str,
                    area: str = "agent") -> aiohttp.ClientResponse:
        token = await self.csrf_of(client, f"/{area}/login")
        async with client.post(f"/{area}/login", data={"csrf_token": token, "username": user,
                                                        "password": password}) as resp:
            await resp.read()
            return resp

    async def agent(self, password: str = AGENT_PASSWORD) -> aiohttp.ClientSession:
        client = self.session()
        resp = await self.login(client, "agent", password)
        assert resp.status == 200 and resp.url.path == "/agent", resp.status
        return client

    async def owner(self, password: str = OWNER_PASSWORD) -> aiohttp.ClientSession:
        client = self.session()
        resp = await self.login(client, "owner", password, area="owner")
        assert resp.status == 200 and resp.url.path == "/owner", resp.status
        return client

    async def post_form(self, client: aiohttp.ClientSession, page: str, action: str, data: dict):
        """Submit a form as a browser does: the CSRF token read from `page` first. Returns
        (status, final path, text) after redirects."""
        token = await self.csrf_of(client, page)
        async with client.post(action, data={"csrf_token": token, **data}) as resp:
            return resp.status, resp.url.path, await resp.text()

    async def settle(self) -> None:
        """Wait until the bot exchanges started so far have finished."""
        await self.app.ctx.background.drain()

    @staticmethod
    async def wait_for(condition, timeout: float = 3.0):
        """Poll until condition() is truthy (socket events arrive asynchronously)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not (result := condition()):
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("timed out waiting")
            await asyncio.sleep(0.02)
        return result


async def _start(tmp_path, rasa_url: str, clock: Clock, environ: dict, config_dir=DEFAULT_CONFIG_DIR,
                 root=ROOT, tracker_db_url=None):
    environ = {"CONSOLE_SECRET": "s" * 40, "AGENT_PASSWORD": AGENT_PASSWORD, "OWNER_PASSWORD": OWNER_PASSWORD,
               "RASA_URL": rasa_url,
               "RASA_TOKEN": RASA_TOKEN, "RASA_TIMEOUT": "1",
               "HELPDESK_DB_URL": f"sqlite:///{tmp_path / 'helpdesk.db'}", **environ}
    settings = load_settings(environ, root=tmp_path)
    db = open_database(settings.db_url, zone=CHINA)
    tickets, messages, accounts = TicketStore(db), MessageStore(db), Accounts(db)
    ensure_accounts(settings, accounts, clock())
    store = StoreCache(config_dir).get
    tracker_db_url = tracker_db_url or f"sqlite:///{tmp_path / 'rasa-tracker.db'}"
    owner = OwnerServices(root=root, store_dir=config_dir, store=store, config_history=ConfigHistory(db),
                          model_events=ModelEvents(db), clock=clock, rasa_url=settings.rasa_url,
                          rasa_token=settings.rasa_token, tracker_db_url=tracker_db_url,
                          review=build_review(db, root, tracker_db_url))
    port = free_port()
    app = create_app(settings, tickets=tickets, messages=messages,
                     rasa=RasaClient(settings.rasa_url, settings.rasa_token, settings.rasa_timeout,
                                          settings.rasa_concurrency),
                     handoff=HandoffService(tickets, messages, store, clock), store=store,
                     accounts=accounts, owner=owner,
                     clock=clock, name=f"console_{port}", sync_interval=0.2)
    # create_server already listens (it awaits the AsyncioServer); then run the listeners.
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True,
                                     access_log=False)
    await server.startup()
    await server.before_start()
    await server.after_start()
    return Console(f"http://127.0.0.1:{port}", app, tickets, messages, clock), server


async def _stop(console: Console, server) -> None:
    for client in console.clients:
        if isinstance(client, socketio.AsyncClient):
            await console.drop(client)
        else:
            await client.close()
    await server.before_stop()
    server.close()
    await server.wait_closed()
    await server.after_stop()


@pytest_asyncio.fixture
async def start_console(tmp_path, fake_rasa, clock):
    """`await start_console(rasa_url=..., **environ)`: a console with other settings."""
    started = []

    async def start(rasa_url: str | None = None, config_dir=DEFAULT_CONFIG_DIR, root=ROOT, tracker_db_url=None,
                    **environ):
        """`root`: the repository the owner pages work on (data/, models/, results/): a copy in
        tmp_path for tests that write; `config_dir`: store_config/ likewise."""
        console, server = await _start(tmp_path, rasa_url or fake_rasa.url, clock, environ, config_dir,
                                       root, tracker_db_url)
        started.append((console, server))
        return console

    yield start
    for console, server in started:
        await _stop(console, server)


@pytest_asyncio.fixture
async def console(start_console):
    return await start_console()


@pytest.fixture
def store_copy(tmp_path):
    """A copy of store_config/ the test may edit."""
    target = tmp_path / "store_config"
    shutil.copytree(DEFAULT_CONFIG_DIR, target)
    return target


@pytest_asyncio.fixture
async def owner_console(start_console, store_copy):
    """A console whose owner pages edit a copy of store_config/."""
    return await start_console(config_dir=store_copy)


@pytest_asyncio.fixture
async def owner_client(owner_console):
    """A logged-in owner's browser session on `owner_console`."""
    return await owner_console.owner()
