"""Logins for the signed-in parts of the console (the agent inbox, the owner console).

A session is a signed HttpOnly SameSite=Strict cookie, one per area (its own name and path),
holding the account name (none before login), a nonce for the CSRF token of every form, and a
stamp of the account's password hash: changing the password ends every other session. Accounts
and roles live in the helpdesk database (`helpdesk.Accounts`); an area admits some roles only
(an agent cannot open the owner console)."""
from __future__ import annotations

import asyncio
import functools
import hmac
import secrets
from dataclasses import dataclass
from typing import Optional

from sanic.response import redirect

from helpdesk import Accounts

from .login_throttle import LoginThrottle
from .passwords import verify_password
from .signing import Signer

MIN_PASSWORD_CHARS = 10


@dataclass(frozen=True)
class Area:
    name: str                # agent | owner: the cookie and the signature purpose
    path: str                # /agent | /owner
    roles: frozenset
    max_age: int             # seconds a login lasts


AGENT_AREA = Area("agent", "/agent", frozenset({"agent", "owner"}), 12 * 3600)  # an owner may answer too
OWNER_AREA = Area("owner", "/owner", frozenset({"owner"}), 8 * 3600)


@dataclass(frozen=True)
class Session:
    user: Optional[str]
    nonce: str
    role: Optional[str] = None

    @property
    def name(self) -> Optional[str]:
        return self.user


class Auth:
    def __init__(self, signer: Signer, accounts: Accounts, area: Area, secure: bool,
                 throttle: LoginThrottle) -> None:
        self._signer, self._accounts, self.area, self._secure = signer, accounts, area, secure
        self._throttle = throttle
        self.cookie = f"{area.name}_session"

    def _stamp(self, password_hash: str) -> str:
        return self._signer.token(f"{self.area.name}-password", password_hash)[:16]

    async def session_of(self, request) -> Optional[Session]:
        data = self._signer.loads(self.area.name, request.cookies.get(self.cookie), max_age=self.area.max_age)
        if not data or not isinstance(data.get("n"), str):
            return None
        user = data.get("u")
        if not isinstance(user, str):
            return Session(None, data["n"])
        account = await asyncio.to_thread(self._accounts.get, user)
        if account is None or account.role not in self.area.roles or data.get("s") != self._stamp(account.password_hash):
            return Session(None, data["n"])
        return Session(user, data["n"], account.role)

    @staticmethod
    def new_session(user: Optional[str] = None) -> Session:
        return Session(user, secrets.token_urlsafe(16))

    async def set_cookie(self, response, session: Session) -> None:
        data = {"u": session.user, "n": session.nonce}
        if session.user:
            account = await asyncio.to_thread(self._accounts.get, session.user)
            data["s"] = self._stamp(account.password_hash) if account else ""
        response.cookies[self.cookie] = self._signer.dumps(self.area.name, data)
        cookie = response.cookies[self.cookie]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = self.area.path
        cookie["max-age"] = self.area.max_age
        cookie["secure"] = self._secure

    def csrf_token(self, session: Session) -> str:
        return self._signer.token(f"{self.area.name}-csrf", session.nonce)

    def csrf_ok(self, request, session: Optional[Session]) -> bool:
        sent = request.form.get("csrf_token") if request.form else None
        return bool(session and sent) and hmac.compare_digest(sent.encode(), self.csrf_token(session).encode())

    async def check_password(self, user: str, password: str, address: str) -> bool:
        """True for a right password of an account this area admits. Waits first when this
        account or address failed recently (see LoginThrottle)."""
        await asyncio.sleep(self._throttle.delay(user, address))
        account = await asyncio.to_thread(self._accounts.get, user)
        stored = account.password_hash if account and account.role in self.area.roles else None
        ok = await asyncio.to_thread(verify_password, password, stored)
        if ok:
            self._throttle.succeeded(user)
        else:
            self._throttle.failed(user, address)
        return ok


def client_address(request) -> str:
    """The address failed logins are counted against (the proxy's forwarded one when trusted)."""
    return request.remote_addr or request.ip or "?"


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
            return await handler(request, *args, **kwargs)
        return wrapped
    return decorate
