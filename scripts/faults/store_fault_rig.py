"""What the data-store fault scripts and their tests share (no `main()`: `make faults` runs only
the scripts): the real servers, a shopper's browser tab, and the faults themselves.

- Servers: the action server and Rasa started as production starts them (`benchmark.servers`,
  `python -m rasa_server_plugins run`), the console app in front of them (`python -m console`),
  each on ports of this part's range (6400–6499) when free, with its own databases; a PostgreSQL
  server of the fault's own (root only).
- `Shopper`: one tab as `console/static/chat.js` behaves: a page load for the signed cookie, a
  socket.io connection (long-polling: python-engineio 4.15's websocket client needs a newer
  aiohttp than the pinned 3.9.5), and an outbox: a message not acknowledged as stored is sent
  again with the same `client_msg_id` until it is.
- `SmallDisk`: a tmpfs of a few megabytes mounted for the fault (root only): filled, it answers
  every new block with ENOSPC, exactly what a full disk answers; `ulimit -f` would give EFBIG
  (SQLite reports an I/O error, not "disk full") and `PRAGMA max_page_count` is SQLite's own
  limit, not the file system's. A read-only file cannot be made here: the processes run as root
  (permission bits do not apply to root) and a file system with files open for writing refuses a
  read-only remount (EBUSY); the full disk and the vanished file cover "cannot write".
"""
from __future__ import annotations

import asyncio
import contextlib
import errno
import itertools
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as `python scripts/faults/<name>.py`
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import socketio  # noqa: E402

from benchmark import ports, servers  # noqa: E402

MODEL = Path(os.environ.get("TEST_MODEL") or ROOT / "models" / "test" / "store.tar.gz")  # never the live one
PORTS = range(6400, 6500)
ACK_TIMEOUT = 15.0      # console/static/chat.js ACK_TIMEOUT_MS
RETRY_SECONDS = 0.5     # chat.js waits 4 s; the figures count attempts, not seconds
RESULTS = ROOT / "results" / "faults"
# One secret for every console this process starts: a restarted console knows the shopper's cookie.
CONSOLE_SECRET = secrets.token_urlsafe(40)
_ids = itertools.count(1)


def free_port() -> int:
    """A free port of this part's range (other engineers' runs use other ranges), else any."""
    try:
        return ports.free_port(PORTS)
    except RuntimeError:
        return ports.free_port()


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


# ---------- servers ----------

@contextlib.contextmanager
def rasa(workdir: Path, tracker_db: Optional[Path] = None, extra_env: Optional[dict] = None) -> Iterator[servers.Stack]:
    """The action server and Rasa, answering (the first reply is in) when this yields."""
    extra = {**({"RASA_TRACKER_DB": str(tracker_db)} if tracker_db else {}), **(extra_env or {})}
    with servers.rasa_stack("faults", MODEL, workdir, [sys.executable, "-m", "rasa_server_plugins"], extra,
                            ports=(free_port(), free_port())) as stack:
        yield stack


@contextlib.contextmanager
def rasa_on(workdir: Path, tracker_store_yaml: str) -> Iterator[str]:
    """The action server and Rasa with a tracker store of the caller's (endpoints YAML, e.g.
    PostgreSQL), started as production starts them; yields Rasa's URL once it answers."""
    workdir.mkdir(parents=True, exist_ok=True)
    aport, rport = free_port(), free_port()
    token = secrets.token_hex(16)
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(f"action_endpoint:\n  url: http://127.0.0.1:{aport}/webhook\n"
                         f"  headers:\n    X-Action-Token: {token}\n  enable_selective_domain: true\n"
                         + tracker_store_yaml)
    env = {**os.environ, "SANIC_HOST": "127.0.0.1", "ACTION_SERVER_TOKEN": token, "RASA_TELEMETRY_ENABLED": "false",
           "TF_CPP_MIN_LOG_LEVEL": "2", "HELPDESK_DB_URL": f"sqlite:///{workdir / 'helpdesk.db'}"}
    log = (workdir / "servers.log").open("ab")
    processes = [
        subprocess.Popen([sys.executable, "-m", "rasa_sdk", "--actions", "actions", "-p", str(aport)],
                         cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT),
        subprocess.Popen([sys.executable, "-m", "rasa_server_plugins", "run", "--model", str(MODEL), "-i", "127.0.0.1",
                          "-p", str(rport), "--credentials", "credentials.yml", "--endpoints", str(endpoints)],
                         cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)]
    url = f"http://127.0.0.1:{rport}"
    try:
        deadline = time.monotonic() + servers.START_TIMEOUT
        servers._first_answer(url, deadline, processes[1], workdir / "servers.log")
        yield url
    finally:
        servers._stop(*processes)
        log.close()


