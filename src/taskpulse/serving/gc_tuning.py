"""Python's cyclic garbage collector, set up for a long-running server.

A full collection walks every tracked object. Right after start-up that is ~100,000
objects (modules, functions, classes, the models, the validation schemas) that will live
as long as the process; on a small machine a full collection then pauses the event loop
for 50-150 ms (measured with ``gc.callbacks`` in the benchmark server), which every
connection sees as latency. ``gc.freeze()`` once start-up is done moves them out of the
collector's sight; objects made later are collected as before (reference counting frees
almost everything anyway). ``taskpulse serve`` and the benchmark server use this.
"""
from __future__ import annotations

import gc
import logging

from aiohttp import web

log = logging.getLogger(__name__)


def freeze_after_startup(app: web.Application) -> None:
    """Freeze what exists once the app's start-up (database, Redis, ...) is done."""
    app.on_startup.append(_freeze)


async def _freeze(app: web.Application) -> None:
    gc.collect()
    gc.freeze()
    log.debug("%d start-up objects frozen for the garbage collector", gc.get_freeze_count())
