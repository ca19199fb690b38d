"""Who a request comes from, and whether it came over TLS, believing forwarded headers only from
the proxies the operator listed in TRUSTED_PROXIES (addresses or CIDR networks).

Without that list every `X-Forwarded-For` is ignored: anyone can write the header, and a login
limit keyed on it would be escaped by changing it on every attempt. With it, the client is the
right-most address of the chain that is not itself a trusted proxy."""
from __future__ import annotations

import ipaddress
from typing import Iterable, Optional

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """'10.0.0.0/8, 127.0.0.1 ::1' → networks; ValueError names the entry that is not one."""
    networks = []
    for entry in text.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or network") from None
    return tuple(networks)


def _address(text: str) -> Optional[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


class TrustedProxies:
    def __init__(self, networks: Iterable[Network] = ()) -> None:
        self._networks = tuple(networks)

    def trusts(self, address: str) -> bool:
        ip = _address(address)
        return ip is not None and any(ip in network for network in self._networks)

    @staticmethod
    def peer(request) -> str:
        """The address of the TCP peer (never taken from a header)."""
        return request.conn_info.client_ip if request.conn_info else (request.ip or "?")

    def client_address(self, request) -> str:
        peer = self.peer(request)
        if not self.trusts(peer):
            return peer
        chain = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
        for hop in reversed(chain):
            if not self.trusts(hop):
                return hop if _address(hop) else peer
        return chain[0] if chain else peer

    def is_https(self, request) -> bool:
        """TLS to this app, or to a trusted proxy that says so (X-Forwarded-Proto: https)."""
        if request.transport.get_extra_info("sslcontext"):   # not request.scheme: it may read headers
            return True
        forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        return forwarded == "https" and self.trusts(self.peer(request))
