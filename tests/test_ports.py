"""Free ports for the tools and live tests (benchmark/ports.py): a port in use, excluded or handed
out before is never handed out."""
from __future__ import annotations

import socket

import pytest

from benchmark import ports


def test_a_range_gives_each_free_port_once_and_skips_busy_and_excluded_ones():
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    taken = busy.getsockname()[1]
    try:
        window = [taken] + [ports.free_port() for _ in range(3)]
        first = ports.free_port(window, exclude=[window[1]])
        second, third = ports.free_port(window), ports.free_port(window)
        assert (first, second, third) == (window[2], window[1], window[3])
        with pytest.raises(RuntimeError):   # all handed out, or busy
            ports.free_port(window)
    finally:
        busy.close()


def test_without_a_range_the_system_picks_one():
    port = ports.free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
