"""Every typed application and request key, in one place."""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    import socketio
    from redis.asyncio import Redis

    from taskpulse.agent.api import AgentAPI
    from taskpulse.agent.conversations import Conversations
    from taskpulse.agent.coordination import RunCoordinator
    from taskpulse.auth.throttle import Throttle
    from taskpulse.auth.tokens import TokenService
    from taskpulse.config import Config
    from taskpulse.delivery.batch_readers import BatchReaders
    from taskpulse.delivery.event_log import EventLog
    from taskpulse.delivery.outbox import Outbox
    from taskpulse.llm.base import LLMProvider
    from taskpulse.tasks.service import TaskService
    from taskpulse.web.socket.publishing import Publisher
    from taskpulse.web.socket.redis_relay import RedisRelay

CONFIG: web.AppKey["Config"] = web.AppKey("config")
TOKENS: web.AppKey["TokenService"] = web.AppKey("tokens")
LOGIN_THROTTLE: web.AppKey["Throttle"] = web.AppKey("login_throttle")
TASKS: web.AppKey["TaskService"] = web.AppKey("tasks")
OUTBOX: web.AppKey["Outbox"] = web.AppKey("outbox")
EVENT_LOG: web.AppKey["EventLog"] = web.AppKey("event_log")
PUBLISHER: web.AppKey["Publisher"] = web.AppKey("publisher")
SIO: web.AppKey["socketio.AsyncServer"] = web.AppKey("sio")
HOOKS: web.AppKey[frozenset[str]] = web.AppKey("library_hooks")   # internals.hooks in use
LLM: web.AppKey["LLMProvider"] = web.AppKey("llm")
AGENT: web.AppKey["AgentAPI"] = web.AppKey("agent")
CONVERSATIONS: web.AppKey["Conversations"] = web.AppKey("conversations")
REDIS: web.AppKey["Redis"] = web.AppKey("redis")   # only when redis_url is set
COORDINATOR: web.AppKey["RunCoordinator"] = web.AppKey("run_coordinator")   # same
RELAY: web.AppKey["RedisRelay"] = web.AppKey("redis_relay")   # same
BATCH_READERS: web.AppKey["BatchReaders"] = web.AppKey("batch_readers")   # same

REQUEST_ID: web.RequestKey[str] = web.RequestKey("request_id")
USER_ID: web.RequestKey[str] = web.RequestKey("user_id")
