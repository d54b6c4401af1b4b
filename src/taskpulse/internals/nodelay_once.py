"""TCP_NODELAY is set once per connection, by uvloop, not a second time by aiohttp.

uvloop, the event loop ``taskpulse serve`` runs on, turns Nagle's algorithm off for every
TCP transport it makes, and aiohttp's ``BaseProtocol.connection_made`` then does it again
for every connection through ``aiohttp.base_protocol.tcp_nodelay``: the socket object
looked up and a ``setsockopt`` system call, ~5 µs per connection (measured on this
machine). That is paid for every WebSocket, and for every request of a long-polling
client whose network opens a new TCP connection per poll.

Hook ``nodelay_once`` (setting ``http_nodelay_once``). aiohttp has no public way to skip
it: the hook replaces the module-level ``tcp_nodelay`` that ``aiohttp.base_protocol``
calls, once per process, with a function that returns at once for uvloop's TCP transport
and calls aiohttp's own function for anything else: a value of ``False``, a Unix socket,
and asyncio's own loop, which sets the option only on sockets made with
``IPPROTO_TCP`` (a listening socket handed over with protocol 0, as aiohttp's test server
makes, gets none). ``tests/internals/test_nodelay_once.py`` checks on real servers that
accepted connections have TCP_NODELAY on either way. :func:`contract` lists what it needs
of the libraries.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from aiohttp import base_protocol

_installed: dict[str, Callable[..., Any]] = {}


def loop_transports() -> tuple[type, ...]:
    """The transport classes whose loop sets TCP_NODELAY on every TCP connection."""
    try:
        import uvloop.loop
    except ImportError:      # pragma: no cover - uvloop is a dependency
        return ()
    tcp = getattr(uvloop.loop, "TCPTransport", None)
    return (tcp,) if isinstance(tcp, type) else ()


def install() -> None:
    """Replace ``aiohttp.base_protocol.tcp_nodelay`` (once per process)."""
    if "tcp_nodelay" in _installed:
        return
    original = base_protocol.tcp_nodelay
    _installed["tcp_nodelay"] = original
    already_set = frozenset(loop_transports())

    def tcp_nodelay(transport: Any, value: bool) -> None:
        if value and type(transport) in already_set:
            return
        original(transport, value)

    base_protocol.tcp_nodelay = tcp_nodelay   # type: ignore[assignment]


def uninstall() -> None:
    """Put aiohttp's own function back (tests)."""
    original = _installed.pop("tcp_nodelay", None)
    if original is not None:
        base_protocol.tcp_nodelay = original   # type: ignore[assignment]


def contract() -> list[str]:
    """What this hook needs of the installed libraries that is missing (empty: all there)."""
    problems = []
    if not callable(getattr(base_protocol, "tcp_nodelay", None)):
        problems.append("aiohttp.base_protocol.tcp_nodelay is gone")
    source = inspect.getsource(base_protocol.BaseProtocol.connection_made)
    if "tcp_nodelay(" not in source:
        problems.append("aiohttp's BaseProtocol.connection_made no longer calls tcp_nodelay")
    if not loop_transports():
        problems.append("uvloop's TCPTransport is gone")
    return problems
