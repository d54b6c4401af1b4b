"""The client's address, also behind reverse proxies (``trusted_proxies``); whether a
request comes from such a proxy (only then are its ``X-Forwarded-*`` headers believed).

With no trusted proxies (the default) the client is the peer of the TCP connection, and
``X-Forwarded-For`` is ignored: anyone can send that header. When the peer is a trusted
proxy, the header is read from the right (each proxy appends the address it received the
request from) and the first entry that is not itself a trusted proxy is the client.
Entries further left were written by the client and are never believed.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from aiohttp import hdrs, web

from taskpulse.keys import CONFIG

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_ADDRESS_CHARS = 100


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """``["10.0.0.1", "192.168.0.0/16", "::1"]`` -> networks; ValueError for a bad entry."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(entries)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:          # "[2001:db8::1]:443"
        text = text[1:text.index("]")]
    elif text.count(":") == 1:                        # "203.0.113.7:51234"
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(text: str, networks: tuple[Network, ...]) -> bool:
    address = _ip(text)
    return address is not None and any(address in net for net in networks)


def from_trusted_proxy(peer: str | None, trusted_proxies: tuple[str, ...]) -> bool:
    """Whether a connection from ``peer`` comes from one of ``trusted_proxies`` (whose
    ``X-Forwarded-*`` headers are believed)."""
    networks = _networks(trusted_proxies)
    return bool(peer and networks) and _trusted(str(peer), networks)


def forwarded_client(peer: str, forwarded_for: Iterable[str],
                     networks: tuple[Network, ...]) -> str:
    """The client address for a connection from ``peer`` carrying these
    ``X-Forwarded-For`` header values (in order), given the trusted proxy networks."""
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            address = _ip(hop)
            return str(address) if address is not None else hop[:MAX_ADDRESS_CHARS]
    # Every hop is a trusted proxy: the leftmost is as far back as the chain goes.
    return str(_ip(hops[0])) if hops else peer


def client_address(request: web.Request) -> str:
    """The address a request comes from (the login throttle's per-address key)."""
    peer = request.remote or "unknown"
    networks = _networks(request.app[CONFIG].trusted_proxies)
    return forwarded_client(peer, request.headers.getall(hdrs.X_FORWARDED_FOR, ()), networks)
