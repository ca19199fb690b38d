"""A check in front of engine.io's long-polling POSTs. python-engineio answers a client packet it
does not take (an `open`, `ping` or `noop` sent by the client) by closing the socket *and waiting
for the client to collect the close*: the POST hangs until the next poll, or until Sanic's
response timeout answers 503. And a POST to a session engine.io has closed but not yet
forgotten raises KeyError inside it: a 500. Bodies that are not UTF-8, carry more packets than
engine.io decodes, or hold a packet type a client never sends, and posts to a closed session,
are refused here with 400 before engine.io sees them."""
from __future__ import annotations

from sanic.response import text

SOCKET_PATH = "/socket.io/"
SEPARATOR = "\x1e"
MAX_PACKETS = 16          # python-engineio's Payload.max_decode_packets
CLIENT_TYPES = frozenset("1345b")  # close, pong, message, upgrade; b: a binary message (base64)


def bad_polling_body(body: bytes) -> str | None:
    """Why a polling POST body is refused, or None when engine.io may read it."""
    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8"
    packets = decoded.split(SEPARATOR)
    if len(packets) > MAX_PACKETS:
        return f"more than {MAX_PACKETS} packets"
    if any(not packet or packet[0] not in CLIENT_TYPES for packet in packets):
        return "a packet type clients do not send"
    return None


def polling_post_guard(eio):
    """Sanic request middleware for the engine.io server `eio` (the socket.io server's `.eio`)."""

    async def refuse_bad_polling_posts(request):
        if request.method == "POST" and request.path == SOCKET_PATH:
            socket = eio.sockets.get(request.args.get("sid") or "")
            problem = "session closed" if socket is not None and socket.closed else bad_polling_body(request.body or b"")
            if problem:
                return text(f"Bad request: {problem}", status=400)
        return None

    return refuse_bad_polling_posts