class Postgres:
    """A PostgreSQL server of the fault's own (the Debian binaries, a scratch data directory, a
    port of this part's range), so stopping it disturbs nobody else's database. Root only: it runs
    as the `postgres` user."""

    def __init__(self) -> None:
        # Its own scratch directory: the postgres user cannot enter the caller's (mode 700, root's).
        self.folder, self.port = Path(tempfile.mkdtemp(prefix="store-faults-pg-")), free_port()
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        self.bin = bins[-1] if bins else None

    @staticmethod
    def possible() -> bool:
        return os.geteuid() == 0 and any(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))

    def _as_postgres(self, *argv: str) -> None:
        subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", " ".join(argv)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def init(self) -> "Postgres":
        shutil.chown(self.folder, "postgres", "postgres")
        self._as_postgres(str(self.bin / "initdb"), "-D", str(self.folder / "data"), "-A", "trust", "-U", "postgres")
        return self

    def start(self) -> None:
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-w", "-l",
                          str(self.folder / "server.log"), "-o", f"'-p {self.port} -k {self.folder} -h 127.0.0.1'",
                          "start")

    def stop(self) -> None:
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-w", "-m", "fast", "stop")

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def tracker_store_yaml(self) -> str:
        return (f"tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: 127.0.0.1\n  port: {self.port}\n"
                "  db: postgres\n  username: postgres\n  password: unused\n")

    def query(self, sql: str, **params) -> list[tuple]:
        from sqlalchemy import create_engine, text

        engine = create_engine(f"postgresql://postgres@127.0.0.1:{self.port}/postgres")
        try:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(text(sql), params)]
        finally:
            engine.dispose()

    @contextlib.contextmanager
    def stopped(self) -> Iterator[None]:
        self.stop()
        try:
            yield
        finally:
            self.start()


@dataclass
class Console:
    url: str
    process: subprocess.Popen
    log: Path

    def stop(self, sig: int = 15, timeout: float = 30) -> int:
        """Send `sig` (SIGTERM by default) and wait; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_console(workdir: Path, helpdesk_db: Path, rasa_url: Optional[str] = None,
                  env: Optional[dict] = None, port: Optional[int] = None, name: str = "console") -> Console:
    """`python -m console` on the helpdesk database; `rasa_url` None: Rasa is down (nothing
    listens there)."""
    port = port or free_port()
    environ = {k: v for k, v in os.environ.items() if k not in ("METRICS_TOKEN", "PROMETHEUS_MULTIPROC_DIR")}
    environ.update({
        "CONSOLE_HOST": "127.0.0.1", "CONSOLE_PORT": str(port), "CONSOLE_ENV": "development",
        "CONSOLE_SECRET": CONSOLE_SECRET, "AGENT_PASSWORD": secrets.token_urlsafe(12),
        "OWNER_PASSWORD": secrets.token_urlsafe(12), "HELPDESK_DB_URL": f"sqlite:///{helpdesk_db}",
        "RASA_URL": rasa_url or f"http://127.0.0.1:{free_port()}", "RASA_TIMEOUT": "10",
        "RASA_TRACKER_URL": f"sqlite:///{workdir / 'tracker-unused.db'}", **(env or {})})
    log = workdir / f"{name}.log"
    process = subprocess.Popen([sys.executable, "-m", "console"], cwd=ROOT, env=environ,
                               stdout=log.open("ab"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not http_ok(url + "/health"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the console did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)
    return Console(url, process, log)


# ---------- a shopper ----------

class Shopper:
    """One browser tab: its cookie, its socket, what it was shown, and its outbox."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.cookie: Optional[str] = None
        self.shown: dict[int, dict] = {}       # stored messages pushed or synced, by id
        self.notices: list[str] = []           # notices not kept in the record
        self.attempts = 0                      # `send` events emitted, resends included
        self.refusals: list[dict] = []         # acknowledgements that said "not stored"
        self.typing_shown = 0                  # "the bot is typing" events: an answer has begun
        self.client: Optional[socketio.AsyncClient] = None

    async def open(self) -> "Shopper":
        if self.cookie is None:
            async with aiohttp.ClientSession() as session, session.get(self.url + "/") as resp:
                if "chat_session" not in resp.cookies:
                    raise RuntimeError(f"no shopper cookie: HTTP {resp.status} {(await resp.text())[:200]}")
                self.cookie = resp.cookies["chat_session"].value
        self.client = socketio.AsyncClient(reconnection=False)
        self.client.on("message", lambda m: self.shown.__setitem__(m["id"], m))
        self.client.on("notice", lambda n: self.notices.append(n.get("text", "")))
        self.client.on("typing", lambda t: setattr(self, "typing_shown", self.typing_shown + bool(t.get("on"))))
        await self.client.connect(self.url, headers={"Cookie": f"chat_session={self.cookie}"},
                                  transports=["polling"], wait_timeout=10)
        return self

    async def sync(self) -> bool:
        """What a page does on (re)connect: everything after the last id it saw."""
        ack = await self.client.call("sync", {"after": max(self.shown, default=0)}, timeout=ACK_TIMEOUT)
        for message in ack.get("messages", []) if ack.get("ok") else []:
            self.shown[message["id"]] = message
        return bool(ack.get("ok"))

    async def reconnect(self, url: Optional[str] = None) -> None:
        await self.close()
        self.url = url or self.url
        await self.open()
        await self.sync()

    async def close(self) -> None:
        """Leave without waiting for the long-poll in flight (up to the 25 s ping interval)."""
        if self.client is not None and self.client.connected:
            await self.client.eio.disconnect(abort=True)
            self.client.connected = False

    async def send(self, text: str, give_up_after: float = 60.0) -> dict:
        """Send until acknowledged as stored (chat.js's outbox), with one client_msg_id."""
        item = {"text": text, "client_msg_id": f"fault-{next(_ids)}-{secrets.token_hex(4)}"}
        deadline = time.monotonic() + give_up_after
        while True:
            self.attempts += 1
            try:
                ack = await self.client.call("send", item, timeout=ACK_TIMEOUT)
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
                ack = None
            if isinstance(ack, dict) and ack.get("ok"):
                self.shown[ack["message"]["id"]] = ack["message"]
                return ack["message"]
            if ack is not None:
                self.refusals.append(ack)
            if time.monotonic() > deadline:
                raise TimeoutError(f"{text!r} was never acknowledged as stored: {ack}")
            await asyncio.sleep(RETRY_SECONDS)

    def after(self, message_id: int) -> list[dict]:
        return [m for i, m in sorted(self.shown.items()) if i > message_id]

    async def wait_for(self, check: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout:g} s; shown: {list(self.shown.values())[-6:]}")
            await asyncio.sleep(0.05)

    async def answer_to(self, message: dict, timeout: float = 30.0) -> list[dict]:
        """The bot, agent or system messages after `message` once the typing is over."""
        await self.wait_for(lambda: any(m["sender"] != "shopper" for m in self.after(message["id"])), timeout)
        await asyncio.sleep(0.3)  # a second reply of the same answer
        return [m for m in self.after(message["id"]) if m["sender"] != "shopper"]


