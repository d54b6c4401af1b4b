"""The hooks into library internals, each with its setting and its contract.

Every hook can be turned off by its own setting, and all of them at once by
``sio_library_hooks = false`` (``TASKPULSE_SIO_LIBRARY_HOOKS=false``): the server then runs
on python-socketio's and python-engineio's stock classes, which is how a library upgrade
can ship before its hooks are updated. A hook whose contract fails against the installed
libraries is turned off at start-up with an error in the log, never used half-broken.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from taskpulse.internals import (connection_drop, fanout, idle_memory, nodelay_once,
                                 parse_errors, relay_packets, room_index,
                                 undecodable_frames, upgrade_leftovers, websocket_reader)

if TYPE_CHECKING:
    from taskpulse.config import Config

log = logging.getLogger(__name__)

MASTER_SETTING = "sio_library_hooks"


@dataclass(frozen=True)
class Hook:
    name: str
    setting: str
    what: str
    contract: Callable[[], list[str]]


HOOKS = (
    Hook("fast_fanout", "sio_fast_fanout",
         "room emits encoded once, the same WebSocket frame written to every idle tab",
         fanout.contract),
    Hook("lean_connections", "sio_lean_connections",
         "less memory per idle connection: queues, ping timers, poll, kept environ",
         idle_memory.contract),
    Hook("lean_upgrades", "sio_lean_upgrades",
         "less memory per WebSocket: the upgrade request's headers, the response's "
         "headers and the HTTP parser are released once the WebSocket is open",
         upgrade_leftovers.contract),
    Hook("lean_reader", "sio_lean_reader",
         "less memory per WebSocket: frames awaited directly, no task and wait_for each",
         websocket_reader.contract),
    Hook("room_index", "sio_room_index",
         "a disconnect leaves the connection's own rooms without scanning every room",
         room_index.contract),
    Hook("quick_drop", "sio_quick_drop",
         "connections dropped on purpose close at once, so clients reconnect at once",
         connection_drop.contract),
    Hook("skip_undecodable_frames", "sio_skip_undecodable_frames",
         "a WebSocket frame that is no Engine.IO packet counts as a malformed packet "
         "instead of ending the connection with a traceback",
         undecodable_frames.contract),
    Hook("relay_packets", "sio_relay_packets",
         "events from Redis are written to the tabs as the Socket.IO packets they came as, "
         "not decoded and encoded again (needs fast_fanout)",
         relay_packets.contract),
    Hook("json_parse_errors", "http_json_parse_errors",
         "a request aiohttp cannot parse gets a JSON 4xx that quotes nothing of it",
         parse_errors.contract),
    Hook("nodelay_once", "http_nodelay_once",
         "TCP_NODELAY is set by the event loop when a connection is accepted, not a second "
         "time by aiohttp", nodelay_once.contract),
)


_checked: dict[str, list[str]] = {}    # contract problems by hook, once per process


def broken(hook: Hook) -> list[str]:
    """The hook's contract problems, each naming the hook."""
    try:
        problems = hook.contract()
    except Exception as exc:    # the contract itself tripped over a changed library
        problems = [f"contract check raised {exc!r}"]
    return [f"hook {hook.name}: {problem}" for problem in problems]


def active(config: "Config") -> frozenset[str]:
    """The hooks to use: turned on, and with their contract met."""
    if not getattr(config, MASTER_SETTING):
        return frozenset()
    names = set()
    for hook in HOOKS:
        if not getattr(config, hook.setting):
            continue
        if hook.name not in _checked:
            _checked[hook.name] = broken(hook)
        problems = _checked[hook.name]
        if problems:
            for problem in problems:
                log.error("%s; running without it", problem)
            continue
        names.add(hook.name)
    return frozenset(names)
