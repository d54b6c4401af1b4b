"""The application factory: wiring only, no I/O (resources open in ``cleanup_ctx``)."""
from __future__ import annotations

import jinja2
import aiohttp_jinja2
from aiohttp import web

from taskpulse.agent.conversations import Conversations
from taskpulse.agent.provider_choice import build_provider, closing_ctx
from taskpulse.agent.service import AgentService, agent_ctx
from taskpulse.auth.throttle import MemoryThrottle
from taskpulse.auth.tokens import TokenService
from taskpulse.config import ROOT, Config
from taskpulse.db.setup import database_ctx
from taskpulse.delivery.outbox import Outbox
from taskpulse.keys import (AGENT, CONFIG, CONVERSATIONS, LLM, LOGIN_THROTTLE, OUTBOX, PUBLISHER,
                            TASKS, TOKENS)
from taskpulse.llm.base import LLMProvider
from taskpulse.processes import gone_of, new_process_id
from taskpulse.serving.outbox_sweep import outbox_ctx
from taskpulse.serving.scaleout import setup_scaleout
from taskpulse.tasks.service import TaskService
from taskpulse.web.errors import error_middleware
from taskpulse.web.response_headers import setup_response_headers
from taskpulse.web.routes import setup_routes, setup_static
from taskpulse.web.socket.server import setup_realtime
from taskpulse.web.tcp_options import handler_args, setup_tcp_options

TEMPLATES_DIR = ROOT / "templates"
STATIC_DIR = ROOT / "static"


def create_app(config: Config, *, llm: LLMProvider | None = None) -> web.Application:
    app = web.Application(middlewares=[error_middleware], client_max_size=config.max_body_bytes,
                          handler_args=handler_args(config))
    app[CONFIG] = config
    app[TOKENS] = TokenService(config.secret_key, config.token_ttl_seconds)
    app[LOGIN_THROTTLE] = MemoryThrottle(config.login_max_failures, config.login_window_seconds)
    app.cleanup_ctx.append(database_ctx)

    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True)
    setup_realtime(app)
    process_id = new_process_id()
    app[OUTBOX] = Outbox(app[PUBLISHER], process_id, gone_of)
    app.cleanup_ctx.append(outbox_ctx)
    app[TASKS] = TaskService(app[OUTBOX])
    if llm is None:     # built here, so closed here; a provider passed in is the caller's
        llm = build_provider(config)
        app.cleanup_ctx.append(closing_ctx(llm))
    app[LLM] = llm
    agent = AgentService(config, llm, app[TASKS], app[PUBLISHER], app[OUTBOX], process_id)
    app[AGENT] = agent
    app[CONVERSATIONS] = Conversations(agent)
    setup_scaleout(app)     # Redis only: shared throttle, runs across processes
    app.cleanup_ctx.append(agent_ctx(agent))

    setup_routes(app)
    setup_static(app, str(STATIC_DIR))
    setup_response_headers(app)
    setup_tcp_options(app)
    return app
