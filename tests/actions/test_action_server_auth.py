"""The action server refuses requests without Rasa's token and listens on localhost by default."""
from __future__ import annotations

import os
import socket

import aiohttp
import pluggy
import pytest
import pytest_asyncio
from rasa_sdk import plugin
from rasa_sdk.endpoint import create_app
from sanic import Sanic

import rasa_sdk_plugins

TOKEN = "s3cret"
CALL = {"next_action": "action_bargain", "sender_id": "t", "tracker": {
    "sender_id": "t", "slots": {}, "events": [], "paused": False, "followup_action": None,
    "active_loop": {}, "latest_action_name": None,
    "latest_message": {"text": "能便宜点吗", "intent": {"name": "bargain"}, "entities": []}}, "domain": {}}


@pytest_asyncio.fixture
async def action_server(monkeypatch):
    """The real rasa-sdk app with our plugin attached, served on a free localhost port."""
    monkeypatch.setenv("ACTION_SERVER_TOKEN", TOKEN)
    monkeypatch.setattr(Sanic, "test_mode", True)  # rasa-sdk names every app "rasa_sdk"
    app = create_app("actions.bargain")  # one module: enough to run an action
    manager = pluggy.PluginManager("rasa_sdk")
    manager.add_hookspecs(plugin)
    rasa_sdk_plugins.init_hooks(manager)
    manager.hook.attach_sanic_app_extensions(app=app)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as client:
        yield client
    server.close()
    await server.wait_closed()


@pytest.mark.parametrize("headers", [{}, {"X-Action-Token": "nope"}], ids=["no token", "wrong token"])
async def test_webhook_without_the_right_token_is_refused(action_server, headers):
    async with action_server.post("/webhook", json=CALL, headers=headers) as response:
        assert response.status == 401


async def test_webhook_with_the_token_runs_the_action(action_server):
    async with action_server.post("/webhook", json=CALL, headers={"X-Action-Token": TOKEN}) as response:
        assert response.status == 200
        assert (await response.json())["responses"]


async def test_health_stays_open(action_server):
    async with action_server.get("/health") as response:
        assert response.status == 200


def test_plugin_defaults_the_action_server_to_localhost(monkeypatch):
    monkeypatch.delenv("SANIC_HOST", raising=False)
    rasa_sdk_plugins.init_hooks(pluggy.PluginManager("rasa_sdk"))
    assert os.environ["SANIC_HOST"] == "127.0.0.1"
