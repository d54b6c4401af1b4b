"""Renaming a conversation: PATCH /api/{user}/conversations/{id} with {"title"}."""
from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.conftest import Account
from tests.web.api_helpers import error_of

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


def conversations_url(acct: Account, conversation_id: str | None = None) -> str:
    url = f"/api/{acct.user_id}/conversations"
    return url if conversation_id is None else f"{url}/{conversation_id}"


async def new_conversation(client: TestClient, acct: Account, message: str) -> str:
    resp = await client.post(f"/api/{acct.user_id}/chat", json={"message": message},
                             headers=acct.headers)
    assert resp.status == 200, await resp.text()
    conversation_id: str = (await resp.json())["conversation_id"]
    return conversation_id


async def listed(client: TestClient, acct: Account) -> list[dict[str, Any]]:
    resp = await client.get(conversations_url(acct), headers=acct.headers)
    assert resp.status == 200, await resp.text()
    conversations: list[dict[str, Any]] = (await resp.json())["conversations"]
    return conversations


async def test_rename_sets_the_title_and_keeps_the_place_in_the_list(client, signup):
    acct = await signup()
    older = await new_conversation(client, acct, "add buy milk")
    await new_conversation(client, acct, "add call mum")
    before = {c["id"]: c for c in await listed(client, acct)}

    resp = await client.patch(conversations_url(acct, older), headers=acct.headers,
                              json={"title": "  Groceries  "})
    assert resp.status == 200, await resp.text()
    renamed = (await resp.json())["conversation"]
    assert (renamed["id"], renamed["title"]) == (older, "Groceries")      # trimmed
    assert renamed["updated_at"] == before[older]["updated_at"]
    after = await listed(client, acct)
    assert [c["title"] for c in after] == ["add call mum", "Groceries"]    # order kept
    messages = await client.get(conversations_url(acct, older) + "/messages",
                                headers=acct.headers)
    assert (await messages.json())["conversation"]["title"] == "Groceries"


async def test_rename_refuses_a_bad_title_with_422(client, signup):
    acct = await signup()
    cid = await new_conversation(client, acct, "add buy milk")
    for body in ({"title": "   "}, {"title": "x" * 201}, {}, {"title": 5},
                 {"title": "ok", "pinned": True}, {"title": "bell\x07"}):
        resp = await client.patch(conversations_url(acct, cid), headers=acct.headers,
                                  json=body)
        error = await error_of(resp, 422)
        assert error["code"] == "validation_error", body
    assert [c["title"] for c in await listed(client, acct)] == ["add buy milk"]


async def test_rename_of_a_missing_or_foreign_conversation_is_404(client, signup):
    owner, other = await signup(), await signup()
    cid = await new_conversation(client, owner, "add buy milk")
    for url in (conversations_url(other, cid),
                conversations_url(owner, "00000000-0000-4000-8000-000000000000"),
                conversations_url(owner, "not-a-uuid")):
        acct = other if url.startswith(conversations_url(other)) else owner
        resp = await client.patch(url, headers=acct.headers, json={"title": "mine now"})
        assert (await error_of(resp, 404))["code"] == "conversation_not_found"
    assert [c["title"] for c in await listed(client, owner)] == ["add buy milk"]


async def test_rename_needs_the_path_user(client, signup):
    owner, other = await signup(), await signup()
    cid = await new_conversation(client, owner, "add buy milk")
    resp = await client.patch(conversations_url(owner, cid), headers=other.headers,
                              json={"title": "mine now"})
    assert resp.status == 403
    client.session.cookie_jar.clear()          # signing up left a session cookie
    resp = await client.patch(conversations_url(owner, cid), json={"title": "anon"})
    assert resp.status == 401
