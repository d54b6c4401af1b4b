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
from typing import Any

from aiohttp import web

from benchmarks.control import add_control_routes
from benchmarks.payload import EVENT, event_body
from benchmarks.serve import parse_args, run
from taskpulse.app import create_app
from taskpulse.config import load_config
from taskpulse.serving.gc_tuning import freeze_after_startup
from taskpulse.delivery.outbox import Pending
from taskpulse.keys import BATCH_READERS, PUBLISHER, RELAY, SIO, TASKS, TOKENS
from taskpulse.tasks.service import TaskService
from taskpulse.protocol.events import TaskCreated

PASSTHROUGH = ("TASKPULSE_REDIS_URL", "TASKPULSE_SIO_COMPRESSION", "TASKPULSE_SIO_FAST_FANOUT",
               "TASKPULSE_DATABASE_URL", "TASKPULSE_REDIS_PREFIX")


class BenchTaskCreated(TaskCreated):
    """``task_created`` with the load generator's own fields (its sequence number and send
    time), as the Node peer sends it; built and checked like every published event."""
    seq: int
    t: float


assert BenchTaskCreated.name == EVENT


class DirectEvents:
    """In place of the outbox, for ``benchmarks/task_changes.py`` only: the event is
    published after the commit and nothing is written for it (how task changes were
    published before the outbox; a crash between the two lost the event)."""

    def __init__(self, sink: Any) -> None:
        self.sink = sink

    async def add(self, user_id: str, event: Any) -> Pending:
        return Pending(0, str(user_id), event)

    async def deliver(self, pending: list[Pending]) -> None:
        for item in pending:
            await self.sink.publish(item.user_id, item.event)


def make_app() -> web.Application:
    environ = {"TASKPULSE_ENV": "development"}
    environ.update({k: v for k, v in os.environ.items()       # hooks and options on/off
                    if k in PASSTHROUGH or k.startswith(("TASKPULSE_SIO_", "TASKPULSE_HTTP_"))})
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
    if os.environ.get("BENCH_OUTBOX") == "direct":   # the task change path before the outbox
        app[TASKS] = TaskService(DirectEvents(app[PUBLISHER]))  # type: ignore[arg-type]
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
    _count_openings(app)
    return app


def _count_openings(app: web.Application) -> None:
    """``POST /bench/stats``: how the connections of this process opened their stream —
    catch-ups asked for, answered from the event log (events replayed) or with ``resync``
    (the client reloads over HTTP, from the database) — and the database reads made while
    admitting connections (``db_account_queries``: each asks about the users connecting
    meanwhile, ``db_account_lookups`` users in all). Counted by wrapping, in this process
    only, the event log's ``opening`` and the admission's ``existing_accounts``."""
    from taskpulse.auth import accounts

    stats = {"openings": 0, "catch_ups": 0, "from_log": 0, "replayed": 0, "resync": 0,
             "db_account_queries": 0, "db_account_lookups": 0}
    event_log = app[PUBLISHER].log
    opening, existing = event_log.opening, accounts.existing_accounts

    async def counted_opening(user_id: str, last_id: str | None) -> Any:
        newest, missed = await opening(user_id, last_id)
        stats["openings"] += 1
        if last_id is not None:
            stats["catch_ups"] += 1
            stats["from_log" if missed is not None else "resync"] += 1
            stats["replayed"] += len(missed or ())
        return newest, missed

    async def counted_existing(user_ids: Any) -> set[str]:
        user_ids = list(user_ids)
        stats["db_account_queries"] += 1
        stats["db_account_lookups"] += len(user_ids)
        return await existing(user_ids)

    event_log.opening = counted_opening   # type: ignore[method-assign]
    accounts.existing_accounts = counted_existing   # type: ignore[assignment]

    async def route(request: web.Request) -> web.Response:
        return web.json_response(stats)

    app.router.add_post("/bench/stats", route)


if __name__ == "__main__":
    def _extra(parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--no-uvloop", action="store_true")

    args = parse_args(_extra)
    run(make_app, args.port, not args.no_uvloop)
