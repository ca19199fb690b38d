"""The processes `make bench` measures, each on free localhost ports in a scratch directory:
an action server (always the project's) and a Rasa server (the project's entry point, or stock
Rasa from its own venv), and for the socket.io path the console app in front of them."""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Optional
from benchmark.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv" / "bin"
FIRST_QUESTION = "你好"
START_TIMEOUT = 180



def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and its children that are alive (Sanic workers)."""
    return rss_mb(pid, "VmHWM")


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory now (VmRSS; `make soak` samples it) or at its peak, children included."""
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    total += int(line.split()[1]) * 1024 / 1e6   # kB (KiB) → MB (10⁶ bytes)
        except FileNotFoundError:
            pass
    return total


def open_fds(pid: int) -> int:
    """Open file descriptors of a process and its children (sockets, database files)."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            total += len(os.listdir(f"/proc/{p}/fd"))
        except (FileNotFoundError, PermissionError):
            pass
    return total


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


@dataclass
class Stack:
    label: str
    rasa_url: str
    rasa_pid: int
    actions_pid: int
    first_answer_s: float
    workdir: Path
    env: dict


def _env(workdir: Path, aport: int) -> dict:
    return {**os.environ, "SANIC_HOST": "127.0.0.1", "ACTION_SERVER_URL": f"http://127.0.0.1:{aport}/webhook",
            "ACTION_SERVER_TOKEN": secrets.token_hex(16), "RASA_TRACKER_DB": str(workdir / "tracker.db"),
            "HELPDESK_DB_URL": f"sqlite:///{workdir / 'helpdesk.db'}", "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONHASHSEED": "0", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}


def _first_answer(url: str, deadline: float, proc: subprocess.Popen, log: Path) -> None:
    body = json.dumps({"sender": "bench-first", "message": FIRST_QUESTION}).encode()
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"bench: the server exited; see {log}")
        try:
            req = urllib.request.Request(url + "/webhooks/rest/webhook", data=body,
                                         headers={"Content-Type": "application/json"})
            if json.load(urllib.request.urlopen(req, timeout=5)):
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    raise SystemExit(f"bench: no answer within {START_TIMEOUT} s; see {log}")


def _stop(*procs: subprocess.Popen) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def rasa_stack(label: str, model: Path, workdir: Path, rasa_command: list[str], extra_env: Optional[dict] = None,
               ports: Optional[tuple[int, int]] = None):
    """Action server + Rasa on the model (on `ports` (action server, Rasa), else free ones);
    first_answer_s counts from starting both to the first reply through the REST channel (what a
    restart costs a shop)."""
    workdir.mkdir(parents=True, exist_ok=True)
    aport, rport = ports or (free_port(), free_port())
    env = {**_env(workdir, aport), **(extra_env or {})}
    log = workdir / "servers.log"
    out = open(log, "a")
    start = time.monotonic()
    actions = subprocess.Popen([str(VENV / "python"), "-m", "rasa_sdk", "--actions", "actions", "-p", str(aport)],
                               cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    # Only the entry point has the product's channel; stock and plain `rasa run` get Rasa's own.
    ours = rasa_command[-1:] == ["rasa_server_plugins"]
    credentials = "credentials.yml" if ours else "configs/baseline/credentials_stock.yml"
    rasa = subprocess.Popen([*rasa_command, "run", "--model", str(model), "-i", "127.0.0.1", "-p", str(rport),
                             "--endpoints", "endpoints.yml", "--credentials", credentials],
                            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{rport}"
    try:
        _first_answer(url, start + START_TIMEOUT, rasa, log)
        yield Stack(label, url, rasa.pid, actions.pid, time.monotonic() - start, workdir, env)
    finally:
        _stop(rasa, actions)
        out.close()


# The benchmark's closed loop sends each shopper's next message as soon as the answer comes (one
# a second or more): a capacity test, not a shopper, so the per-shopper limits are lifted for it.
NO_SHOPPER_LIMITS = {"CHAT_MESSAGES_BURST": "100000", "CHAT_MESSAGES_PER_MINUTE": "6000000",
                     "CHAT_EVENTS_BURST": "100000", "CHAT_EVENTS_PER_MINUTE": "6000000"}


@contextmanager
def console(stack: Stack, port: Optional[int] = None, shopper_limits: bool = True, extra_env: Optional[dict] = None):
    """The console app in front of a stack, as shoppers reach it; yields its URL and pid.
    `shopper_limits=False` lifts the per-shopper rate limits (the benchmark's closed loop)."""
    port = port or free_port()
    env = {**stack.env, "RASA_URL": stack.rasa_url, "CONSOLE_PORT": str(port), "CONSOLE_HOST": "127.0.0.1",
           "CONSOLE_SECRET": secrets.token_urlsafe(48), "AGENT_PASSWORD": secrets.token_urlsafe(12),
           "OWNER_PASSWORD": secrets.token_urlsafe(12), "RASA_TRACKER_URL": f"sqlite:///{stack.workdir / 'tracker.db'}",
           **({} if shopper_limits else NO_SHOPPER_LIMITS), **(extra_env or {})}
    log = stack.workdir / "console.log"
    out = open(log, "a")
    proc = subprocess.Popen([str(VENV / "python"), "-m", "console"], cwd=ROOT, env=env, stdout=out,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bench: the console did not start; see {log}")
            try:
                urllib.request.urlopen(url + "/health", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield url, proc.pid
    finally:
        _stop(proc)
        out.close()
