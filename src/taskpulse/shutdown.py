"""Graceful stop (SIGTERM or Ctrl-C on ``taskpulse serve``).

aiohttp first closes the listening socket (no new connections; a balancer sends new ones
to the other processes), then runs the ``on_shutdown`` handlers, of which
:func:`graceful_shutdown` is the first:

1. the agent refuses new runs (``503 unavailable``);
2. with Redis, every Socket.IO connection is closed right away at the transport level,
   so clients reconnect - to another process - and catch up from the shared log while
   this one finishes its runs (their events reach them through Redis);
3. running agent runs get ``shutdown_grace_seconds`` to finish; the rest are stopped and
   end with ``agent_error`` ``interrupted`` (their user messages are already saved);
4. connections still open (in-process mode keeps them during step 3, so tabs see the
   runs end) are closed the same way.

Then aiohttp waits for open requests (``shutdown_timeout``) and runs the cleanup contexts.
"""
from __future__ import annotations

import logging

from aiohttp import web

from taskpulse.agent.service import AgentService
from taskpulse.keys import AGENT, CONFIG, SIO
from taskpulse.realtime.reconnect import drop_connections

log = logging.getLogger(__name__)


def setup_shutdown(app: web.Application) -> None:
    """Register :func:`graceful_shutdown` to run before every other shutdown handler."""
    app.on_shutdown.insert(0, graceful_shutdown)


async def graceful_shutdown(app: web.Application) -> None:
    config = app[CONFIG]
    sio = app[SIO]
    agent = app.get(AGENT)
    log.info("stopping: no new connections or runs")
    if isinstance(agent, AgentService):
        agent.refuse_new_runs()
    if config.redis_url:
        await drop_connections(sio, "server stopping; other processes take over")
    if isinstance(agent, AgentService):
        finished = await agent.drain(config.shutdown_grace_seconds)
        if not finished:
            log.warning("agent runs still going after %ss; interrupting them",
                        config.shutdown_grace_seconds)
            await agent.shutdown()
    await drop_connections(sio, "server stopping")
