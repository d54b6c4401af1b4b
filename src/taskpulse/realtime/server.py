"""Builds the Socket.IO server for an app and shuts it down with the app."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import socketio
from aiohttp import web

from taskpulse.config import Config
from taskpulse.keys import CONFIG, EVENT_LOG, PUBLISHER, REDIS, SIO
from taskpulse.realtime import codec, fanout, lean
from taskpulse.realtime.emitter import Publisher
from taskpulse.realtime.events import NAMESPACE
from taskpulse.realtime.eventlog import EventLog, MemoryEventLog
from taskpulse.realtime.handshake import OriginPolicy
from taskpulse.realtime.namespace import ChatNamespace
from taskpulse.realtime import redis_manager
from taskpulse.realtime.redis_log import RedisEventLog

log = logging.getLogger(__name__)


def create_sio(config: Config) -> socketio.AsyncServer:
    """The server: same-origin plus configured origins, JSON through orjson."""
    if config.redis_url:    # several processes: see redis_manager
        manager: socketio.AsyncManager | None = redis_manager.create_manager(config)
    else:
        manager = fanout.create_manager("", fast=config.sio_fast_fanout)
    sio = lean.AsyncServer(   # leaner per-connection state (see lean.py)
        async_mode="aiohttp",
        client_manager=manager,
        namespaces=[NAMESPACE],     # only /chat: "/" (no handlers) would accept anyone
        json=codec,
        cors_allowed_origins=OriginPolicy(config.cors_allowed_origins).allows_socket,
        ping_interval=config.sio_ping_interval,
        ping_timeout=config.sio_ping_timeout,
        max_http_buffer_size=config.sio_max_message_bytes,
        logger=False,
        engineio_logger=False,
    )
    fanout.install(sio, compression=config.sio_compression)   # see docs/performance.md
    return sio


def create_event_log(config: Config, redis: Any = None) -> EventLog:
    if redis is not None:
        return RedisEventLog(redis, config.redis_prefix, config.event_log_max_events,
                             config.event_log_max_age_seconds, config.event_log_ttl_seconds)
    return MemoryEventLog(config.event_log_max_events, config.event_log_max_age_seconds,
                          config.event_log_ttl_seconds)


def create_publisher(sio: socketio.AsyncServer, event_log: EventLog) -> Publisher:
    if isinstance(event_log, RedisEventLog):
        return redis_manager.BroadcastPublisher(sio, event_log)
    return Publisher(sio, event_log)


def setup_realtime(app: web.Application) -> None:
    """Create the server, event log and publisher; attach to the app (no I/O here)."""
    config = app[CONFIG]
    sio = create_sio(config)
    app[SIO] = sio
    if config.redis_url:    # one client for the app (the event log closes it)
        import redis.asyncio
        app[REDIS] = redis.asyncio.Redis.from_url(config.redis_url)
    app[EVENT_LOG] = create_event_log(config, app.get(REDIS))
    app[PUBLISHER] = create_publisher(sio, app[EVENT_LOG])
    namespace = ChatNamespace(app, sio)
    sio.register_namespace(namespace)
    sio.attach(app)
    app.on_shutdown.append(_shutdown_sio)
    app.cleanup_ctx.append(_event_log_ctx)


async def _shutdown_sio(app: web.Application) -> None:
    """Runs when the server stops accepting, before it waits for open connections."""
    sio = app[SIO]
    try:
        namespace = sio.namespace_handlers.get(NAMESPACE)
        if isinstance(namespace, ChatNamespace):
            await namespace.close()
        await sio.shutdown()
    except Exception:  # shutdown must not mask other cleanup
        log.exception("socket.io shutdown failed")


async def _event_log_ctx(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[EVENT_LOG].close()
