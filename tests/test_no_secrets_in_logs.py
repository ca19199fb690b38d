"""Tokens and passwords never reach a log: a real short stack (action server, Rasa, console, as
the browser tests start it), an agent and an owner logging in (one wrong password too), a shopper
chatting through socket.io until a ticket opens, the agent's reply written into Rasa (the token
travels as ?token=), /metrics read with its token — then every log of the run is searched for
every secret value: the tokens and the console secret as the processes got them (read from
/proc/<pid>/environ), the passwords, their hashes and the session cookies. 0 hits."""
from __future__ import annotations

import asyncio
import importlib.util
import re
import secrets
import sys
from pathlib import Path

import aiohttp
import pytest
import socketio

from helpdesk import Accounts, open_database

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("browser_stack", ROOT / "tests" / "browser" / "conftest.py")
stack_module = sys.modules.setdefault("browser_stack", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(stack_module)

pytestmark = pytest.mark.slow
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SECRET_VARIABLES = ("RASA_TOKEN", "ACTION_SERVER_TOKEN", "CONSOLE_SECRET", "METRICS_TOKEN", "AGENT_PASSWORD",
                    "OWNER_PASSWORD")


def environ_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item)


async def log_in(client: aiohttp.ClientSession, area: str, user: str, password: str) -> int:
    async with client.get(f"/{area}/login") as resp:
        token = CSRF.search(await resp.text()).group(1)
    async with client.post(f"/{area}/login", data={"csrf_token": token, "username": user,
                                                   "password": password}) as resp:
        await resp.read()
        return resp.status


async def exercise(stack, metrics_token: str) -> list[str]:
    """Everything a day brings, through the public origin; returns the cookie values seen."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(stack.url, cookie_jar=jar) as client:
        assert await log_in(client, "agent", "agent", "not-the-password") == 401
        assert await log_in(client, "agent", "agent", stack.agent_password) == 200
        assert await log_in(client, "owner", "owner", stack.owner_password) == 200
        async with client.get("/") as resp:
            assert resp.status == 200
        cookie = "; ".join(f"{c.key}={c.value}" for c in jar)
        sio = socketio.AsyncClient(reconnection=False)
        replies = []
        sio.on("message", lambda message: replies.append(message))
        await sio.connect(stack.url, headers={"Cookie": cookie}, transports=["polling"])
        try:
            for i, text in enumerate(["寄到乌鲁木齐运费多少", "我要转人工"]):
                ack = await sio.call("send", {"text": text, "client_msg_id": f"m-{i}"}, timeout=30)
                assert ack.get("ok"), ack
                for _ in range(300):   # the bot's answer before the next message
                    if sum(m.get("sender") in ("bot", "system") for m in replies) > i:
                        break
                    await asyncio.sleep(0.1)
        finally:
            await sio.disconnect()
        ticket = None
        for _ in range(60):   # the handoff's ticket, once the bot has answered
            async with client.get("/agent") as resp:
                ticket = re.search(r"/agent/tickets/(\d+)", await resp.text())
            if ticket:
                break
            await asyncio.sleep(0.5)
        assert ticket, "the handoff opened a ticket"
        async with client.get(f"/agent/tickets/{ticket.group(1)}") as resp:
            token = CSRF.search(await resp.text()).group(1)
        async with client.post(f"/agent/tickets/{ticket.group(1)}/reply",
                               data={"csrf_token": token, "text": "您好，我是客服，马上为您处理。"}) as resp:
            assert resp.status == 200
        async with client.get("/metrics", headers={"Authorization": f"Bearer {metrics_token}"}) as resp:
            assert resp.status == 200
        return [c.value for c in jar]


def test_no_token_password_or_cookie_reaches_a_log(tmp_path, request):
    metrics_token = secrets.token_urlsafe(40)
    stack = stack_module.start_stack(tmp_path, stack_module.test_model(), environ={"METRICS_TOKEN": metrics_token})
    try:
        secret_values = {}
        for server in stack.servers:
            environ = environ_of(server.process.pid)
            secret_values.update({f"{name} ({server.name})": environ[name]
                                  for name in SECRET_VARIABLES if environ.get(name)})
        cookies = asyncio.run(exercise(stack, metrics_token))
    finally:
        stack_module.stop_stack(stack, request)
    secret_values["--auth-token"] = stack.rasa_token
    secret_values.update({f"cookie {i}": value for i, value in enumerate(cookies)})
    accounts = Accounts(open_database(f"sqlite:///{tmp_path / 'helpdesk.db'}"))
    secret_values.update({f"hash of {a.name}": a.password_hash for a in accounts.all()})
    assert {"RASA_TOKEN (console)", "ACTION_SERVER_TOKEN (actions)", "CONSOLE_SECRET (console)",
            "METRICS_TOKEN (console)", "OWNER_PASSWORD (console)"} <= set(secret_values)
    assert len(cookies) >= 3, "agent, owner and shopper sessions"

    logs = sorted(tmp_path.rglob("*.log"))
    assert {log.name for log in logs} >= {"actions.log", "rasa.log", "console.log"}
    hits = [f"{log.name}: {what}" for log in logs for what, value in secret_values.items()
            if len(value) >= 8 and value in log.read_text(errors="replace")]
    assert hits == [], f"secrets in the logs: {hits}"
