"""Tortoise configuration, the app's database cleanup context and the migration runner."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiohttp import web
from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as migrate_api

from taskpulse.config import Config
from taskpulse.keys import CONFIG

log = logging.getLogger(__name__)

APP_LABEL = "models"


def db_url(config: Config) -> str:
    url = config.database_url
    if url.startswith("postgresql://"):
        url = "postgres://" + url[len("postgresql://"):]
    if url.startswith("sqlite://") and url != "sqlite://:memory:":
        Path(url[len("sqlite://"):]).parent.mkdir(parents=True, exist_ok=True)
    return url


def connection_name(config: Config) -> str:
    """Named after the dialect: Tortoise caches SQL per connection name, so a process that
    uses both SQLite and PostgreSQL (the test suite) must not share one name."""
    return "postgres" if db_url(config).startswith("postgres") else "sqlite"


def tortoise_config(config: Config) -> dict[str, Any]:
    name = connection_name(config)
    return {
        "connections": {name: db_url(config)},
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


async def migrate(config: Config) -> None:
    """Apply every committed migration to the configured database."""
    cfg = tortoise_config(config)
    async with TortoiseContext() as ctx:
        await ctx.init(config=cfg)
        await migrate_api(config=cfg)
        log.info("database is up to date")


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    """Open the database for the app's lifetime; close what ``init`` returned."""
    config = app[CONFIG]
    ctx = await Tortoise.init(config=tortoise_config(config))
    if config.database_url == "sqlite://:memory:":
        await Tortoise.generate_schemas()
    try:
        yield
    finally:
        await ctx.close_connections()
