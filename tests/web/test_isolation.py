"""User isolation: B can neither see nor change A's tasks through any route."""
from __future__ import annotations

import pytest

from tests.web.api_helpers import error_of, list_titles, new_task, tasks_url

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


def routes(client, url_of, headers):
    """Every tasks route, as (name, awaitable) for one user's URL builder."""
    return [
        ("list", client.get(url_of(None), headers=headers)),
        ("create", client.post(url_of(None), headers=headers, json={"title": "planted"})),
        ("get", client.get(url_of(""), headers=headers)),
        ("put", client.put(url_of(""), headers=headers, json={"title": "hijacked"})),
        ("patch", client.patch(url_of(""), headers=headers, json={"title": "hijacked"})),
        ("complete", client.patch(url_of("/complete"), headers=headers,
                                  json={"completed": True})),
        ("delete", client.delete(url_of(""), headers=headers)),
    ]


async def test_b_using_a_path_is_403_forbidden_on_every_route(client, signup):
    a, b = await signup(), await signup()
    task = await new_task(client, a, title="A's secret")

    def a_url(suffix):
        return tasks_url(a) if suffix is None else tasks_url(a, task["id"], suffix)

    for name, call in routes(client, a_url, b.headers):
        error = await error_of(await call, 403)
        assert error["code"] == "forbidden", name
    resp = await client.get(tasks_url(a, task["id"]), headers=a.headers)
    assert (await resp.json())["task"] == task
    assert await list_titles(client, a) == ["A's secret"]


async def test_b_naming_a_task_in_their_own_path_gets_404_as_if_it_did_not_exist(
        client, signup):
    a, b = await signup(), await signup()
    task = await new_task(client, a, title="A's secret")

    def b_url(suffix):
        return tasks_url(b) if suffix is None else tasks_url(b, task["id"], suffix)

    for name, call in routes(client, b_url, b.headers):
        resp = await call
        if name == "list":
            assert (await resp.json())["tasks"] == []
        elif name == "create":
            assert resp.status == 201        # B's own new task, not A's
        else:
            error = await error_of(resp, 404)
            assert error["code"] == "task_not_found", name
            assert "secret" not in error["message"]
    resp = await client.get(tasks_url(a, task["id"]), headers=a.headers)
    assert (await resp.json())["task"] == task
    assert await list_titles(client, b) == ["planted"]


async def test_lists_and_counts_only_include_the_owner_tasks(client, signup):
    a, b = await signup(), await signup()
    await new_task(client, a, title="a1")
    await new_task(client, a, title="a2", completed=True)
    await new_task(client, b, title="b1")
    body = await (await client.get(tasks_url(b), headers=b.headers)).json()
    assert [t["title"] for t in body["tasks"]] == ["b1"]
    assert (body["total"], body["pending"], body["completed"]) == (1, 1, 0)
