"""Headers on every response: nosniff, a Server header without versions, HSTS in
production only."""
from __future__ import annotations

from taskpulse.app import create_app

PATHS = ["/api/auth/me", "/api/no-such-endpoint", "/healthz", "/login", "/static/css/app.css",
         "/socket.io/?EIO=4&transport=polling"]


async def _responses(client):
    resp = await client.post("/api/auth/signup", json={"email": "hd@example.com",
                                                       "password": "correct horse battery"})
    assert resp.status == 201
    body = await resp.json()
    answers = [resp] + [await client.get(path) for path in PATHS]
    answers.append(await client.get(f"/api/{body['user']['id']}/tasks",
                                    headers={"Authorization": f"Bearer {body['token']}"}))
    answers.append(await client.post("/api/auth/login", json={"email": "x"}))
    return answers


async def test_every_response_says_nosniff_and_names_no_versions(client):
    for resp in await _responses(client):
        assert resp.headers.get("X-Content-Type-Options") == "nosniff", resp.url
        assert resp.headers.get("Server") == "Taskpulse", resp.url
        assert "Strict-Transport-Security" not in resp.headers


async def test_production_asks_browsers_for_https_only(aiohttp_client, config):
    client = await aiohttp_client(create_app(config.replace(env="production")))
    for resp in await _responses(client):
        assert resp.headers.get("Strict-Transport-Security") == "max-age=31536000", resp.url
