"""No reply from a forgotten context, on the real Rasa server started the way production starts it
(`python -m rasa_server_plugins run`, the tests' model, the action server): when its tracker store
cannot be read or written, or its Redis lock store is down, the REST webhook answers 503 and no
reply (stock Rasa answers 200 from an empty conversation, or keeps the turn only in memory), the
console reads that as "ask the shopper to retry", and once the store is back the conversation goes
on with its whole history. The tracker store is a real SQLite file made unopenable (a directory in
its place) or locked by another writer; the lock store is a redis-server of the test's own,
stopped and started again. About 40 s, most of it Rasa loading its model."""
from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from console.rasa_client import RasaBusy, RasaClient
from benchmark.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
MODEL = Path(os.environ.get("TEST_MODEL") or ROOT / "models" / "test" / "store.tar.gz")  # never the live one
STARTUP_SECONDS = float(os.environ.get("E2E_STARTUP_SECONDS", "120"))
REDIS_SERVER = shutil.which("redis-server")
SHOPPER = "web-guarded-shopper"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not MODEL.is_file(), reason=f"no trained model at {MODEL} (make test trains it)")]



def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


class RedisServer:
    def __init__(self, folder: Path) -> None:
        self.port, self.folder, self.process = free_port(), folder, None

    def start(self) -> None:
        self.process = subprocess.Popen([REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not port_open(self.port):
            assert time.monotonic() < deadline and self.process.poll() is None, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Rasa:
    def __init__(self, url: str, token: str, tracker: Path, redis: RedisServer | None) -> None:
        self.url, self.token, self.tracker, self.redis = url, token, tracker, redis

    def say(self, text: str, sender: str = SHOPPER) -> tuple[int, object, float]:
        """(status, body, seconds) of one message through the REST webhook."""
        request = urllib.request.Request(f"{self.url}/webhooks/rest/webhook", method="POST",
                                         data=json.dumps({"sender": sender, "message": text}).encode(),
                                         headers={"Content-Type": "application/json"})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                return resp.status, json.load(resp), time.monotonic() - started
        except urllib.error.HTTPError as err:
            return err.code, json.load(err), time.monotonic() - started

    def user_turns(self, sender: str = SHOPPER) -> list[str]:
        url = f"{self.url}/conversations/{sender}/tracker?token={self.token}"
        with urllib.request.urlopen(url, timeout=30) as resp:
            return [e["text"] for e in json.load(resp)["events"] if e["event"] == "user"]


def _wait_until_up(url: str, processes: list, logs: list[Path]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            break
        try:
            with urllib.request.urlopen(url, timeout=3) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    tails = "\n".join(log.read_text(errors="replace")[-3000:] for log in logs)
    pytest.fail(f"Rasa and the action server did not come up within {STARTUP_SECONDS:g} s:\n{tails}")


@pytest.fixture(scope="module")
def rasa(tmp_path_factory):
    folder = tmp_path_factory.mktemp("guarded_rasa")
    action_port, rasa_port = free_port(), free_port()
    token, action_token = secrets.token_hex(16), secrets.token_hex(16)
    tracker = folder / "tracker.db"
    redis = RedisServer(folder) if REDIS_SERVER else None
    endpoints = (f"action_endpoint:\n  url: http://127.0.0.1:{action_port}/webhook\n"
                 f"  headers:\n    X-Action-Token: {action_token}\n  enable_selective_domain: true\n"
                 f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {tracker}\n")
    if redis:
        redis.start()
        endpoints += f"lock_store:\n  type: redis\n  url: 127.0.0.1\n  port: {redis.port}\n  db: 1\n"
    (folder / "endpoints.yml").write_text(endpoints)
    env = {k: v for k, v in os.environ.items() if k not in ("METRICS_TOKEN", "PROMETHEUS_MULTIPROC_DIR")}
    env.update({"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "SANIC_HOST": "127.0.0.1",
                "ACTION_SERVER_TOKEN": action_token, "HELPDESK_DB_URL": f"sqlite:///{folder / 'helpdesk.db'}"})
    logs = [folder / "actions.log", folder / "rasa.log"]
    processes = [
        subprocess.Popen([sys.executable, "-m", "rasa_sdk", "--actions", "actions", "-p", str(action_port)],
                         cwd=ROOT, env=env, stdout=logs[0].open("wb"), stderr=subprocess.STDOUT),
        subprocess.Popen([sys.executable, "-m", "rasa_server_plugins", "run", "--model", str(MODEL),
                          "-i", "127.0.0.1", "-p", str(rasa_port), "--enable-api", "--auth-token", token,
                          "--credentials", "credentials.yml", "--endpoints", str(folder / "endpoints.yml")],
                         cwd=ROOT, env=env, stdout=logs[1].open("wb"), stderr=subprocess.STDOUT),
    ]
    try:
        _wait_until_up(f"http://127.0.0.1:{rasa_port}/status?token={token}", processes, logs)
        yield Rasa(f"http://127.0.0.1:{rasa_port}", token, tracker, redis)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if redis:
            redis.stop()


def test_an_unreadable_conversation_is_not_answered_from_an_empty_one(rasa):
    status, replies, _ = rasa.say("你好")
    assert status == 200 and replies, "the conversation starts normally"

    away = rasa.tracker.with_name("tracker-away.db")
    rasa.tracker.rename(away)
    rasa.tracker.mkdir()  # the database cannot be opened: nothing can be read or written
    try:
        status, body, seconds = rasa.say("寄到拉萨运费多少")
        assert status == 503 and body["error"] == "conversation_store_unavailable", body
        assert rasa.say("你好", sender="web-a-new-shopper")[0] == 503, "not even a new conversation"
    finally:
        rasa.tracker.rmdir()
        away.rename(rasa.tracker)

    status, replies, _ = rasa.say("寄到拉萨运费多少")
    assert status == 200 and replies, "back by itself once the database is"
    assert rasa.user_turns() == ["你好", "寄到拉萨运费多少"], "the history goes on; the refused turn is not in it"


def test_a_turn_that_cannot_be_saved_is_not_answered(rasa):
    before = rasa.user_turns()
    # Another writer holds the database's write lock: reading works, saving fails after SQLite's
    # busy timeout (5 s) instead of the turn living only in this Rasa process's memory.
    writer = sqlite3.connect(rasa.tracker, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        status, body, seconds = rasa.say("发什么快递")
        assert status == 503 and body["error"] == "conversation_store_unavailable", body
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert rasa.user_turns() == before, "nothing half-saved"
    status, replies, _ = rasa.say("发什么快递")
    assert status == 200 and replies
    assert rasa.user_turns() == before + ["发什么快递"]


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed (apt-get install -y redis-server)")
def test_without_its_lock_store_rasa_answers_nothing_until_redis_is_back(rasa):
    before = rasa.user_turns()
    rasa.redis.stop()
    try:
        status, body, _ = rasa.say("什么时候发货")
        assert status == 503 and body["error"] == "conversation_store_unavailable", body
    finally:
        rasa.redis.start()  # same port, empty: the locks of the outage are gone with it
    deadline = time.monotonic() + 10
    while (status := rasa.say("什么时候发货")[0]) != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status == 200, "back by itself once Redis is"
    assert rasa.user_turns() == before + ["什么时候发货"]


def test_the_console_reads_the_refusal_as_busy(rasa):
    async def ask_while_unreadable():
        client = RasaClient(rasa.url, rasa.token, timeout=30)
        await client.start()
        try:
            with pytest.raises(RasaBusy):
                await client.send_message(SHOPPER, "你好")
        finally:
            await client.close()

    away = rasa.tracker.with_name("tracker-away.db")
    rasa.tracker.rename(away)
    rasa.tracker.mkdir()
    try:
        asyncio.run(ask_while_unreadable())
    finally:
        rasa.tracker.rmdir()
        away.rename(rasa.tracker)
