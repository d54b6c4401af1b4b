"""Helpers for the page tests: a browser-like client without JavaScript."""
from __future__ import annotations

import re
from html import unescape
from typing import Any

from aiohttp.test_utils import TestClient

PASSWORD = "correct horse battery"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def meta(html: str, name: str) -> str:
    match = re.search(rf'<meta name="{re.escape(name)}" content="([^"]*)"', html)
    assert match, f"no meta {name}"
    return unescape(match.group(1))


def field_errors(html: str) -> list[str]:
    return [unescape(m).strip() for m in re.findall(
        r'class="(?:field|form)-error"[^>]*>([^<]+)<', html)]


def titles(html: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'<span class="task-title">([^<]*)</span>', html)]


def task_ids(html: str) -> list[str]:
    return re.findall(r'<li class="task[^"]*" id="task-([0-9a-f-]+)"', html)


async def sign_up_page(client: TestClient, email: str = "ann@example.com",
                       name: str = "Ann") -> str:
    """Sign up through the form; returns the user id (the client keeps the cookie)."""
    resp = await client.post("/signup", data={"name": name, "email": email,
                                              "password": PASSWORD},
                             allow_redirects=False)
    assert resp.status == 303, await resp.text()
    me = await client.get("/api/auth/me")
    return str((await me.json())["user"]["id"])


async def board(client: TestClient, query: str = "") -> str:
    resp = await client.get("/tasks" + query)
    assert resp.status == 200
    return await resp.text()


async def post_form(client: TestClient, path: str, data: dict[str, Any],
                    headers: dict[str, str] | None = None) -> Any:
    html = await board(client)
    payload = {"csrf_token": csrf_of(html), **data}
    return await client.post(path, data=payload, headers=headers or {}, allow_redirects=False)
