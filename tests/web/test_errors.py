"""The JSON error contract of /api: 404, 405, unexpected errors, request ids."""
from __future__ import annotations

import logging
import re

import pytest

from tests.web.api_helpers import error_of


@pytest.mark.parametrize("path", ["/api/nothing", "/api/auth/nope", "/api/a/b/c/d/e"])
async def test_unknown_api_path_is_404_json(client, path):
    error = await error_of(await client.get(path), 404)
    assert error["code"] == "not_found"


async def test_wrong_method_is_405_json_with_allow(client, signup):
    acct = await signup()
    resp = await client.delete("/api/auth/me")
    error = await error_of(resp, 405)
    assert error["code"] == "method_not_allowed"
    assert "GET" in resp.headers["Allow"]
    resp = await client.post(f"/api/{acct.user_id}/tasks/x/complete", headers=acct.headers)
    await error_of(resp, 405)
    assert resp.headers["Allow"] == "PATCH"


async def test_every_response_carries_a_request_id(client):
    resp = await client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", resp.headers["X-Request-Id"])
    resp = await client.get("/api/nothing")
    assert re.fullmatch(r"[0-9a-f]{32}", resp.headers["X-Request-Id"])


async def test_a_sane_client_request_id_is_echoed_and_a_bad_one_replaced(client):
    resp = await client.get("/healthz", headers={"X-Request-Id": "abc-123.x"})
    assert resp.headers["X-Request-Id"] == "abc-123.x"
    resp = await client.get("/healthz", headers={"X-Request-Id": "bad id <script>"})
    assert resp.headers["X-Request-Id"] != "bad id <script>"


@pytest.fixture
def app(app):
    async def boom(request):
        raise RuntimeError("secret internal detail")

    app.router.add_get("/api/test-boom", boom)
    return app


async def test_unexpected_error_is_a_generic_500_logged_with_the_request_id(client, caplog):
    with caplog.at_level(logging.ERROR, logger="taskpulse.web.errors"):
        resp = await client.get("/api/test-boom", headers={"X-Request-Id": "req-42"})
    error = await error_of(resp, 500)
    assert error == {"code": "internal", "message": "Something went wrong on our side.",
                     "request_id": "req-42"}
    assert "secret internal detail" not in await resp.text()
    record = next(r for r in caplog.records if "req-42" in r.getMessage())
    assert record.exc_info and "secret internal detail" in str(record.exc_info[1])


async def test_deeply_nested_json_is_a_clear_error_not_a_server_error(client, signup):
    acct = await signup()
    depth = 1000            # within orjson's nesting limit, deeper than Python's recursion
    body = '{"title": "x", "description": ' + "[" * depth + '"a\\u0000b"' + "]" * depth + "}"
    resp = await client.post(f"/api/{acct.user_id}/tasks", data=body, headers={
        **acct.headers, "Content-Type": "application/json"})
    error = await error_of(resp, 422)
    assert error["code"] == "validation_error"
    plain = '{"title": "x", "description": ' + "[" * depth + '"ab"' + "]" * depth + "}"
    resp = await client.post(f"/api/{acct.user_id}/tasks", data=plain, headers={
        **acct.headers, "Content-Type": "application/json"})
    assert (await error_of(resp, 422))["code"] == "validation_error"


async def test_engineio_requests_skip_the_json_error_layer(client):
    """Engine.IO answers its own errors (its clients expect its format, not ours)."""
    resp = await client.get("/socket.io/?EIO=4&transport=polling&sid=nope")
    assert resp.status == 400
    assert "X-Request-Id" not in resp.headers
    assert resp.content_type != "application/json"
