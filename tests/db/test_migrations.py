"""Committed migrations apply to an empty SQLite file and an empty PostgreSQL database,
the resulting schema works, and the models have no changes missing a migration."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from taskpulse.app import create_app
from taskpulse.config import ROOT, Config
from taskpulse.db.models import Conversation, Message, Task, User
from taskpulse.db.setup import (DatabaseNotReady, database_ctx, migrate, pending_migrations,
                                tortoise_config)
from tests.conftest import TEST_SECRET, make_config
from tests.services import create_pg_database, drop_pg_database

MIGRATIONS = sorted(p.stem for p in (ROOT / "src/taskpulse/db/migrations").glob("0*.py"))


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of an empty database: a new SQLite file (in a folder not yet made) or a
    fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path}/data/new.sqlite3"
        return
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


def cfg_for(url: str, tmp_path: Path) -> Config:
    return make_config(database_url=url, var_dir=str(tmp_path / "var"))


async def use_schema() -> None:
    """Every model can be written, read back, related and cascaded."""
    user = await User.create(email="ann@example.com", name="Ann", password_hash="x")
    task = await Task.create(owner=user, title="t" * 255, description="d" * 2000,
                             priority="high")
    conv = await Conversation.create(owner=user)
    await Message.create(conversation=conv, owner=user, role="user", content="c" * 10000)
    assert (await Task.get(id=task.id)).title == "t" * 255
    assert await Message.filter(conversation=conv).count() == 1
    await user.delete()
    assert await Task.all().count() == 0 and await Message.all().count() == 0


async def test_migrate_applies_every_migration_and_the_schema_works(empty_db, tmp_path):
    config = cfg_for(empty_db, tmp_path)
    applied: list[str] = []
    await migrate(config, progress=applied.append)
    assert applied == [f"applied models.{name}" for name in MIGRATIONS]
    ctx = await Tortoise.init(config=tortoise_config(config))
    try:
        assert await pending_migrations(config) == []
        await use_schema()
    finally:
        await ctx.close_connections()


async def test_migrate_twice_is_a_no_op(empty_db, tmp_path):
    config = cfg_for(empty_db, tmp_path)
    await migrate(config)
    again: list[str] = []
    await migrate(config, progress=again.append)
    assert again == []


def run_cli(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "taskpulse", *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=60, cwd=ROOT)


def cli_env(url: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TASKPULSE_", "GROQ_"))}
    env.update(TASKPULSE_DATABASE_URL=url, TASKPULSE_VAR_DIR=str(tmp_path / "var"),
               TASKPULSE_SECRET_KEY=TEST_SECRET)
    return env


async def test_taskpulse_migrate_command_builds_a_working_schema(empty_db, tmp_path):
    env = cli_env(empty_db, tmp_path)
    result = run_cli("migrate", env=env)
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stdout.splitlines() if line.startswith("applied")] == [
        f"applied models.{name}" for name in MIGRATIONS]
    assert "database is up to date" in result.stdout
    again = run_cli("migrate", env=env)
    assert again.returncode == 0 and "applied" not in again.stdout
    config = cfg_for(empty_db, tmp_path)
    ctx = await Tortoise.init(config=tortoise_config(config))
    try:
        await use_schema()
    finally:
        await ctx.close_connections()


async def test_app_refuses_to_start_on_an_unmigrated_database(empty_db, tmp_path):
    app = create_app(cfg_for(empty_db, tmp_path))
    ctx: Any = database_ctx(app)
    with pytest.raises(DatabaseNotReady, match="taskpulse migrate"):
        await ctx.__anext__()


async def test_models_have_no_changes_missing_a_migration():
    config = tortoise_config(make_config())
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        changes = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    assert changes == [], "models changed without a migration: run `taskpulse makemigrations`"
