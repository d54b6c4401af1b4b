"""Every typed application and request key, in one place."""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    import socketio
    from redis.asyncio import Redis

    from taskpulse.agent.api import AgentAPI
    from taskpulse.agent.coordination import RunCoordinator
    from taskpulse.auth.throttle import Throttle
    from taskpulse.auth.tokens import TokenService
    from taskpulse.config import Config
    from taskpulse.llm.base import LLMProvider
    from taskpulse.realtime.emitter import Publisher
    from taskpulse.realtime.eventlog import EventLog
    from taskpulse.tasks.service import TaskService

CONFIG: web.AppKey["Config"] = web.AppKey("config")
TOKENS: web.AppKey["TokenService"] = web.AppKey("tokens")
LOGIN_THROTTLE: web.AppKey["Throttle"] = web.AppKey("login_throttle")
TASKS: web.AppKey["TaskService"] = web.AppKey("tasks")
EVENT_LOG: web.AppKey["EventLog"] = web.AppKey("event_log")
PUBLISHER: web.AppKey["Publisher"] = web.AppKey("publisher")
SIO: web.AppKey["socketio.AsyncServer"] = web.AppKey("sio")
LLM: web.AppKey["LLMProvider"] = web.AppKey("llm")
AGENT: web.AppKey["AgentAPI"] = web.AppKey("agent")
REDIS: web.AppKey["Redis"] = web.AppKey("redis")   # only when redis_url is set
COORDINATOR: web.AppKey["RunCoordinator"] = web.AppKey("run_coordinator")   # same

REQUEST_ID: web.RequestKey[str] = web.RequestKey("request_id")
USER_ID: web.RequestKey[str] = web.RequestKey("user_id")
