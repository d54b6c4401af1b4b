"""The outbox sweep runs while the app does (``delivery/outbox.py``): once at start-up,
for what a process that died left behind, then every few seconds."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web

from taskpulse import processes
from taskpulse.keys import OUTBOX


async def outbox_ctx(app: web.Application) -> AsyncIterator[None]:
    outbox = app[OUTBOX]
    processes.started(outbox.process_id)
    sweeping = asyncio.create_task(outbox.keep_sweeping())
    yield
    sweeping.cancel()
    await asyncio.gather(sweeping, return_exceptions=True)
    await outbox.settle()
    processes.stopped(outbox.process_id)
