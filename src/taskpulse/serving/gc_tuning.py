"""Python's cyclic garbage collector, set up for a long-running server.

A full collection walks every tracked object. Right after start-up that is ~100,000
objects (modules, functions, classes, the models, the validation schemas) that will live
as long as the process; on a small machine a full collection then pauses the event loop
for 50-150 ms (measured with ``gc.callbacks`` in the benchmark server), which every
connection sees as latency. ``gc.freeze()`` once start-up is done moves them out of the
collector's sight; objects made later are collected as before (reference counting frees
almost everything anyway). ``taskpulse serve`` and the benchmark server use this.

A full collection is also considered only after 1,000 collections of the middle
generation instead of Python's 10 (``gc.set_threshold(700, 10, 1000)``): while thousands
of clients connect, each connection's objects survive the young collections, and the
default made 10-13 full collections while 10,000 clients connected (1.4-1.5 s of them,
pauses up to 0.5 s); a threshold of 100 made one or two (0.4-0.55 s), 1,000 makes none
(docs/performance.md, "Seventh round" and "Tenth round"). Cyclic garbage that outlives
the young generations waits longer to be freed. With the hook ``fast_fanout`` on, a
closed connection leaves none (``internals/closed_websockets.py``; and
``idle_memory.LeanSocket`` for ``lean_connections``): reference counting frees it, as it
frees almost everything else at once. Without it (the stock path) every closed WebSocket
is a cycle of ~49 objects, and full collections stay at every 100 middle ones.
"""
from __future__ import annotations

import gc
import logging

from aiohttp import web

from taskpulse.keys import HOOKS

log = logging.getLogger(__name__)


def freeze_after_startup(app: web.Application) -> None:
    """Freeze what exists once the app's start-up (database, Redis, ...) is done."""
    app.on_startup.append(_freeze)


FULL_AFTER_MIDDLE = 1000     # Python's default: 10
FULL_AFTER_MIDDLE_STOCK = 100    # closed WebSockets left as cyclic garbage (hooks off)


async def _freeze(app: web.Application) -> None:
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    freed_at_close = "fast_fanout" in app.get(HOOKS, frozenset())
    gc.set_threshold(young, middle,
                     FULL_AFTER_MIDDLE if freed_at_close else FULL_AFTER_MIDDLE_STOCK)
    log.debug("%d start-up objects frozen for the garbage collector", gc.get_freeze_count())
