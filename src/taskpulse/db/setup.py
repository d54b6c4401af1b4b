"""Tortoise configuration, the app's database cleanup context and the migration runner."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as migrate_api
from tortoise.migrations.autodetector import MigrationAutodetector
from tortoise.migrations.executor import MigrationExecutor
from tortoise.migrations.writer import format_migration_name

from taskpulse.config import Config
from taskpulse.keys import CONFIG

log = logging.getLogger(__name__)

APP_LABEL = "models"
MEMORY_URL = "sqlite://:memory:"


class DatabaseNotReady(RuntimeError):
    """The database cannot be used as it is (e.g. migrations are missing)."""


def db_url(config: Config) -> str:
    """The Tortoise URL for the configured database (``postgresql://`` accepted too)."""
    url = config.database_url
    if url.startswith("postgresql://"):
        url = "postgres://" + url[len("postgresql://"):]
    return url


def sqlite_path(config: Config) -> Path | None:
    """The SQLite file, or None for PostgreSQL and the in-memory database."""
    url = db_url(config)
    if not url.startswith("sqlite://") or url == MEMORY_URL:
        return None
    return Path(url[len("sqlite://"):].split("?", 1)[0])


def _ensure_sqlite_dir(config: Config) -> None:
    path = sqlite_path(config)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


def connection_name(config: Config) -> str:
    """Named after the dialect: Tortoise caches SQL per connection name, so a process that
    uses both SQLite and PostgreSQL (the test suite) must not share one name."""
    return "postgres" if db_url(config).startswith("postgres") else "sqlite"


async def _keep_session(connection: object) -> None:
    """asyncpg's pool reset, minus the round trip.

    By default asyncpg sends ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL`` every time a connection goes back to the pool — for Tortoise, after every
    statement outside a transaction, doubling the round trips. Taskpulse never sets
    session state (no ``SET``, ``LISTEN``, advisory locks or cursors), and asyncpg still
    rolls back a transaction left open before calling this, so there is nothing to reset.
    """


def _connection(config: Config) -> str | dict[str, Any]:
    url = db_url(config)
    if not url.startswith("postgres"):
        return url
    settings = expand_db_url(url)
    settings["credentials"]["reset"] = _keep_session
    return settings


def tortoise_config(config: Config) -> dict[str, Any]:
    name = connection_name(config)
    return {
        "connections": {name: _connection(config)},
        "apps": {
            APP_LABEL: {
                "models": ["taskpulse.db.models"],
                "default_connection": name,
                "migrations": "taskpulse.db.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def migrate(config: Config,
                  progress: Callable[[str], object] | None = None) -> None:
    """Apply every committed migration to the configured database (a no-op when current).

    ``progress`` (default: the log) receives one line per applied migration, such as
    ``applied models.0001_initial``.
    """
    _ensure_sqlite_dir(config)
    cfg = tortoise_config(config)
    say = progress or (lambda line: log.info("%s", line))

    def report(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            say(f"applied {app_label}.{name}")

    async with TortoiseContext() as ctx:
        await ctx.init(config=cfg)
        await migrate_api(config=cfg, progress=report)


async def make_migrations(config: Config, name: str | None = None) -> list[str]:
    """Write a migration for model changes not yet covered; return the new files' paths.

    For developers changing ``db/models.py`` (``taskpulse makemigrations``); the database is
    not touched.
    """
    cfg = tortoise_config(config)
    async with TortoiseContext() as ctx:
        await ctx.init(config=cfg)
        assert ctx.apps is not None
        writers = await MigrationAutodetector(ctx.apps, cfg["apps"]).changes()
    paths = []
    for writer in writers:
        if name:
            writer.name = format_migration_name(int(writer.name.split("_", 1)[0]), name)
        paths.append(str(writer.write()))
    return paths


async def pending_migrations(config: Config) -> list[str]:
    """Names of the committed migrations not yet applied (needs an initialised Tortoise)."""
    app_config = tortoise_config(config)["apps"]
    executor = MigrationExecutor(connections.get(connection_name(config)), app_config)
    steps = await executor.plan()
    return [f"{s.migration.app_label}.{s.migration.name}" for s in steps if not s.backward]


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    """Open the database for the app's lifetime; close what ``init`` returned.

    The in-memory database (tests) gets its schema generated; any other database must have
    every migration applied, or the server refuses to start with a clear message.
    """
    config = app[CONFIG]
    _ensure_sqlite_dir(config)
    ctx = await Tortoise.init(config=tortoise_config(config))
    try:
        if config.database_url == MEMORY_URL:
            await Tortoise.generate_schemas()
        else:
            missing = await pending_migrations(config)
            if missing:
                raise DatabaseNotReady(
                    f"the database lacks {len(missing)} migration(s) ({', '.join(missing)}); "
                    "run `taskpulse migrate` (or `make migrate`) first")
        yield
    finally:
        await ctx.close_connections()
