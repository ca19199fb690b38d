"""Socket.io events of the web chat. The connection is accepted only with a valid shopper
cookie; its conversation is kept in the socket's server-side session and used for every event.

Every event that asks for an acknowledgement gets one, whatever it carries: a missing, wrong-typed
or out-of-range argument, an unknown event or a client's forged `connect` is refused with
{ok: false, error, hint}; a shopper who sends too much too fast is refused with the owner's
`too_fast` answer and `retry_after` seconds, and the message is not stored (the page resends it).
Any other failure is logged and refused too: a handler never leaves a client waiting."""
from __future__ import annotations

import asyncio
import functools
import logging
from typing import Callable, Optional

import socketio
from socketio import packet as socket_packet

from .. import texts
from .input import message_id, page_size
from .paging import PageRequest, read_page
from .rate_limit import ChatLimits, RateLimiter, whole_seconds
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


class ChatSocketServer(socketio.AsyncServer):
    """python-socketio looks an event's name up in a dict: a packet whose name is a list or an
    object (`42[[1],{}]`), or that has no name (`42[]`), raises inside its task, and the client
    never gets its acknowledgement. Such a packet is refused here, acknowledged when it asks."""

    async def _handle_event(self, eio_sid, namespace, id, data):
        if isinstance(data, list) and data and isinstance(data[0], str):
            return await super()._handle_event(eio_sid, namespace, id, data)
        namespace = namespace or "/"
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
        self.logger.warning("a client's socket.io event without a name was refused (%s)", sid)
        if id is not None and self.manager.is_connected(sid, namespace):
            await self._send_packet(eio_sid, self.packet_class(
                socket_packet.ACK, namespace=namespace, id=id, data=[_refused("bad_request", texts.BAD_REQUEST)]))


def room_of(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


def _refused(error: str, hint: str, **extra) -> dict:
    return {"ok": False, "error": error, "hint": hint, **extra}


def _one_dict(args: tuple) -> Optional[dict]:
    """The event's one argument when it is an object ({...}); None for none, several or another type."""
    return args[0] if len(args) == 1 and isinstance(args[0], dict) else None


def register_socket_events(sio: socketio.AsyncServer, chat: ChatService, sessions: ShopperSessions,
                           limits: ChatLimits, too_fast_text: Callable[[int], str]) -> None:
    """`too_fast_text(seconds)`: the owner's answer to a shopper who sends too fast, read live."""
    per_conversation = RateLimiter(limits.messages_burst, limits.messages_per_minute)
    per_connection = RateLimiter(limits.events_burst, limits.events_per_minute)

    def too_fast(wait: float) -> dict:
        seconds = whole_seconds(wait)
        return _refused("too_fast", too_fast_text(seconds), retry_after=seconds)

    def guarded(handler):
        """Rate-limited per connection; any failure becomes a refusal, never a missing ack."""
        @functools.wraps(handler)
        async def event(sid, *args):
            wait = per_connection.take(sid)
            if wait:
                return too_fast(wait)
            try:
                return await handler(sid, *args)
            except Exception:
                logger.exception("socket event %s of %s failed", handler.__name__, sid)
                return _refused("unavailable", chat.busy_text())
        return event

    @sio.event
    async def connect(sid, *args):
        """socket.io's connect (environ, auth); the same name sent by a client as an event is refused."""
        environ = args[0] if args else None
        if environ is None or environ is not sio.get_environ(sid):
            # A client's own "connect" event, not socket.io's: never let it choose a conversation.
            return _refused("unknown_event", texts.BAD_REQUEST)
        conversation = sessions.conversation_of(cookie_from_header(environ.get("HTTP_COOKIE", "")))
        if conversation is None:
            raise socketio.exceptions.ConnectionRefusedError("unauthorized")
        await sio.save_session(sid, {"conversation": conversation})
        await sio.enter_room(sid, room_of(conversation))

    @sio.event
    async def disconnect(sid, *args):
        """Nothing to do when a socket goes; a client's own "disconnect" event gets its refusal."""
        return _refused("unknown_event", texts.BAD_REQUEST)

    async def conversation_of(sid) -> str:
        return (await sio.get_session(sid))["conversation"]

    @sio.on("send")
    @guarded
    async def send(sid, *args):
        """{text, client_msg_id, payload?} → acknowledgement {ok, message | error, hint}."""
        data = _one_dict(args)
        if data is None:
            return _refused("bad_request", texts.BAD_REQUEST)
        conversation = await conversation_of(sid)
        wait = per_conversation.take(conversation)
        if wait:
            logger.info("conversation %s sends too fast: refused for %.1f s", conversation, wait)
            return too_fast(wait)
        return await chat.receive(conversation, data)

    @sio.on("sync")
    @guarded
    async def sync(sid, *args):
        """{after: last seen id, limit?} → {ok, messages, more}: a page of the messages the client
        missed, in order; with `more` it asks again from the last one. A page syncs when it
        (re)connects: a message its last console died before answering is answered now."""
        data = _one_dict(args)
        if data is None:
            return _refused("bad_request", texts.BAD_REQUEST)
        after = message_id(data.get("after", 0))
        limit = page_size(data.get("limit"), limits.page_default, limits.page_max)
        if after is None or limit is None:
            return _refused("bad_request", texts.BAD_REQUEST)
        conversation = await conversation_of(sid)
        try:
            page = await read_page(chat.messages, conversation, PageRequest(after, None, limit))
        except Exception:  # the helpdesk database is down: the page asks again on its next connect
            logger.warning("history unavailable for socket %s", sid, exc_info=True)
            return _refused("unavailable", chat.busy_text())
        chat.resume(conversation)
        return {"ok": True, **page}

    @guarded
    async def unknown(sid, event, *args):
        return _refused("unknown_event", texts.BAD_REQUEST)

    @sio.on("*")
    async def any_other_event(*args):
        """python-socketio gives a catch-all (event, sid, …), but an event literally named "*"
        reaches it as its own handler: (sid, …)."""
        if args and sio.manager.is_connected(args[0], "/"):
            return await unknown(args[0], "*", *args[1:])
        return await unknown(args[1], args[0], *args[2:])
