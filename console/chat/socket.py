"""Socket.io events of the web chat. The connection is accepted only with a valid shopper
cookie; its conversation is kept in the socket's server-side session and used for every event."""
from __future__ import annotations

import socketio

from .service import ChatService
from .session import ShopperSessions, cookie_from_header


def room_of(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


def _after(data: object) -> int:
    value = data.get("after") if isinstance(data, dict) else None
    return value if isinstance(value, int) and value >= 0 else 0


def register_socket_events(sio: socketio.AsyncServer, chat: ChatService, sessions: ShopperSessions) -> None:
    @sio.event
    async def connect(sid, environ, auth=None):
        conversation = sessions.conversation_of(cookie_from_header(environ.get("HTTP_COOKIE", "")))
        if conversation is None:
            raise socketio.exceptions.ConnectionRefusedError("unauthorized")
        await sio.save_session(sid, {"conversation": conversation})
        await sio.enter_room(sid, room_of(conversation))

    async def conversation_of(sid) -> str:
        return (await sio.get_session(sid))["conversation"]

    @sio.event
    async def send(sid, data):
        """{text, client_msg_id, payload?} → acknowledgement {ok, message | error, hint}."""
        return await chat.receive(await conversation_of(sid), data)

    @sio.event
    async def sync(sid, data):
        """{after: last seen id} → the messages the client missed, in order."""
        return {"ok": True, "messages": await chat.history(await conversation_of(sid), _after(data))}
