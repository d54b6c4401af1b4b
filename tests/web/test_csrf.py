"""Cross-site request protection for cookie-authenticated API calls."""
from __future__ import annotations

import pytest

from taskpulse.app import create_app

from tests.web.api_helpers import error_of, list_titles, new_task, tasks_url


def origin_of(client) -> str:
    return str(client.make_url("")).rstrip("/")


async def test_cookie_post_without_origin_or_referer_is_refused(client, signup):
    acct = await signup()                       # the client's jar now holds the cookie
    error = await error_of(await client.post(tasks_url(acct), json={"title": "x"}), 403)
    assert error["code"] == "csrf_failed"
    assert await list_titles(client, acct) == []


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"},
                                     {"Origin": "null"},
                                     {"Referer": "https://evil.example/page"}])
async def test_cookie_post_from_another_site_is_refused(client, signup, headers):
    acct = await signup()
    error = await error_of(await client.post(tasks_url(acct), json={"title": "x"},
                                             headers=headers), 403)
    assert error["code"] == "csrf_failed"


async def test_every_state_changing_route_checks_the_origin(client, signup):
    acct = await signup()
    task = await new_task(client, acct)
    evil = {"Origin": "https://evil.example"}
    calls = [client.put(tasks_url(acct, task["id"]), json={"title": "x"}, headers=evil),
             client.patch(tasks_url(acct, task["id"]), json={"title": "x"}, headers=evil),
             client.patch(tasks_url(acct, task["id"], "/complete"), headers=evil),
             client.delete(tasks_url(acct, task["id"]), headers=evil),
             client.post("/api/auth/refresh", headers=evil)]
    for call in calls:
        assert (await error_of(await call, 403))["code"] == "csrf_failed"
    resp = await client.get(tasks_url(acct, task["id"]), headers=acct.headers)
    assert (await resp.json())["task"] == task


async def test_cookie_post_from_this_site_is_accepted(client, signup):
    acct = await signup()
    site = origin_of(client)
    resp = await client.post(tasks_url(acct), json={"title": "by origin"},
                             headers={"Origin": site})
    assert resp.status == 201
    resp = await client.post(tasks_url(acct), json={"title": "by referer"},
                             headers={"Referer": site + "/tasks"})
    assert resp.status == 201


async def test_cookie_get_needs_no_origin(client, signup):
    acct = await signup()
    resp = await client.get(tasks_url(acct))
    assert resp.status == 200


async def test_bearer_requests_are_not_subject_to_the_origin_check(client, signup):
    acct = await signup()
    client.session.cookie_jar.clear()
    resp = await client.post(tasks_url(acct), json={"title": "x"},
                             headers={**acct.headers, "Origin": "https://app.example"})
    assert resp.status == 201


async def test_configured_origins_are_accepted(aiohttp_client, config):
    app = create_app(config.replace(cors_allowed_origins=("https://app.example",)))
    client = await aiohttp_client(app)
    resp = await client.post("/api/auth/signup", headers={"Origin": "https://app.example"},
                             json={"email": "ann@example.com", "password": "long enough"})
    assert resp.status == 201
    user_id = (await resp.json())["user"]["id"]
    resp = await client.post(f"/api/{user_id}/tasks", json={"title": "x"},
                             headers={"Origin": "https://app.example"})
    assert resp.status == 201
    resp = await client.post(f"/api/{user_id}/tasks", json={"title": "x"},
                             headers={"Origin": "https://other.example"})
    assert (await error_of(resp, 403))["code"] == "csrf_failed"


@pytest.mark.parametrize("path", ["/api/auth/signup", "/api/auth/login", "/api/auth/logout"])
async def test_session_endpoints_refuse_a_foreign_origin(client, path):
    resp = await client.post(path, json={"email": "ann@example.com",
                                         "password": "correct horse battery"},
                             headers={"Origin": "https://evil.example"})
    assert (await error_of(resp, 403))["code"] == "csrf_failed"


async def test_session_endpoints_accept_this_site_and_originless_clients(client):
    body = {"email": "ann@example.com", "password": "correct horse battery"}
    resp = await client.post("/api/auth/signup", json=body, headers={"Origin": origin_of(client)})
    assert resp.status == 201
    resp = await client.post("/api/auth/login", json=body)
    assert resp.status == 200