# ---------- the faults ----------

@contextlib.contextmanager
def hung_server() -> Iterator[str]:
    """A port that accepts connections and never answers: what a stopped (SIGSTOP) or wedged
    Rasa looks like to the console. Yields its URL."""
    port = free_port()
    listener = socket.socket()
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        listener.close()


class SmallDisk:
    """A tmpfs mounted at `path` for the fault (root only)."""

    def __init__(self, path: Path, size: str = "2m") -> None:
        self.path, self.size = path, size
        self._filler = path / "filler"

    @staticmethod
    def possible() -> bool:
        return os.geteuid() == 0 and shutil.which("mount") is not None

    def __enter__(self) -> "SmallDisk":
        self.path.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.size}", "tmpfs", str(self.path)], check=True)
        return self

    def __exit__(self, *exc) -> None:
        subprocess.run(["umount", "-l", str(self.path)], check=False)

    def fill(self) -> None:
        """Every free block taken: the next write that needs one fails with ENOSPC."""
        fd = os.open(self._filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise
        finally:
            os.close(fd)

    def free(self) -> None:
        self._filler.unlink(missing_ok=True)


def truncate_wal(db: Path) -> None:
    """Checkpoint the WAL into the database and truncate it: the next commit needs new blocks
    (a WAL with room left would take a few more commits on a full disk, rightly)."""
    conn = sqlite3.connect(db, timeout=10)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


@contextlib.contextmanager
def held_write_lock(db: Path) -> Iterator[sqlite3.Connection]:
    """Another writer holding the database: `BEGIN EXCLUSIVE` until the block ends."""
    conn = sqlite3.connect(db, isolation_level=None, timeout=10)
    conn.execute("BEGIN EXCLUSIVE")
    try:
        yield conn
    finally:
        conn.execute("ROLLBACK")
        conn.close()


@contextlib.contextmanager
def file_gone(db: Path) -> Iterator[None]:
    """The database file moved away and a directory put in its place (unopenable), then back."""
    away = db.with_name(db.name + ".away")
    db.rename(away)
    db.mkdir()
    try:
        yield
    finally:
        db.rmdir()
        away.rename(db)


def rows(db: Path, query: str, *args) -> list[tuple]:
    conn = sqlite3.connect(db, timeout=10)
    try:
        return conn.execute(query, args).fetchall()
    finally:
        conn.close()


def write_json(name: str, data: dict) -> Path:
    import json

    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return path


def print_table(title: str, table: list[tuple[str, object]]) -> None:
    width = max(len(k) for k, _ in table)
    print(f"\n{title}\n" + "-" * len(title))
    for key, value in table:
        print(f"{key:<{width}}  {value}")
