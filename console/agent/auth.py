"""Agent sessions: a signed HttpOnly SameSite=Strict cookie holding the user name (none before
login) and a nonce; each form carries a CSRF token derived from that nonce."""
from __future__ import annotations

import asyncio
import functools
import hmac
import secrets
from dataclasses import dataclass
from typing import Optional

from sanic.response import redirect

from ..passwords import verify_password
from ..signing import Signer

COOKIE = "agent_session"
_PURPOSE, _CSRF = "agent", "agent-csrf"
MAX_AGE = 12 * 3600       # one working day, then log in again
FAILED_LOGIN_DELAY = 0.5  # seconds: slows password guessing


@dataclass(frozen=True)
class AgentSession:
    user: Optional[str]
    nonce: str


class AgentAuth:
    def __init__(self, signer: Signer, users: dict[str, str], secure: bool) -> None:
        self._signer, self._users, self._secure = signer, users, secure

    def session_of(self, request) -> Optional[AgentSession]:
        data = self._signer.loads(_PURPOSE, request.cookies.get(COOKIE), max_age=MAX_AGE)
        if not data or not isinstance(data.get("n"), str):
            return None
        user = data.get("u")
        return AgentSession(user if user in self._users else None, data["n"])

    @staticmethod
    def new_session(user: Optional[str] = None) -> AgentSession:
        return AgentSession(user, secrets.token_urlsafe(16))

    def set_cookie(self, response, session: AgentSession) -> None:
        response.cookies[COOKIE] = self._signer.dumps(_PURPOSE, {"u": session.user, "n": session.nonce})
        cookie = response.cookies[COOKIE]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = "/agent"
        cookie["max-age"] = MAX_AGE
        cookie["secure"] = self._secure

    def csrf_token(self, session: AgentSession) -> str:
        return self._signer.token(_CSRF, session.nonce)

    def csrf_ok(self, request, session: Optional[AgentSession]) -> bool:
        sent = request.form.get("csrf_token") if request.form else None
        return bool(session and sent) and hmac.compare_digest(sent.encode(), self.csrf_token(session).encode())

    async def check_password(self, user: str, password: str) -> bool:
        ok = await asyncio.to_thread(verify_password, password, self._users.get(user))
        if not ok:
            await asyncio.sleep(FAILED_LOGIN_DELAY)
        return ok


def agent_required(handler):
    """Logged-in agents only; POSTs must also carry the session's CSRF token."""
    @functools.wraps(handler)
    async def wrapped(request, *args, **kwargs):
        ctx = request.app.ctx
        session = ctx.agent_auth.session_of(request)
        if session is None or session.user is None:
            if request.method == "GET":
                return redirect("/agent/login")
            return ctx.templates.render("agent/error.html", status=401, message="请先登录。", session=None)
        if request.method == "POST" and not ctx.agent_auth.csrf_ok(request, session):
            return ctx.templates.render("agent/error.html", status=403,
                                        message="表单已过期，请返回刷新页面后重试。", session=None)
        request.ctx.agent = session
        return await handler(request, *args, **kwargs)
    return wrapped
