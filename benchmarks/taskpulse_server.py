"""Taskpulse itself, as `taskpulse serve` builds it, plus benchmark-only control routes.

The control routes (``/bench/*``, see ``benchmarks/control.py``) exist only in this process:
they create throw-away users in an in-memory database and call the real publish path
(``app[PUBLISHER].publish``: event log append + emit to the user's room).
Settings come from ``config/default.toml`` and ``TASKPULSE_*`` variables, as in production.
``python -m benchmarks.taskpulse_server [--port P] [--no-uvloop]``
"""
from __future__ import annotations

import os
import secrets
import tempfile
import uuid

from aiohttp import web

from benchmarks.control import add_control_routes
from benchmarks.payload import EVENT, event_body
from benchmarks.serve import parse_args, run
from taskpulse.app import create_app
from taskpulse.config import load_config
from taskpulse.serving.gc_tuning import freeze_after_startup
from taskpulse.keys import BATCH_READERS, PUBLISHER, RELAY, SIO, TOKENS
from taskpulse.protocol.events import TaskCreated

PASSTHROUGH = ("TASKPULSE_REDIS_URL", "TASKPULSE_SIO_COMPRESSION", "TASKPULSE_SIO_FAST_FANOUT",
               "TASKPULSE_DATABASE_URL")


class BenchTaskCreated(TaskCreated):
    """``task_created`` with the load generator's own fields (its sequence number and send
    time), as the Node peer sends it; built and checked like every published event."""
    seq: int
    t: float


assert BenchTaskCreated.name == EVENT


def make_app() -> web.Application:
    environ = {"TASKPULSE_ENV": "development"}
    environ.update({k: v for k, v in os.environ.items() if k in PASSTHROUGH})
    secret = os.environ.get("BENCH_SECRET") or secrets.token_urlsafe(48)
    config = load_config(environ, database_url=environ.get("TASKPULSE_DATABASE_URL",
                                                           "sqlite://:memory:"),
                         log_level="WARNING", secret_key=secret,
                         var_dir=tempfile.mkdtemp(prefix="taskpulse-bench-"))
    llm = None
    if os.environ.get("BENCH_LLM") == "scripted":   # the agent path, with an instant model
        from benchmarks.scripted_llm import ScriptedLLM
        llm = ScriptedLLM()
        config = config.replace(chat_per_minute=1_000_000, chat_per_day=1_000_000)
    app = create_app(config, llm=llm)
    freeze_after_startup(app)     # as `taskpulse serve` does
    if os.environ.get("BENCH_JSON") == "stdlib":   # ablation only: undo the orjson codec
        import json

        from engineio import packet as eio_packet
        app[SIO].packet_class.json = json
        eio_packet.Packet.json = json
    if config.redis_url:   # a channel of its own, so concurrent test runs never see it
        channel = os.environ.get("BENCH_REDIS_CHANNEL", "taskpulse-bench")
        app[RELAY].channel = app[BATCH_READERS].channel = channel

    async def setup(n: int) -> tuple[list[str], list[str]]:
        from taskpulse.db.models import User
        prefix = os.environ.get("BENCH_USER_PREFIX", "bench")
        users = []
        for i in range(n):
            # The same id on every process (each has a database of its own here): the
            # server refuses a token whose user it does not know.
            email = f"{prefix}{i}@bench.invalid"
            user, _ = await User.get_or_create(email=email, defaults={
                "password_hash": "!", "id": uuid.uuid5(uuid.NAMESPACE_URL, email)})
            users.append(str(user.id))
        return users, [app[TOKENS].issue(u) for u in users]

    publisher = app[PUBLISHER]

    async def emit(user_id: str, n: int) -> None:
        await publisher.publish(user_id, BenchTaskCreated(**event_body(user_id, n)))

    add_control_routes(app, emit, setup)
    return app


if __name__ == "__main__":
    def _extra(parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--no-uvloop", action="store_true")

    args = parse_args(_extra)
    run(make_app, args.port, not args.no_uvloop)
