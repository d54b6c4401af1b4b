"""Token scopes: the short-lived socket token a page renders opens a Socket.IO connection
and nothing else — no API call, no page session, and above all no refresh into a session."""
from __future__ import annotations

import pytest

from taskpulse.keys import TOKENS
from taskpulse.web.credentials import COOKIE_NAME
from tests.web.api_helpers import error_of
from tests.web.pages_helpers import meta, sign_up_page


async def page_socket_token(client, path: str = "/chat") -> str:
    """The token the page hands its JavaScript (what a leak would expose)."""
    return meta(await (await client.get(path)).text(), "tp-socket-token")


async def test_refresh_refuses_the_page_socket_token(client):
    await sign_up_page(client)
    token = await page_socket_token(client)
    client.session.cookie_jar.clear()          # the attacker has the leaked token only
    resp = await client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {token}"})
    error = await error_of(resp, 401)
    assert error["code"] == "token_wrong_scope"
    assert "Socket.IO" in error["message"]
    assert COOKIE_NAME not in resp.cookies      # no session was handed out


async def test_refresh_refuses_the_token_from_the_socket_token_endpoint(client, app):
    user_id = await sign_up_page(client)
    body = await (await client.get("/api/auth/socket-token")).json()
    client.session.cookie_jar.clear()
    resp = await client.post("/api/auth/refresh",
                             headers={"Authorization": f"Bearer {body['token']}"})
    assert (await error_of(resp, 401))["code"] == "token_wrong_scope"
    session = app[TOKENS].issue(user_id)        # while a session token still refreshes
    resp = await client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {session}"})
    assert resp.status == 200


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/auth/me"), ("GET", "/api/auth/socket-token"), ("GET", "{tasks}"),
    ("POST", "{tasks}"), ("POST", "/api/{user}/chat"), ("GET", "/api/{user}/conversations"),
])
async def test_the_rest_api_refuses_a_socket_token(client, method, path):
    user_id = await sign_up_page(client)
    token = await page_socket_token(client, "/tasks")
    client.session.cookie_jar.clear()
    url = path.format(user=user_id, tasks=f"/api/{user_id}/tasks")
    resp = await client.request(method, url, json={"title": "x", "message": "hi"},
                                headers={"Authorization": f"Bearer {token}"})
    assert (await error_of(resp, 401))["code"] == "token_wrong_scope"


async def test_a_socket_token_set_as_the_cookie_is_no_page_session(client):
    await sign_up_page(client)
    token = await page_socket_token(client)
    client.session.cookie_jar.clear()
    client.session.cookie_jar.update_cookies({COOKIE_NAME: token})
    resp = await client.get("/tasks", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"].startswith("/login")
    resp = await client.get("/api/auth/me")
    assert (await error_of(resp, 401))["code"] == "token_wrong_scope"


async def test_the_session_cookie_still_gets_a_fresh_socket_token(client, app):
    await sign_up_page(client)
    resp = await client.get("/api/auth/socket-token")
    assert resp.status == 200
    claims = app[TOKENS].verify((await resp.json())["token"], scopes=("socket",))
    assert claims.scope == "socket"
