"""Builds the Socket.IO server for an app and shuts it down with the app (no I/O here).

The server is python-socketio's, with the hooks of ``taskpulse.internals`` that are turned
on (``internals.hooks``); with every hook off it is the stock ``AsyncServer`` with its
default in-process manager. With ``redis_url`` set, the event log lives in Redis and
:class:`RedisRelay` delivers every process's events to this process's connections.
"""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import socketio
from aiohttp import web

from taskpulse.config import Config
from taskpulse.delivery import json_codec
from taskpulse.delivery.batch_readers import BatchReaders
from taskpulse.delivery.event_log import EventLog, MemoryEventLog
from taskpulse.delivery.redis_log import RedisEventLog
from taskpulse.internals import (fanout, hooks, idle_memory, room_index, undecodable_frames,
                                 upgrade_leftovers, websocket_reader)
from taskpulse.internals.connection_drop import drop_connections
from taskpulse.keys import (BATCH_READERS, CONFIG, EVENT_LOG, HOOKS, PUBLISHER, REDIS, RELAY,
                            SIO)
from taskpulse.protocol.events import NAMESPACE
from taskpulse.web.credentials import OriginPolicy
from taskpulse.web.socket.engine_log import EngineLog
from taskpulse.web.socket.namespace import ChatNamespace
from taskpulse.web.socket.packet_guard import PacketGuard
from taskpulse.web.socket.polling_posts import PollingPosts
from taskpulse.web.socket.publishing import BroadcastPublisher, Publisher
from taskpulse.web.socket.redis_relay import RedisRelay

log = logging.getLogger(__name__)


def create_sio(config: Config, active: frozenset[str]) -> socketio.AsyncServer:
    """The server: same-origin plus configured origins, JSON through orjson."""
    manager_class = fanout.FanoutManager if "fast_fanout" in active else socketio.AsyncManager
    if "room_index" in active:
        manager_class = room_index.indexed(manager_class)
    manager = None if manager_class is socketio.AsyncManager else manager_class()
    server_class = (idle_memory.AsyncServer if "lean_connections" in active
                    else socketio.AsyncServer)
    sio = server_class(
        async_mode="aiohttp",
        client_manager=manager,
        namespaces=[NAMESPACE],     # only /chat: "/" (no handlers) would accept anyone
        json=json_codec,
        cors_allowed_origins=OriginPolicy(config.cors_allowed_origins).allows_socket,
        ping_interval=config.sio_ping_interval,
        ping_timeout=config.sio_ping_timeout,
        max_http_buffer_size=config.sio_max_message_bytes,
        logger=False,
        engineio_logger=EngineLog(),    # bad client input: a warning line, no traceback
    )
    if "fast_fanout" in active:
        fanout.install(sio, compression=config.sio_compression)   # docs/performance.md
    guard = PacketGuard(sio.eio).install()  # malformed packets: a warning, not tracebacks
    if "skip_undecodable_frames" in active:
        undecodable_frames.install(sio.eio, guard.undecodable_frame)
    if "lean_upgrades" in active:
        upgrade_leftovers.install(sio.eio)
    if "lean_reader" in active:
        websocket_reader.install(sio.eio)
    return sio


def create_event_log(config: Config) -> EventLog:
    return MemoryEventLog(config.event_log_max_events, config.event_log_max_age_seconds,
                          config.event_log_ttl_seconds)


def create_redis_event_log(config: Config, redis: Any) -> RedisEventLog:
    return RedisEventLog(redis, config.redis_prefix, config.event_log_max_events,
                         config.event_log_max_age_seconds, config.event_log_ttl_seconds)


def create_relay(config: Config, sio: socketio.AsyncServer, quick: bool) -> RedisRelay:
    import redis.asyncio

    async def drop() -> None:
        await drop_connections(sio, "Redis subscription renewed", quick=quick)

    client = redis.asyncio.Redis.from_url(config.redis_url,
                                          client_name=f"{config.redis_prefix}-socketio")
    return RedisRelay(client, f"{config.redis_prefix}:socketio", sio, drop)


def create_redis(config: Config) -> Any:
    """The app's Redis client. Its pool holds ``redis_max_connections``; when every one is
    busy (a storm of reconnecting tabs) a command waits up to ``redis_pool_timeout_seconds``
    for one instead of failing at once."""
    import redis.asyncio
    pool = redis.asyncio.BlockingConnectionPool.from_url(
        config.redis_url, max_connections=config.redis_max_connections,
        timeout=config.redis_pool_timeout_seconds)
    return redis.asyncio.Redis.from_pool(pool)


def setup_realtime(app: web.Application) -> None:
    """Create the server, event log and publisher; attach to the app."""
    config = app[CONFIG]
    active = app[HOOKS] = hooks.active(config)
    sio = app[SIO] = create_sio(config, active)
    if config.redis_url:    # one client for the app (the event log closes it)
        app[REDIS] = create_redis(config)
        relay = app[RELAY] = create_relay(config, sio, "quick_drop" in active)
        event_log = create_redis_event_log(config, app[REDIS])
        app[EVENT_LOG] = event_log
        app[PUBLISHER] = BroadcastPublisher(sio, event_log, relay)
        app[BATCH_READERS] = BatchReaders(app[REDIS], config.redis_prefix, relay.channel,
                                          event_log, relay.subscribed.is_set,
                                          config.process_heartbeat_seconds)
        app.cleanup_ctx.append(_relay_ctx)
    else:
        app[EVENT_LOG] = create_event_log(config)
        app[PUBLISHER] = Publisher(sio, app[EVENT_LOG])
    sio.register_namespace(ChatNamespace(app, sio))
    app.middlewares.append(PollingPosts(sio.eio, config.sio_max_message_bytes).middleware)
    sio.attach(app)
    app.on_shutdown.append(_shutdown_sio)
    app.cleanup_ctx.append(_event_log_ctx)


async def _relay_ctx(app: web.Application) -> AsyncIterator[None]:
    relay, readers = app[RELAY], app[BATCH_READERS]
    relay.start()
    readers.start()
    yield
    await readers.stop()
    await relay.stop()


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
