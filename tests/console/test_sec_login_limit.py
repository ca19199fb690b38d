"""The login limit: after a few failures of an account or of an address the next attempt is
refused with 429, Retry-After and a Chinese message, the wait grows, and the owner who knows the
password gets in once it is over (never a lockout). Client addresses come from X-Forwarded-For
only behind a trusted proxy. The shared stores (helpdesk database table, Redis) keep the same
counts as the in-memory one."""
from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time

import pytest

from console.attempt_log import DatabaseAttemptLog, MemoryAttemptLog, RedisAttemptLog
from console.login_throttle import FREE_FAILURES, MAX_WAIT, LoginLimits, LoginThrottle
from helpdesk import open_database

QUICK = LoginLimits(free_failures=3, base_wait=1.0, max_wait=4.0, window=60.0)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _throttle_checks(log) -> None:
    clock = Clock()
    throttle = LoginThrottle(log, clock)
    assert throttle.retry_after("owner", "1.2.3.4") == 0
    for _ in range(FREE_FAILURES - 1):
        throttle.failed("owner", "1.2.3.4")
    assert throttle.retry_after("owner", "1.2.3.4") == 0, "a few typos are free"
    throttle.failed("owner", "1.2.3.4")
    assert throttle.retry_after("owner", "5.6.7.8") == 30, "per account: another address waits too"
    assert throttle.retry_after("agent", "1.2.3.4") == 30, "per address: another account waits too"
    assert throttle.retry_after("agent", "5.6.7.8") == 0
    assert throttle.retry_after("OWNER", "5.6.7.8") == 30, "the name's case does not make another account"
    clock.now += 30
    assert throttle.retry_after("owner", "1.2.3.4") == 0, "the wait is over: the owner may try"
    throttle.failed("owner", "1.2.3.4")
    assert throttle.retry_after("owner", "1.2.3.4") == 60, "and it doubles with each failure"
    for _ in range(20):
        throttle.failed("owner", "1.2.3.4")
    assert throttle.retry_after("owner", "1.2.3.4") == MAX_WAIT, "never longer than MAX_WAIT: no lockout"
    throttle.succeeded("owner")
    assert throttle.retry_after("owner", "5.6.7.8") == 0, "a right password forgets the account's failures"
    assert throttle.retry_after("someone", "1.2.3.4") > 0, "but not the address's"
    clock.now += 2 * 3600
    assert throttle.retry_after("someone", "1.2.3.4") == 0, "old failures are forgotten"


def test_the_limit_grows_and_never_locks_in_memory():
    _throttle_checks(MemoryAttemptLog())


def test_the_limit_is_the_same_in_the_helpdesk_database(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'helpdesk.db'}")   # its migrations make the table
    _throttle_checks(DatabaseAttemptLog(db))
    second_instance = LoginThrottle(DatabaseAttemptLog(db), Clock())
    for _ in range(FREE_FAILURES):
        second_instance.failed("laoban", "9.9.9.9")
    assert LoginThrottle(DatabaseAttemptLog(db), Clock()).retry_after("laoban", "1.1.1.1") == 30, \
        "another console instance on the same database sees the failures"


@pytest.fixture
def redis_url(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = next(p for p in range(6850, 6899) if socket.socket().connect_ex(("127.0.0.1", p)) != 0)
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=10)


def test_the_limit_is_the_same_in_redis(redis_url):
    _throttle_checks(RedisAttemptLog(redis_url))


async def _attempt(console, client, user: str, password: str, headers=None):
    token = await console.csrf_of(client, "/owner/login")
    async with client.post("/owner/login", headers=headers or {},
                           data={"csrf_token": token, "username": user, "password": password}) as resp:
        return resp.status, resp.headers.get("Retry-After"), await resp.text()


def _quick(console) -> None:
    console.app.ctx.owner_auth.throttle.limits = QUICK   # the same throttle serves both logins


async def test_a_guesser_gets_429_and_the_owner_gets_in_after_the_wait(console):
    _quick(console)
    client = console.session()
    for _ in range(QUICK.free_failures):
        assert (await _attempt(console, client, "owner", "wrong-guess"))[0] == 401
    status, retry_after, page = await _attempt(console, client, "owner", console.owner_password)
    assert status == 429 and retry_after == "1" and "登录失败次数过多" in page and "1秒后再试" in page, \
        "refused even with the right password while the wait runs"
    status, _, _ = await _attempt(console, console.session(), "owner", "wrong")
    assert status == 429, "a fresh browser (new cookies) is the same account and address"
    resp = await console.login(console.session(), "owner", console.owner_password, area="agent")
    assert resp.status == 429 and resp.headers["Retry-After"], "the agent login shares the limit: no other door"
    await asyncio.sleep(1.1)
    status, _, _ = await _attempt(console, client, "owner", console.owner_password)
    assert status == 200, "after the wait the owner who knows the password gets in"


async def test_a_spoofed_forwarded_address_does_not_escape_the_limit(console):
    """No TRUSTED_PROXIES: X-Forwarded-For is anyone's to write, so it is ignored."""
    _quick(console)
    client = console.session()
    for i in range(QUICK.free_failures):
        status, _, _ = await _attempt(console, client, f"user{i}", "wrong", {"X-Forwarded-For": f"10.0.0.{i}"})
        assert status == 401
    status, _, _ = await _attempt(console, client, "another", "wrong", {"X-Forwarded-For": "10.9.9.9"})
    assert status == 429, "the peer's address is counted, whatever the header says"


async def test_behind_a_trusted_proxy_each_forwarded_client_is_counted_apart(start_console):
    console = await start_console(TRUSTED_PROXIES="127.0.0.0/8")
    _quick(console)
    client = console.session()
    for i in range(QUICK.free_failures):
        status, _, _ = await _attempt(console, client, f"user{i}", "wrong", {"X-Forwarded-For": "203.0.113.7"})
        assert status == 401
    status, _, _ = await _attempt(console, client, "another", "wrong",
                                  {"X-Forwarded-For": "198.51.100.1, 203.0.113.7"})
    assert status == 429, "the right-most untrusted hop is the client: a prefix written by the client is ignored"
    status, _, _ = await _attempt(console, client, "another", "wrong", {"X-Forwarded-For": "198.51.100.2"})
    assert status == 401, "another client behind the same proxy is not held up"
