"""The action server's /metrics: the real rasa-sdk app with the project's actions and both plugins
(token check, metrics), served on a free localhost port with tickets in a throw-away database.
Actions are counted by name and outcome and timed; a handoff is counted with its ticket; /metrics
follows METRICS_TOKEN, not the action token.

Counters are the process's own, so the tests compare a figure before and after."""
from __future__ import annotations

import socket

import aiohttp
import pluggy
import pytest
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families
from rasa_sdk import plugin
from rasa_sdk.endpoint import create_app
from sanic import Sanic

import rasa_sdk_plugins
from actions.runtime import action_server_services

ACTION_TOKEN = "action-s3cret"
METRICS_TOKEN = "m" * 40


def call(action: str, intent: str, sender: str = "metrics-test") -> dict:
    return {"next_action": action, "sender_id": sender, "domain": {}, "tracker": {
        "sender_id": sender, "slots": {}, "events": [], "paused": False, "followup_action": None,
        "active_loop": {}, "latest_action_name": None,
        "latest_message": {"text": "能便宜点吗", "intent": {"name": intent}, "entities": []}}}


def sample(text: str, name: str, **labels) -> float:
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return found.value
    return 0.0


@pytest_asyncio.fixture
async def start_action_server(monkeypatch, tmp_path):
    """`await start_action_server(**environ)` → an aiohttp client of a running action server."""
    monkeypatch.setattr(Sanic, "test_mode", True)  # rasa-sdk names every app "rasa_sdk"
    monkeypatch.setenv("SANIC_HOST", "127.0.0.1")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", ACTION_TOKEN)
    monkeypatch.setenv("HELPDESK_DB_URL", f"sqlite:///{tmp_path / 'helpdesk.db'}")  # never var/helpdesk.db
    action_server_services.cache_clear()  # the actions' services are built once per process: here, on tmp_path
    running = []

    async def start(**environ):
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        app = create_app("actions")
        manager = pluggy.PluginManager("rasa_sdk")
        manager.add_hookspecs(plugin)
        rasa_sdk_plugins.init_hooks(manager)
        manager.hook.attach_sanic_app_extensions(app=app)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
        await server.startup()
        client = aiohttp.ClientSession(f"http://127.0.0.1:{port}")
        running.append((server, client))
        return client

    yield start
    for server, client in running:
        await client.close()
        server.close()
        await server.wait_closed()
    action_server_services.cache_clear()


async def scrape(client: aiohttp.ClientSession, headers=None) -> str:
    async with client.get("/metrics", headers=headers or {}) as resp:
        assert resp.status == 200
        return await resp.text()


async def run(client: aiohttp.ClientSession, body: dict) -> int:
    async with client.post("/webhook", json=body, headers={"X-Action-Token": ACTION_TOKEN}) as resp:
        await resp.read()
        return resp.status


async def test_actions_are_counted_by_name_and_outcome_and_timed(start_action_server):
    client = await start_action_server()
    before = await scrape(client)
    assert await run(client, call("action_bargain", "bargain")) == 200
    assert await run(client, call("action_no_such_thing", "bargain")) == 404
    after = await scrape(client)

    ok = dict(name="action_server_actions_total", action="action_bargain", outcome="ok")
    assert sample(after, **ok) == sample(before, **ok) + 1
    timed = dict(name="action_server_action_seconds_count", action="action_bargain")
    assert sample(after, **timed) == sample(before, **timed) + 1
    missing = dict(name="action_server_actions_total", action="unknown", outcome="not_found")
    assert sample(after, **missing) == sample(before, **missing) + 1
    assert "action_no_such_thing" not in after, "a made-up name never becomes a label"


async def test_a_handoff_is_counted_with_the_ticket_it_opened(start_action_server):
    client = await start_action_server()
    before = await scrape(client)
    assert await run(client, call("action_handoff", "request_human", sender="wants-a-person")) == 200
    assert await run(client, call("action_handoff", "request_human", sender="wants-a-person")) == 200
    after = await scrape(client)

    for ticket in ("opened", "added"):
        labels = dict(name="handoffs_total", reason="request_human", ticket=ticket)
        assert sample(after, **labels) == sample(before, **labels) + 1


async def test_metrics_follow_their_own_rule_not_the_action_token(start_action_server):
    client = await start_action_server()
    await scrape(client)  # loopback, no action token needed
    async with client.get("/metrics", headers={"X-Real-IP": "203.0.113.9"}) as resp:
        assert resp.status == 403


async def test_with_a_metrics_token_only_its_bearer_reads(start_action_server):
    client = await start_action_server(METRICS_TOKEN=METRICS_TOKEN)
    for headers in ({}, {"X-Action-Token": ACTION_TOKEN}, {"Authorization": "Bearer " + ACTION_TOKEN}):
        async with client.get("/metrics", headers=headers) as resp:
            assert resp.status == 401
    assert "action_server_actions_total" in await scrape(client, {"Authorization": "Bearer " + METRICS_TOKEN})
