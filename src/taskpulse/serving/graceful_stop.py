"""``taskpulse serve``: run the app, and stop it gracefully on SIGTERM (or Ctrl-C).

On the first signal:

1. the listening socket closes: no new connections (a balancer sends them elsewhere);
2. the agent refuses new runs (``503 unavailable``);
3. with Redis, every Socket.IO connection is closed at once at the transport level, so its
   client reconnects - to another process - and catches up from the shared log while this
   one finishes its runs (their events reach the clients through Redis);
4. running agent runs get ``shutdown_grace_seconds`` to finish; the rest are stopped and end
   with ``agent_error`` ``interrupted`` (user messages are saved before a run starts);
5. connections still open (without Redis they stay during step 4, so tabs see the runs
   end) are closed the same way, once long-polling tabs have collected what waits for them
   (at most :data:`COLLECT_SECONDS`);
6. aiohttp's own shutdown: open HTTP requests get ``shutdown_timeout`` seconds, then the
   cleanup contexts close the agent, Redis and the database.

A second signal cuts step 4 short. Steps 2-5 run before aiohttp's shutdown because that
stops reading from kept-alive connections, which would leave long-polling clients hanging
instead of noticing that their session is gone.
"""
from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

from aiohttp import web

from taskpulse.keys import AGENT, CONFIG, HOOKS, SIO
from taskpulse.internals.connection_drop import drop_connections, until_collected

log = logging.getLogger(__name__)

COLLECT_SECONDS = 2.0   # step 5: how long long-polling tabs get to collect their last events


async def serve(app: web.Application, host: str, port: int, *, shutdown_timeout: float,
                ready: Callable[[], None]) -> None:
    """Serve ``app`` until SIGTERM/SIGINT, then stop as described above."""
    signals = asyncio.Queue[int]()     # from the start, so a signal is never lost
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, signals.put_nowait, sig)
    runner = web.AppRunner(app, handle_signals=False, access_log=None,
                           shutdown_timeout=shutdown_timeout)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port, backlog=app[CONFIG].listen_backlog)
        await site.start()
        ready()
        received = await signals.get()
        log.info("%s received: stopping", signal.Signals(received).name)
        await site.stop()
        await stop_gracefully(app, hurry=signals)
    finally:
        await runner.cleanup()


async def stop_gracefully(app: web.Application, hurry: asyncio.Queue[int] | None = None
                          ) -> None:
    """Steps 2-5: refuse runs, move clients away, let runs finish or interrupt them."""
    config = app[CONFIG]
    sio = app[SIO]
    quick = "quick_drop" in app[HOOKS]
    agent = app.get(AGENT)
    if agent is not None:
        agent.refuse_new_runs()
    if config.redis_url:
        await drop_connections(sio, "server stopping; other processes take over", quick)
    if agent is not None:
        drain = asyncio.create_task(agent.drain(config.shutdown_grace_seconds))
        waits: set[asyncio.Future[object]] = {drain}  # type: ignore[arg-type]
        if hurry is not None:
            waits.add(asyncio.ensure_future(hurry.get()))
        done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        if drain not in done or not drain.result():
            log.warning("interrupting the agent runs still going")
            await agent.shutdown()
    # The runs' last events may still wait for a long-polling tab's next request.
    await until_collected(sio, COLLECT_SECONDS)
    await drop_connections(sio, "server stopping", quick)
