"""Builds the Socket.IO server for an app and shuts it down with the app."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import socketio
from aiohttp import web

from taskpulse.config import Config
from taskpulse.keys import CONFIG, EVENT_LOG, PUBLISHER, SIO
from taskpulse.realtime.emitter import Publisher
from taskpulse.realtime.eventlog import EventLog, MemoryEventLog

log = logging.getLogger(__name__)


def create_sio(config: Config) -> socketio.AsyncServer:
    manager = socketio.AsyncRedisManager(config.redis_url) if config.redis_url else None
    return socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=manager,
        cors_allowed_origins=list(config.cors_allowed_origins) or None,
        ping_interval=config.sio_ping_interval,
        ping_timeout=config.sio_ping_timeout,
        max_http_buffer_size=config.sio_max_message_bytes,
        logger=False,
        engineio_logger=False,
    )


def create_event_log(config: Config) -> EventLog:
    return MemoryEventLog(config.event_log_max_events, config.event_log_max_age_seconds)


def setup_realtime(app: web.Application) -> None:
    """Create the server, event log and publisher; attach to the app (no I/O here)."""
    config = app[CONFIG]
    sio = create_sio(config)
    app[SIO] = sio
    app[EVENT_LOG] = create_event_log(config)
    app[PUBLISHER] = Publisher(sio, app[EVENT_LOG])
    sio.attach(app)
    app.on_shutdown.append(_shutdown_sio)
    app.cleanup_ctx.append(_event_log_ctx)


async def _shutdown_sio(app: web.Application) -> None:
    """Runs when the server stops accepting, before it waits for open connections."""
    try:
        await app[SIO].shutdown()
    except Exception:  # shutdown must not mask other cleanup
        log.exception("socket.io shutdown failed")


async def _event_log_ctx(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[EVENT_LOG].close()
