"""A dependency that is down is a 503 ``unavailable`` with ``Retry-After`` (a socket ack
says ``unavailable`` too), never a 500; the service recovers by itself when it is back."""
from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg
import pytest
import redis.exceptions
from tortoise.exceptions import DBConnectionError

from taskpulse.outages import dependency_down
from tests.services import PG_DSN, OwnRedis
from tests.web.socket.conftest import Tab


def _caused(outer: Exception, inner: Exception) -> Exception:
    try:
        try:
            raise inner
        except Exception as exc:
            raise outer from exc
    except Exception as exc:
        return exc


@pytest.mark.parametrize("exc, which", [
    (redis.exceptions.ConnectionError("refused"), "redis"),
    (redis.exceptions.TimeoutError("timed out"), "redis"),
    (DBConnectionError("gone"), "database"),
    (ConnectionRefusedError(111, "refused"), "database"),
    (asyncpg.exceptions.CannotConnectNowError("starting"), "database"),
    (_caused(RuntimeError("wrapped"), asyncpg.exceptions.AdminShutdownError("bye")),
     "database"),
    (asyncpg.InternalClientError("cannot switch to state 11; another operation (2) is "
                                 "in progress"), "database"),
    (ValueError("a bug"), None),
    (redis.exceptions.ResponseError("WRONGTYPE"), None),
])
def test_failures_are_told_apart_from_bugs(exc: Exception, which: str | None) -> None:
    assert dependency_down(exc) == which


async def _set_connections(url: str, allowed: bool) -> None:
    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(PG_DSN.replace("postgres://", "postgresql://"))
    try:
        await conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:
            await conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = $1 AND pid <> pg_backend_pid()", name)
    finally:
        await conn.close()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_while_postgresql_refuses_connections_the_api_answers_503_then_recovers(
        client, signup, database_url, caplog) -> None:
    acct = await signup()
    await _set_connections(database_url, allowed=False)
    try:
        with caplog.at_level(logging.WARNING):
            down = await client.get(f"/api/{acct.user_id}/tasks", headers=acct.headers)
            body = await down.json()
        assert down.status == 503 and down.headers["Retry-After"] == "5"
        assert body["error"]["code"] == "unavailable"
        assert body["error"]["dependency"] == "database"
        ours = [r for r in caplog.records if r.name.startswith("taskpulse")]
        assert ours and not any(r.exc_info for r in ours)     # a warning, no traceback
        page = await client.get("/tasks", cookies={"taskpulse_token": acct.token})
        assert page.status == 503
    finally:
        await _set_connections(database_url, allowed=True)
    for _ in range(50):
        again = await client.get(f"/api/{acct.user_id}/tasks", headers=acct.headers)
        if again.status == 200:
            break
        await asyncio.sleep(0.1)
    assert again.status == 200


@pytest.fixture
def config(config: Any, request: pytest.FixtureRequest) -> Any:
    if "own_redis" not in request.fixturenames:
        return config
    own: OwnRedis = request.getfixturevalue("own_redis")
    return config.replace(redis_url=own.url, redis_pool_timeout_seconds=0.5)


async def test_while_redis_is_down_logins_chat_and_health_say_unavailable(
        own_redis, client, signup, base_url) -> None:
    acct = await signup()
    tab = Tab(base_url)
    await tab.connect({"token": acct.token})
    own_redis.stop()
    login = await client.post("/api/auth/login",
                              json={"email": acct.email, "password": acct.password})
    assert login.status == 503 and (await login.json())["error"]["code"] == "unavailable"
    chat = await client.post(f"/api/{acct.user_id}/chat", json={"message": "hello"},
                             headers=acct.headers)
    assert chat.status == 503
    ack = await tab.call("chat_send", {"message": "hello"})
    assert ack["error"]["code"] == "unavailable" and ack["error"]["retry_after"] == 5
    health = await client.get("/healthz")       # still in the balancer: degraded, not down
    body = await health.json()
    assert health.status == 200 and body["status"] == "degraded"
    assert body["dependencies"] == {"database": "ok", "redis": "unavailable"}
    assert body["error"]["code"] == "redis_unavailable"
    await tab.close()
