"""Logins for the signed-in parts of the console (the agent inbox, the owner console).

A session is a signed (itsdangerous, console/signing.py) HttpOnly SameSite=Strict cookie, one per
area (its own name and path), holding the account name (none before login), a nonce for the CSRF
token of every form, a stamp of the account's password hash (changing the password ends every
other session) and the login time. It ends after `idle` seconds without a request (each signed-in
response signs it again), `absolute` seconds after the login whatever the activity, and at logout
(its nonce is recorded as ended, in the store every console instance shares). `Secure` in
production or when the request came over TLS (through a trusted proxy). Accounts and roles live
in the helpdesk database (`helpdesk.Accounts`); an area admits some roles only (an agent cannot
open the owner console)."""
from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Callable, Optional

from sanic.response import redirect

from helpdesk import Accounts

from .attempt_log import AttemptLog, MemoryAttemptLog
from .login_throttle import LoginThrottle
from .passwords import hash_password, needs_rehash, verify_password
from .signing import Signer
from .trusted_proxies import TrustedProxies

logger = logging.getLogger(__name__)
MIN_PASSWORD_CHARS = 10
IDLE_SECONDS = 60 * 60            # defaults; CONSOLE_SESSION_IDLE_MINUTES / _MAX_HOURS set them
ABSOLUTE_SECONDS = 12 * 3600


@dataclass(frozen=True)
class Area:
    name: str                # agent | owner: the cookie and the signature purpose
    path: str                # /agent | /owner
    roles: frozenset


AGENT_AREA = Area("agent", "/agent", frozenset({"agent", "owner"}))  # an owner may answer too
OWNER_AREA = Area("owner", "/owner", frozenset({"owner"}))


@dataclass(frozen=True)
class SessionLimits:
    idle: float = IDLE_SECONDS         # no request for this long: log in again
    absolute: float = ABSOLUTE_SECONDS  # since the login, whatever the activity


@dataclass(frozen=True)
class Session:
    user: Optional[str]
    nonce: str
    role: Optional[str] = None
    stamp: str = ""                   # of the password hash the session was opened with
    since: float = 0.0                # login time (Unix)

    @property
    def name(self) -> Optional[str]:
        return self.user


class Auth:
    def __init__(self, signer: Signer, accounts: Accounts, area: Area, secure: bool,
                 throttle: LoginThrottle, *, limits: SessionLimits = SessionLimits(),
                 ended: Optional[AttemptLog] = None, proxies: TrustedProxies = TrustedProxies(),
                 clock: Callable[[], float] = time.time) -> None:
        self._signer, self._accounts, self.area, self._secure = signer, accounts, area, secure
        self.throttle, self.limits, self._clock = throttle, limits, clock
        self._ended = ended or MemoryAttemptLog()
        self.proxies = proxies
        self.cookie = f"{area.name}_session"

    def _stamp(self, password_hash: str) -> str:
        return self._signer.token(f"{self.area.name}-password", password_hash)[:16]

    async def session_of(self, request) -> Optional[Session]:
        data = self._signer.loads(self.area.name, request.cookies.get(self.cookie), max_age=self.limits.idle)
        if not data or not isinstance(data.get("n"), str):
            return None
        nonce, user, since = data["n"], data.get("u"), data.get("t")
        if not isinstance(user, str):
            return Session(None, nonce)
        if not isinstance(since, (int, float)) or self._clock() - since > self.limits.absolute \
                or await self._was_ended(nonce, since):
            return Session(None, nonce)
        account = await asyncio.to_thread(self._accounts.get, user)
        if account is None or account.role not in self.area.roles or data.get("s") != self._stamp(account.password_hash):
            return Session(None, nonce)
        return Session(user, nonce, account.role, data["s"], since)

    async def _was_ended(self, nonce: str, since: float) -> bool:
        count, _ = await asyncio.to_thread(self._ended.since, f"ended:{nonce}", since)
        return count > 0

    async def end(self, session: Session) -> None:
        """Logout: this session's cookie is refused from now on, by every instance."""
        await asyncio.to_thread(self._ended.add, f"ended:{session.nonce}", self._clock(), self.limits.absolute)

    def new_session(self, user: Optional[str] = None) -> Session:
        return Session(user, secrets.token_urlsafe(16), since=self._clock() if user else 0.0)

    async def set_cookie(self, response, session: Session, request=None) -> None:
        """Signs the session into the response (again: its idle time starts over)."""
        data = {"u": session.user, "n": session.nonce}
        if session.user:
            data["s"] = session.stamp or await self._current_stamp(session.user)
            data["t"] = session.since or self._clock()
        response.cookies[self.cookie] = self._signer.dumps(self.area.name, data)
        cookie = response.cookies[self.cookie]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = self.area.path
        cookie["max-age"] = int(self.limits.absolute)
        cookie["secure"] = self._secure or (request is not None and self.proxies.is_https(request))

    async def _current_stamp(self, user: str) -> str:
        account = await asyncio.to_thread(self._accounts.get, user)
        return self._stamp(account.password_hash) if account else ""

    def csrf_token(self, session: Session) -> str:
        return self._signer.token(f"{self.area.name}-csrf", session.nonce)

    def csrf_ok(self, request, session: Optional[Session]) -> bool:
        sent = request.form.get("csrf_token") if request.form else None
        return bool(session and sent) and self._signer.token_ok(f"{self.area.name}-csrf", session.nonce, sent)

    def retry_after(self, user: str, request) -> float:
        """Seconds this login attempt must wait (0: check the password). See LoginThrottle."""
        return self.throttle.retry_after(user, self.proxies.client_address(request))

    async def check_password(self, user: str, password: str, request) -> bool:
        """True for a right password of an account this area admits. A right password kept in
        an older hash (scrypt of earlier versions) is hashed again with Argon2id."""
        account = await asyncio.to_thread(self._accounts.get, user)
        stored = account.password_hash if account and account.role in self.area.roles else None
        ok = await asyncio.to_thread(verify_password, password, stored)
        if not ok:
            await asyncio.to_thread(self.throttle.failed, user, self.proxies.client_address(request))
            return False
        await asyncio.to_thread(self.throttle.succeeded, user)
        if needs_rehash(stored):
            await asyncio.to_thread(self._rehash, user, password)
        return True

    def _rehash(self, user: str, password: str) -> None:
        now = dt.datetime.fromtimestamp(self._clock(), dt.timezone.utc)
        self._accounts.set_password(user, hash_password(password), now)
        logger.info("the password hash of account %r was upgraded to Argon2id", user)


def login_required(auth_of, login_path: str, refuse):
    """Logged-in accounts of the area only; POSTs must also carry the session's CSRF token.
    `refuse(request, status, message)` renders the area's error page."""
    def decorate(handler):
        @functools.wraps(handler)
        async def wrapped(request, *args, **kwargs):
            auth = auth_of(request)
            session = await auth.session_of(request)
            if session is None or session.user is None:
                if request.method == "GET":
                    return redirect(login_path)
                return refuse(request, 401, "请先登录。")
            if request.method == "POST" and not auth.csrf_ok(request, session):
                return refuse(request, 403, "表单已过期，请返回刷新页面后重试。")
            request.ctx.session = session
            response = await handler(request, *args, **kwargs)
            if response is not None and auth.cookie not in response.cookies:
                await auth.set_cookie(response, session, request)  # activity: the idle time starts over
            return response
        return wrapped
    return decorate
