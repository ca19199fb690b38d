"""The full stack for browser tests: action server, Rasa server (the tests' model, TEST_MODEL)
and the console app, each on a free localhost port with its own database files, plus Debian's
Chromium driven by Playwright (never a downloaded browser).

Each server's log goes to a file; the logs are printed when a server does not come up or a
test fails. Screenshots go to test-artifacts/browser/."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest
from benchmark.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
STARTUP_SECONDS = float(os.environ.get("E2E_STARTUP_SECONDS", "120"))
AGENT_PASSWORD = "e2e-" + secrets.token_hex(8)
OWNER_PASSWORD = "e2e-owner-" + secrets.token_hex(8)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if outcome.get_result().failed:
        item.session.browser_test_failed = True



def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as resp:
            return resp.status == 200
    except OSError:
        return False


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    log: Path
    health: str

    def tail(self, lines: int = 60) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"----- {self.name} ({self.log}) -----\n" + "\n".join(text.splitlines()[-lines:])


def _start(name: str, argv: list[str], env: dict, workdir: Path, health: str, root: Path = ROOT) -> Server:
    log = workdir / f"{name}.log"
    process = subprocess.Popen(argv, cwd=root, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    return Server(name, process, log, health)


def _wait_healthy(servers: list[Server]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    waiting = list(servers)
    while waiting:
        for server in list(waiting):
            if server.process.poll() is not None:
                raise RuntimeError(f"{server.name} exited with code {server.process.returncode}")
            if http_ok(server.health):
                waiting.remove(server)
        if waiting and time.monotonic() > deadline:
            raise RuntimeError(f"not healthy after {STARTUP_SECONDS:g} s: {[s.name for s in waiting]} "
                               "(set E2E_STARTUP_SECONDS for a slow machine)")
        time.sleep(0.5)


def _stop(servers: list[Server]) -> None:
    for server in servers:
        if server.process.poll() is None:
            server.process.terminate()
    for server in servers:
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@dataclass
class Stack:
    url: str                 # the console app: the only origin the browser talks to
    servers: list
    agent_password: str
    rasa_url: str            # localhost only; the test reads conversation histories from it
    rasa_token: str
    root: Path = ROOT        # where the servers run: the repository or a test's copy of it
    owner_password: str = ""

    def rasa_history(self, conversation_id: str) -> list[dict]:
        url = f"{self.rasa_url}/conversations/{conversation_id}/tracker?token={self.rasa_token}"
        with urllib.request.urlopen(url, timeout=10) as resp:
            return json.load(resp)["events"]


def test_model() -> Path:
    model = Path(os.environ.get("TEST_MODEL") or ROOT / "models" / "test" / "store.tar.gz")  # never the live one
    if not model.is_file():
        pytest.fail(f"no trained model at {model}: run `make test` (it trains the tests' model)")
    return model


def start_stack(workdir: Path, model: Path, root: Path = ROOT, environ: Optional[dict] = None) -> Stack:
    """Action server, Rasa (with its HTTP API and token) and the console, run from `root` (the
    repository, or a copy a test may change), each with its own databases under `workdir`."""
    action_port, rasa_port, console_port = free_port(), free_port(), free_port()
    rasa_token, action_token = secrets.token_hex(16), secrets.token_hex(16)
    db_url = f"sqlite:///{workdir / 'helpdesk.db'}"
    tracker = workdir / "tracker.db"
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        "action_endpoint:\n"
        f"  url: http://127.0.0.1:{action_port}/webhook\n"
        f"  headers:\n    X-Action-Token: {action_token}\n"
        "  enable_selective_domain: true\n"
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {tracker}\n")
    inherited = {k: v for k, v in os.environ.items() if k not in ("AGENT_USERS", "OWNER_USERS")}
    env = {**inherited, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
           "SANIC_HOST": "127.0.0.1", "HELPDESK_DB_URL": db_url, "ACTION_SERVER_TOKEN": action_token,
           "RASA_TRACKER_DB": str(tracker), **(environ or {})}
    servers = [
        _start("actions", [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "-p", str(action_port)],
               env, workdir, f"http://127.0.0.1:{action_port}/health", root),
        _start("rasa", [sys.executable, "-m", "rasa_server_plugins", "run", "--model", str(model), "-p", str(rasa_port),
                        "-i", "127.0.0.1", "--enable-api", "--auth-token", rasa_token,
                        "--credentials", "credentials.yml", "--endpoints", str(endpoints)],
               env, workdir, f"http://127.0.0.1:{rasa_port}/status?token={rasa_token}", root),
        _start("console", [sys.executable, "-m", "console"],
               {**env, "CONSOLE_HOST": "127.0.0.1", "CONSOLE_PORT": str(console_port),
                "RASA_URL": f"http://127.0.0.1:{rasa_port}",
                "RASA_TOKEN": rasa_token, "CONSOLE_SECRET": secrets.token_urlsafe(40),
                "AGENT_PASSWORD": AGENT_PASSWORD, "OWNER_PASSWORD": OWNER_PASSWORD, "CONSOLE_ENV": "development"},
               workdir, f"http://127.0.0.1:{console_port}/health", root),
    ]
    try:
        _wait_healthy(servers)
    except RuntimeError as err:
        logs = "\n".join(s.tail() for s in servers)
        _stop(servers)
        pytest.fail(f"the stack did not start: {err}\n{logs}")
    return Stack(f"http://127.0.0.1:{console_port}", servers, AGENT_PASSWORD,
                 f"http://127.0.0.1:{rasa_port}", rasa_token, root, OWNER_PASSWORD)


def stop_stack(stack: Stack, request) -> None:
    _stop(stack.servers)
    if getattr(request.session, "browser_test_failed", False):
        print("\n".join(s.tail() for s in stack.servers))


# Module scope: Playwright's sync API runs an event loop in this thread until it stops, which
# would break every asyncio test collected after this directory.
@pytest.fixture(scope="module")
def stack(tmp_path_factory, request):
    started = start_stack(tmp_path_factory.mktemp("stack"), test_model())
    yield started
    stop_stack(started, request)


@pytest.fixture(scope="module")
def stack_tools():
    """The stack helpers for a test module that starts a stack of its own (e.g. on a copy)."""
    return start_stack, stop_stack, test_model


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS
