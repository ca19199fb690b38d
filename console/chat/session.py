"""The shopper's identity: a random conversation id the server issues in a signed HttpOnly
cookie. Every HTTP request and socket event takes the conversation from the verified cookie,
never from what the client sends (see pitfalls: Rasa's socket channel trusts the client)."""
from __future__ import annotations

import secrets
from http.cookies import CookieError, SimpleCookie
from typing import Optional

from ..signing import Signer

COOKIE = "chat_session"
_PURPOSE = "shopper"
MAX_AGE = 30 * 24 * 3600  # the browser keeps the conversation for a month of inactivity


def cookie_from_header(header: str, name: str = COOKIE) -> Optional[str]:
    jar = SimpleCookie()
    try:
        jar.load(header or "")
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


class ShopperSessions:
    def __init__(self, signer: Signer, secure: bool) -> None:
        self._signer, self._secure = signer, secure

    @staticmethod
    def new_conversation() -> str:
        return "web-" + secrets.token_hex(16)

    def conversation_of(self, cookie: Optional[str]) -> Optional[str]:
        data = self._signer.loads(_PURPOSE, cookie)
        conversation = data.get("c") if data else None
        return conversation if isinstance(conversation, str) else None

    def set_cookie(self, response, conversation_id: str) -> None:
        response.cookies[COOKIE] = self._signer.dumps(_PURPOSE, {"c": conversation_id})
        cookie = response.cookies[COOKIE]
        cookie["httponly"] = True
        cookie["samesite"] = "Lax"
        cookie["max-age"] = MAX_AGE
        cookie["secure"] = self._secure
