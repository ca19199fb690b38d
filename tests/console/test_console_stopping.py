"""A console that is stopping (SIGTERM → Sanic's before_server_stop) refuses new requests and
sockets with 503 while it finishes the shopper messages in flight: a page that reconnects at once
goes to the next start (and syncs there) instead of holding Sanic's graceful shutdown open.
The whole shutdown, with real processes, is measured by scripts/faults/process_kills.py."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.asyncio


async def test_a_stopping_console_refuses_new_requests_and_sockets(console):
    shopper = await console.shopper()
    console.app.ctx.stopping = True   # what the before_server_stop listener sets first
    try:
        async with shopper.get("/health") as resp:
            assert resp.status == 503 and resp.headers["Retry-After"] == "1"
        error = await console.refused_socket(console.cookie_header(shopper))
        assert error == {"error": "stopping"}   # the 503 body, as the socket.io client reports it
    finally:
        console.app.ctx.stopping = False
    async with shopper.get("/health") as resp:
        assert resp.status == 200
