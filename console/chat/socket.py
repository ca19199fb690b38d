"""Socket.io events of the web chat. The connection is accepted only with a valid shopper
cookie; its conversation is kept in the socket's server-side session and used for every event."""
from __future__ import annotations

import asyncio
import logging
from typing import Optional

import socketio

from .service import ChatService
from .session import ShopperSessions, cookie_from_header

logger = logging.getLogger(__name__)


def socket_manager(redis_url: Optional[str], timeout: float) -> Optional[socketio.AsyncRedisManager]:
    """With REDIS_URL, every console instance publishes its emits on Redis and delivers those of
    the others: an agent's reply sent through instance B reaches the shopper's socket on A.
    Without it (one instance) the rooms stay in this process. An emit is delivered to this
    instance's own sockets before it is published, so a Redis outage costs only the cross-instance
    pushes (pages catch up from the message record when they reconnect); the timeouts keep an
    unreachable Redis from holding up replies."""
    if not redis_url:
        return None
    return socketio.AsyncRedisManager(redis_url, redis_options={
        "socket_connect_timeout": timeout, "socket_timeout": None, "health_check_interval": 30})


async def stop_socket_manager(sio: socketio.AsyncServer) -> None:
    """python-socketio's shutdown leaves the Redis listener running: stop it and its connection."""
    listener = getattr(sio.manager, "thread", None)
    if listener is not None:
        listener.cancel()
        await asyncio.gather(listener, return_exceptions=True)
    redis = getattr(sio.manager, "redis", None)
    if redis is not None:
        await redis.close(close_connection_pool=True)


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
        """{after: last seen id} → the messages the client missed, in order. A page syncs when it
        (re)connects: a message its last console died before answering is answered now."""
        conversation = await conversation_of(sid)
        try:
            missed = await chat.history(conversation, _after(data))
        except Exception:  # the helpdesk database is down: the page asks again on its next connect
            logger.warning("history unavailable for socket %s", sid, exc_info=True)
            return {"ok": False, "error": "unavailable", "hint": chat.busy_text()}
        chat.resume(conversation)
        return {"ok": True, "messages": missed}
