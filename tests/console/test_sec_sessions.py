"""Sessions of the agent inbox and the owner console: signed with itsdangerous (a purpose per
cookie, key rotation, timed), passwords in Argon2id with the scrypt hashes of earlier versions
still accepted and upgraded at the next login, cookies HttpOnly + SameSite=Strict (+ Secure
behind TLS), and a session that ends when idle, when too old, and at logout."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets

import pytest
from sanic.response import text

from console.auth import AGENT_AREA, Auth, SessionLimits
from console.login_throttle import LoginThrottle
from console.passwords import hash_password, is_hash, needs_rehash, verify_password
from console.signing import Signer
from helpdesk import Accounts, open_database
from store import CHINA

WEDNESDAY_10 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=CHINA)


def legacy_scrypt_hash(password: str) -> str:
    """A hash as the hand-written scrypt code of earlier versions made it."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2 ** 14, r=8, p=1, dklen=32)
    return f"scrypt$16384$8$1${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


# --- the libraries ------------------------------------------------------------------------------

def test_argon2id_hashes_and_the_old_scrypt_ones_are_checked():
    new, old = hash_password("pw-12345678"), legacy_scrypt_hash("pw-12345678")
    assert new.startswith("$argon2id$") and is_hash(new) and is_hash(old)
    assert verify_password("pw-12345678", new) and verify_password("pw-12345678", old)
    assert not verify_password("pw-1234567", new) and not verify_password("pw-1234567", old)
    assert needs_rehash(old) and not needs_rehash(new)
    assert not is_hash("$argon2id$v=19$broken") and not verify_password("x", "$argon2id$v=19$broken")
    assert not verify_password("x", None)


def test_signed_values_keep_their_purpose_rotate_keys_and_expire():
    clock = Clock()
    old, new = "o" * 40, "n" * 40
    token = Signer(old, clock=clock).dumps("agent", {"u": "xiaomei"})
    assert Signer(old).loads("owner", token) is None, "a value signed for one purpose is refused for another"
    assert Signer(new).loads("agent", token) is None, "another key"
    assert Signer(new, previous=[old]).loads("agent", token) == {"u": "xiaomei"}, "a rotated-out key still reads"
    assert Signer(old).loads("agent", Signer(new, previous=[old]).dumps("agent", {})) is None, "the new key signs"
    rotated = Signer(new, previous=[old], clock=clock)
    assert rotated.token_ok("csrf", "nonce", Signer(old).token("csrf", "nonce"))
    assert not rotated.token_ok("csrf", "other", rotated.token("csrf", "nonce"))
    assert Signer(old, clock=clock).loads("agent", token, max_age=60) is not None
    clock.now += 61
    assert Signer(old, clock=clock).loads("agent", token, max_age=60) is None, "older than max_age"
    assert Signer(old).loads("agent", token[:-2] + "xx") is None and Signer(old).loads("agent", "a.b.c") is None


# --- session expiry (the clock moved) -----------------------------------------------------------

class FakeRequest:
    def __init__(self, cookies: dict) -> None:
        self.cookies = cookies


async def user_of(auth: Auth, cookie: str):
    session = await auth.session_of(FakeRequest({auth.cookie: cookie}))
    return session.user if session else None


@pytest.fixture
def auth_and_clock(tmp_path):
    clock = Clock()
    accounts = Accounts(open_database(f"sqlite:///{tmp_path / 'helpdesk.db'}", zone=CHINA))
    accounts.add("xiaomei", "agent", hash_password("pw-12345678"), WEDNESDAY_10)
    auth = Auth(Signer("s" * 40, clock=clock), accounts, AGENT_AREA, False, LoginThrottle(),
                limits=SessionLimits(idle=600, absolute=3600), clock=clock)
    return auth, clock


async def _cookie(auth: Auth, session) -> str:
    response = text("")
    await auth.set_cookie(response, session)
    return response.cookies[auth.cookie].value


async def test_a_session_ends_after_idle_time_and_after_its_absolute_age(auth_and_clock):
    auth, clock = auth_and_clock
    idle = await _cookie(auth, auth.new_session("xiaomei"))
    clock.now += 601
    assert await user_of(auth, idle) is None, "idle too long"

    session = auth.new_session("xiaomei")
    cookie = await _cookie(auth, session)
    for _ in range(7):   # active every 500 s: each response signs the session again
        clock.now += 500
        assert await user_of(auth, cookie) == "xiaomei"
        cookie = await _cookie(auth, session)
    clock.now += 200     # 3,700 s after the login, 200 s after the last request
    assert await user_of(auth, cookie) is None, "older than the absolute age"


async def test_a_session_ended_at_logout_is_refused_everywhere(auth_and_clock):
    auth, clock = auth_and_clock
    session = auth.new_session("xiaomei")
    cookie = await _cookie(auth, session)
    await auth.end(session)
    assert await user_of(auth, cookie) is None
    other = await _cookie(auth, auth.new_session("xiaomei"))
    assert await user_of(auth, other) == "xiaomei", "other sessions go on"


# --- through the console ------------------------------------------------------------------------

async def _login_response(console, client, area="owner", headers=None):
    token = await console.csrf_of(client, f"/{area}/login")
    async with client.post(f"/{area}/login", allow_redirects=False, headers=headers or {},
                           data={"csrf_token": token, "username": "owner", "password": console.owner_password}) as resp:
        return resp.status, resp.headers.getall("Set-Cookie"), resp.headers


async def test_login_cookies_are_httponly_strict_and_an_untrusted_peer_cannot_claim_tls(console):
    status, cookies, headers = await _login_response(console, console.session(), headers={"X-Forwarded-Proto": "https"})
    assert status == 303
    cookie = next(c for c in cookies if c.startswith("owner_session="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/owner" in cookie
    assert "Secure" not in cookie and "Strict-Transport-Security" not in headers, \
        "plain HTTP from a peer that is not a trusted proxy: its X-Forwarded-Proto is not believed"


async def test_behind_a_trusted_tls_proxy_cookies_are_secure_and_hsts_is_sent(start_console):
    console = await start_console(TRUSTED_PROXIES="127.0.0.1")
    status, cookies, headers = await _login_response(console, console.session(), headers={"X-Forwarded-Proto": "https"})
    cookie = next(c for c in cookies if c.startswith("owner_session="))
    assert status == 303 and "Secure" in cookie and headers["Strict-Transport-Security"].startswith("max-age=")


async def test_logout_ends_the_session_even_for_a_copied_cookie(console):
    owner = await console.owner()
    stolen = console.cookie_header(owner)
    status, path, _ = await console.post_form(owner, "/owner", "/owner/logout", {})
    assert status == 200 and path == "/owner/login"
    thief = console.session()
    async with thief.get("/owner", headers={"Cookie": stolen}, allow_redirects=False) as resp:
        assert resp.status == 302, "the cookie of an ended session no longer opens the console"


async def test_an_old_scrypt_hash_logs_in_and_is_upgraded_to_argon2id(console):
    accounts = console.app.ctx.accounts
    accounts.set_password("owner", legacy_scrypt_hash(console.owner_password), WEDNESDAY_10)
    await console.owner()
    upgraded = accounts.get("owner").password_hash
    assert upgraded.startswith("$argon2id$") and verify_password(console.owner_password, upgraded)
    async with (await console.owner()).get("/owner") as resp:
        assert resp.status == 200, "the upgraded hash opens the console"
