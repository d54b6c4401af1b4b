"""Shared fixtures: the app from the real factory, a real server on a port, users."""
from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from taskpulse.app import create_app
from taskpulse.config import Config, load_config
from taskpulse.db.setup import migrate
from tests.web.socket.conformance import event_schema_guard  # noqa: F401  (autouse)
from tests.services import OwnRedis, create_pg_database, drop_pg_database, pause

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
# CI runs the real-time suites a second time on the libraries' stock path:
# TASKPULSE_SIO_LIBRARY_HOOKS=false turns every hook of taskpulse.internals off, and tests
# marked ``hooks`` (they check a hook itself) skip.
HOOKS_OFF = os.environ.get("TASKPULSE_SIO_LIBRARY_HOOKS", "").strip().lower() in (
    "0", "false", "no", "off")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not HOOKS_OFF:
        return
    skip = pytest.mark.skip(reason="checks a library hook; every hook is off in this run")
    for item in items:
        if item.get_closest_marker("hooks"):
            item.add_marker(skip)


@dataclass
class Account:
    user_id: str
    token: str
    email: str
    password: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_config(**overrides: Any) -> Config:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TASKPULSE_", "GROQ_"))}
    env["TASKPULSE_ENV"] = "test"
    env["TASKPULSE_SECRET_KEY"] = TEST_SECRET
    if HOOKS_OFF:
        env["TASKPULSE_SIO_LIBRARY_HOOKS"] = "false"
    return load_config(env, **overrides)


@pytest.fixture(params=["sqlite"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[str]:
    """SQLite by default; modules parametrize with ``postgres`` to run on both."""
    if request.param == "sqlite":
        yield "sqlite://:memory:"
        return
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


@pytest.fixture
async def config(database_url: str, tmp_path: Any) -> Config:
    cfg = make_config(database_url=database_url, var_dir=str(tmp_path / "var"))
    if database_url.startswith("postgres"):
        await migrate(cfg)
    return cfg


@pytest.fixture
def llm() -> Any:
    """The model provider for ``app``: None builds the configured one (offline in tests);
    a module overrides this fixture to use a scripted provider or the fake Groq server."""
    return None


@pytest.fixture
def app(config: Config, llm: Any) -> web.Application:
    return create_app(config, llm=llm)


@pytest.fixture
async def client(aiohttp_client: Any, app: web.Application) -> TestClient:
    return await aiohttp_client(app)


@pytest.fixture
def base_url(client: TestClient) -> str:
    """The real server's URL (``client.server`` listens on a port), e.g. for Socket.IO."""
    return str(client.make_url("")).rstrip("/")


SignUp = Callable[..., Awaitable[Account]]


@pytest.fixture
def signup(client: TestClient) -> SignUp:
    counter = {"n": 0}

    async def make(email: str | None = None, password: str = "correct horse battery") -> Account:
        counter["n"] += 1
        email = email or f"user{counter['n']}@example.com"
        resp = await client.post("/api/auth/signup", json={"email": email, "password": password})
        assert resp.status == 201, await resp.text()
        body = await resp.json()
        return Account(body["user"]["id"], body["token"], email, password)

    return make


@pytest.fixture
async def own_redis(tmp_path: Any) -> AsyncIterator[OwnRedis]:
    """A redis-server of the test's own on a free port, for tests that stop, restart or
    pause it (never the shared one); stopped, and resumed first if paused, at the end."""
    server = await OwnRedis(tmp_path).start()
    yield server
    if server.proc is not None and server.proc.poll() is None:
        pause(server, False)
    server.stop()
