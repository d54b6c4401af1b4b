"""``GET /healthz``: ok only when every dependency answers, naming the ones that do not."""
from __future__ import annotations

import logging

import pytest

from tests.services import drop_pg_database


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_healthz_is_ok_when_the_database_answers(client):
    resp = await client.get("/healthz")
    assert resp.status == 200
    assert await resp.json() == {"status": "ok", "dependencies": {"database": "ok"}}


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_healthz_is_503_json_when_the_database_is_gone(client, database_url, caplog):
    await drop_pg_database(database_url)          # terminates the app's connections too
    with caplog.at_level(logging.WARNING):
        resp = await client.get("/healthz")
    assert resp.status == 503 and resp.headers["Retry-After"] == "5"
    body = await resp.json()
    assert body["status"] == "error"
    assert body["error"]["code"] == "database_unavailable"
    assert body["dependencies"] == {"database": "unavailable"}
    assert "database unreachable" in caplog.text
