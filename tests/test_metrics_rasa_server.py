"""/metrics on the real servers: Rasa started the way production starts it
(`python -m rasa_server_plugins run`, the tests' model) and the action server with two Sanic
workers sharing PROMETHEUS_MULTIPROC_DIR. One shopper message through the REST channel must show
up as a request, a reply time, an intent and the actions run on Rasa's side, and as one action
run on the action server's, whichever worker ran it. About 30 s: Rasa loading its model."""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from benchmark.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
MODEL = Path(os.environ.get("TEST_MODEL") or ROOT / "models" / "test" / "store.tar.gz")  # never the live one
STARTUP_SECONDS = float(os.environ.get("E2E_STARTUP_SECONDS", "120"))
METRICS_TOKEN = secrets.token_urlsafe(32)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not MODEL.is_file(), reason=f"no trained model at {MODEL} (make test trains it)")]



def get(url: str, headers=None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, ""


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if get(url)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"not up within {STARTUP_SECONDS:g} s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("metrics_servers")
    action_port, rasa_port = free_port(), free_port()
    action_token = secrets.token_hex(16)
    endpoints = folder / "endpoints.yml"
    endpoints.write_text(
        f"action_endpoint:\n  url: http://127.0.0.1:{action_port}/webhook\n"
        f"  headers:\n    X-Action-Token: {action_token}\n  enable_selective_domain: true\n"
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {folder / 'tracker.db'}\n")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
           "SANIC_HOST": "127.0.0.1", "ACTION_SERVER_TOKEN": action_token,
           "HELPDESK_DB_URL": f"sqlite:///{folder / 'helpdesk.db'}"}
    env.pop("METRICS_TOKEN", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    action_env = {**env, "ACTION_SERVER_SANIC_WORKERS": "2",
                  "PROMETHEUS_MULTIPROC_DIR": str(folder / "actions-metrics")}
    rasa_env = {**env, "METRICS_TOKEN": METRICS_TOKEN}
    logs = [folder / "actions.log", folder / "rasa.log"]
    processes = [
        subprocess.Popen([sys.executable, "-m", "rasa_sdk", "--actions", "actions", "-p", str(action_port)],
                         cwd=ROOT, env=action_env, stdout=logs[0].open("wb"), stderr=subprocess.STDOUT),
        subprocess.Popen([sys.executable, "-m", "rasa_server_plugins", "run", "--model", str(MODEL),
                          "-i", "127.0.0.1", "-p", str(rasa_port), "--endpoints", str(endpoints),
                          "--credentials", "credentials.yml"],
                         cwd=ROOT, env=rasa_env, stdout=logs[1].open("wb"), stderr=subprocess.STDOUT),
    ]
    try:
        wait_until_up(f"http://127.0.0.1:{action_port}/health", processes[0], logs[0])
        wait_until_up(f"http://127.0.0.1:{rasa_port}/", processes[1], logs[1])
        yield f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def values(text: str) -> dict:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def total(seen: dict, name: str, **labels) -> float:
    return sum(v for (n, found), v in seen.items() if n == name and set(labels.items()) <= set(found))


def test_one_message_is_counted_on_both_servers(servers):
    rasa, actions = servers
    body = json.dumps({"sender": "metrics-1", "message": "寄到乌鲁木齐运费多少"}).encode()
    request = urllib.request.Request(f"{rasa}/webhooks/rest/webhook", method="POST", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as resp:
        assert resp.status == 200 and "元" in json.load(resp)[0]["text"]

    status, text = get(f"{rasa}/metrics", {"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert status == 200
    seen = values(text)
    assert total(seen, "rasa_http_requests_total", route="/webhooks/rest/webhook", method="POST", status="200") == 1
    assert total(seen, "rasa_reply_seconds_count", channel="rest") == 1
    assert total(seen, "rasa_messages_in_progress") == 0
    assert total(seen, "rasa_intents_total", intent="ask_shipping_fee") == 1
    assert total(seen, "rasa_actions_total", action="action_quote_fee") == 1
    assert total(seen, "rasa_actions_total", action="action_session_start") == 1
    # the first message froze the model after a full collection (gc_freeze), timed by gc.callbacks
    assert total(seen, "rasa_gc_pause_seconds_count", generation="2") >= 1

    status, text = get(f"{actions}/metrics")  # loopback, no token set on the action server
    assert status == 200
    seen = values(text)
    assert total(seen, "action_server_actions_total", action="action_quote_fee", outcome="ok") == 1
    assert total(seen, "action_server_action_seconds_count", action="action_quote_fee") == 1


def test_rasa_metrics_need_the_token_it_was_given(servers):
    rasa, _ = servers
    assert get(f"{rasa}/metrics")[0] == 401
    assert get(f"{rasa}/metrics", {"Authorization": "Bearer " + "x" * 43})[0] == 401
