"""Wiring for several processes (``redis_url`` set); nothing happens without Redis.

``setup_realtime`` already put the event log and the event relay in Redis. Here the
login throttle becomes the shared one, the relay gets the fast fan-out for the packets it
receives (hook ``relay_packets``), and the agent gets its :class:`RunCoordinator`
(cross-process cancel, start lock, heartbeat and dead-process recovery). Call
:func:`setup_scaleout` after the agent is created and before its cleanup context is
added, so the coordinator starts before the agent and stops after it.
"""
from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from taskpulse.agent.coordination import RunCoordinator
from taskpulse.auth.redis_throttle import RedisThrottle
from taskpulse.delivery.redis_log import RedisEventLog
from taskpulse.internals import relay_packets
from taskpulse.keys import (AGENT, CONFIG, COORDINATOR, EVENT_LOG, HOOKS, LOGIN_THROTTLE,
                            OUTBOX, REDIS, RELAY, SIO)
from taskpulse.protocol.events import NAMESPACE


def setup_scaleout(app: web.Application) -> None:
    redis = app.get(REDIS)
    if redis is None:
        return
    config = app[CONFIG]
    app[LOGIN_THROTTLE] = RedisThrottle(redis, config.redis_prefix, config.login_max_failures,
                                        config.login_window_seconds)
    event_log = app[EVENT_LOG]
    if not isinstance(event_log, RedisEventLog):
        raise TypeError("with redis_url set the event log must be in Redis")
    if "relay_packets" in app[HOOKS]:
        app[RELAY].packets = relay_packets.sender(app[SIO], NAMESPACE)
    agent = app[AGENT]
    coordinator = RunCoordinator(redis, config.redis_prefix, agent, app[OUTBOX], event_log,
                                 config.process_heartbeat_seconds)
    app[COORDINATOR] = coordinator
    agent.use_peers(coordinator)
    app[OUTBOX].dead = coordinator.gone      # rows of processes gone on any host
    app.cleanup_ctx.append(_coordinator_ctx)


async def _coordinator_ctx(app: web.Application) -> AsyncIterator[None]:
    coordinator = app[COORDINATOR]
    await coordinator.start()
    await coordinator.sweep()       # runs left by processes that died while none was up
    yield
    await coordinator.stop()
