"""Small helpers for the JSON API tests."""
from __future__ import annotations

from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from tests.conftest import Account


async def error_of(resp: ClientResponse, status: int) -> dict[str, Any]:
    """Assert the house error shape with ``status``; return the ``error`` object."""
    assert resp.status == status, await resp.text()
    assert resp.content_type == "application/json"
    body = await resp.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str)
    return error


def tasks_url(acct: Account, task_id: str | None = None, suffix: str = "") -> str:
    url = f"/api/{acct.user_id}/tasks"
    if task_id is not None:
        url += f"/{task_id}"
    return url + suffix


async def new_task(client: TestClient, acct: Account, **fields: Any) -> dict[str, Any]:
    body = {"title": "a task", **fields}
    resp = await client.post(tasks_url(acct), json=body, headers=acct.headers)
    assert resp.status == 201, await resp.text()
    task: dict[str, Any] = (await resp.json())["task"]
    return task


async def list_titles(client: TestClient, acct: Account, query: str = "") -> list[str]:
    resp = await client.get(tasks_url(acct) + query, headers=acct.headers)
    assert resp.status == 200, await resp.text()
    return [t["title"] for t in (await resp.json())["tasks"]]
