"""Personal data on the real stack (action server, Rasa with the tests' model, console): two
shoppers talk — one through the web chat's socket.io, one through Rasa's REST channel — and both
are handed to a person; `python -m ops forget` deletes the first one everywhere while everything
runs (a second run finds nothing, the other shopper is untouched); and no log of the run holds a
word either shopper wrote (each message carries a unique marker)."""
from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import sqlite3
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("browser_stack", ROOT / "tests" / "browser" / "conftest.py")
browser_stack = sys.modules.setdefault("browser_stack", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(browser_stack)     # start_stack: the stack the browser tests run
from benchmark.channels import SocketChannel  # noqa: E402

pytestmark = pytest.mark.slow
MARKER_WEB = "WEB" + uuid.uuid4().hex[:10].upper()
MARKER_REST = "REST" + uuid.uuid4().hex[:10].upper()


def rest(stack, sender: str, text: str) -> list:
    request = urllib.request.Request(stack.rasa_url + "/webhooks/rest/webhook",
                                     json.dumps({"sender": sender, "message": text}).encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as resp:
        return json.load(resp)


async def web_shopper(url: str) -> None:
    async with SocketChannel(url) as channel:
        shopper = await channel.open()
        await channel.ask(shopper, f"寄到拉萨运费多少 {MARKER_WEB}")
        await channel.ask(shopper, f"转人工 {MARKER_WEB}")
        await channel.close(shopper)


def rows(db: Path, sql: str, *args) -> list:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


def forget(workdir: Path, conversation: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HELPDESK_DB_URL": f"sqlite:///{workdir / 'helpdesk.db'}",
           "RASA_TRACKER_URL": f"sqlite:///{workdir / 'tracker.db'}"}
    # --root: the owner's labelled examples of this test's installation, never the repository's data/
    return subprocess.run([sys.executable, "-m", "ops", "--root", str(workdir / "site"), "forget", conversation,
                           "--settle", "1"], env=env, capture_output=True, text=True, timeout=120)


def test_forget_while_running_and_no_shopper_text_in_any_log(tmp_path, request):
    workdir = tmp_path / "stack"
    workdir.mkdir()
    stack = browser_stack.start_stack(workdir, browser_stack.test_model())
    try:
        asyncio.run(web_shopper(stack.url))
        assert rest(stack, "rest-shopper", f"转人工 {MARKER_REST}")
        helpdesk, tracker = workdir / "helpdesk.db", workdir / "tracker.db"
        [(web_id,)] = rows(helpdesk, "SELECT DISTINCT conversation_id FROM helpdesk_messages WHERE text LIKE ?",
                           f"%{MARKER_WEB}%")
        assert rows(helpdesk, "SELECT count(*) FROM helpdesk_tickets WHERE conversation_id = ?", web_id) == [(1,)]
        assert rows(tracker, "SELECT count(*) FROM events WHERE sender_id = ?", web_id)[0][0] > 5

        done = forget(workdir, web_id)
        assert done.returncode == 0, done.stderr
        deleted = json.loads(done.stdout.splitlines()[0])
        assert deleted["tracker_events"] > 5 and deleted["messages"] >= 4 and len(deleted["tickets"]) == 1

        for db, sql in ((tracker, "SELECT count(*) FROM events WHERE sender_id = ?"),
                        (helpdesk, "SELECT count(*) FROM helpdesk_messages WHERE conversation_id = ?"),
                        (helpdesk, "SELECT count(*) FROM helpdesk_tickets WHERE conversation_id = ?")):
            assert rows(db, sql, web_id) == [(0,)], sql
        history = stack.rasa_history(web_id)                 # Rasa, still running, knows nothing of it
        assert not [e for e in history if e.get("event") == "user"]
        assert rows(tracker, "SELECT count(*) FROM events WHERE sender_id = 'rest-shopper'")[0][0] > 0
        assert rows(helpdesk, "SELECT count(*) FROM helpdesk_tickets WHERE conversation_id = 'rest-shopper'") == [(1,)]

        again = forget(workdir, web_id)
        assert again.returncode == 0 and "nothing stored" in again.stdout
    finally:
        browser_stack.stop_stack(stack, request)

    logs = {server.name: server.log.read_text(errors="replace") for server in stack.servers}
    assert all(logs.values()), "every server wrote a log"
    outputs = done.stdout + done.stderr + again.stdout + again.stderr
    hits = {name: text.count(MARKER_WEB) + text.count(MARKER_REST) for name, text in {**logs, "forget": outputs}.items()}
    assert hits == {name: 0 for name in hits}, hits
