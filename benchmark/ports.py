"""Free local ports for the tools and tests that start servers (bench, soak, faults, fuzz, live tests).

A tool that may run beside others on one machine searches its own range; ports it handed out are
not handed out again by this process, since a server may not have bound its port yet."""
from __future__ import annotations

import socket
from typing import Iterable, Optional

_handed_out: set[int] = set()


def is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(ports: Optional[Iterable[int]] = None, exclude: Iterable[int] = ()) -> int:
    """A port nothing listens on: any the system picks, or the first free one of `ports` that is
    not in `exclude` and was not handed out before (RuntimeError when none is left)."""
    if ports is None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    skipped = set(exclude) | _handed_out
    for port in ports:
        if port not in skipped and is_free(port):
            _handed_out.add(port)
            return port
    raise RuntimeError(f"no free port left in {ports}")


def free_ports(count: int, ports: Iterable[int]) -> list[int]:
    return [free_port(ports) for _ in range(count)]
