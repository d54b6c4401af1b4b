"""``client_msg_id``: a message resent by the same user (a mobile app retrying after a
reconnect) is answered with the original run, never a duplicate message and run."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from taskpulse.db.models import Message, Run, Task
from tests.fakes.scripted import ScriptedProvider, Turn


@pytest.fixture
def llm() -> ScriptedProvider:
    return ScriptedProvider()


async def post_chat(client, acct, status: int = 200, **body: Any) -> dict[str, Any]:
    resp = await client.post(f"/api/{acct.user_id}/chat", json=body, headers=acct.headers)
    data = await resp.json()
    assert resp.status == status, data
    return data


async def counts(acct) -> tuple[int, int, int]:
    """(user messages, assistant messages, runs) of the account."""
    mine = Message.filter(owner_id=acct.user_id)
    return (await mine.filter(role="user").count(), await mine.filter(role="assistant").count(),
            await Run.filter(owner_id=acct.user_id).count())


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_an_http_resend_returns_the_original_run_and_changes_nothing_twice(
        client, signup, llm):
    acct = await signup()
    llm.add(Turn(calls=[("add_task", {"title": "buy milk"})]), Turn(text="Added buy milk."))
    first = await post_chat(client, acct, message="add buy milk", client_msg_id="m-1")
    again = await post_chat(client, acct, message="add buy milk", client_msg_id="m-1")
    assert again == first
    assert await counts(acct) == (1, 1, 1)
    assert await Task.filter(owner_id=acct.user_id).count() == 1
    assert len(llm.requests) == 2                 # one run: a tool round and the reply
    stored = await Message.get(owner_id=acct.user_id, role="user")
    assert stored.client_msg_id == "m-1"


async def test_a_resend_while_the_run_is_still_going_joins_it_instead_of_409(client, signup,
                                                                             llm):
    acct = await signup()
    llm.add(Turn(text="Thinking slowly about it.", delay=0.05, chunk_chars=4))
    first = asyncio.create_task(post_chat(client, acct, message="hello", client_msg_id="m-2"))
    while not await Run.filter(owner_id=acct.user_id).exists():
        await asyncio.sleep(0.01)
    again = await post_chat(client, acct, message="hello", client_msg_id="m-2")
    assert again == await first
    assert again["response"] == "Thinking slowly about it."
    assert await counts(acct) == (1, 1, 1)


@pytest.mark.parametrize("overrides", [{"chat_per_minute": 1}])
async def test_a_resend_is_answered_even_when_a_new_message_would_be_rate_limited(
        client, signup, llm):
    acct = await signup()
    first = await post_chat(client, acct, message="one", client_msg_id="a")
    assert (await post_chat(client, acct, 429, message="two", client_msg_id="b")
            )["error"]["code"] == "rate_limited"
    assert (await post_chat(client, acct, message="one", client_msg_id="a")) == first


async def test_other_ids_other_users_and_no_id_each_start_their_own_run(client, signup, llm):
    ann, bob = await signup(), await signup()
    a1 = await post_chat(client, ann, message="hi", client_msg_id="same")
    a2 = await post_chat(client, ann, message="hi", client_msg_id="other")
    b1 = await post_chat(client, bob, message="hi", client_msg_id="same")
    a3 = await post_chat(client, ann, message="hi")
    a4 = await post_chat(client, ann, message="hi")
    assert len({r["run_id"] for r in (a1, a2, b1, a3, a4)}) == 5
    assert await counts(ann) == (4, 4, 4) and await counts(bob) == (1, 1, 1)


async def test_an_id_older_than_a_day_starts_a_new_run(client, signup, llm):
    acct = await signup()
    first = await post_chat(client, acct, message="hi", client_msg_id="m-old")
    await Message.filter(owner_id=acct.user_id).update(
        created_at=datetime.now(timezone.utc) - timedelta(hours=25))
    later = await post_chat(client, acct, message="hi", client_msg_id="m-old")
    assert later["run_id"] != first["run_id"]
    assert await counts(acct) == (2, 2, 2)


@pytest.mark.parametrize("client_msg_id, status, code", [
    ("x" * 101, 422, "validation_error"), ("m\x00", 422, "validation_error"),
    ("m\x07", 422, "validation_error"), (7, 422, "validation_error")])
async def test_a_bad_client_msg_id_is_refused(client, signup, client_msg_id, status, code):
    acct = await signup()
    body = await post_chat(client, acct, status, message="hi", client_msg_id=client_msg_id)
    assert body["error"]["code"] == code
    assert body["error"]["fields"][0]["field"] == "client_msg_id"
    assert await counts(acct) == (0, 0, 0)


async def test_a_socket_resend_after_a_reconnect_acks_the_original_run(signup, tabs, llm):
    acct = await signup()
    llm.add(Turn(text="Taking my time with this answer.", delay=0.03, chunk_chars=4))
    phone = tabs()
    await phone.connect(acct.token)
    ack = await phone.send("hello there", client_msg_id="phone-1")
    await phone.close()                              # the connection drops mid-run
    phone = tabs()
    await phone.connect(acct.token)
    again = await phone.send("hello there", client_msg_id="phone-1")
    assert again == ack
    assert (await counts(acct))[::2] == (1, 1)        # still one message, one run
    other = tabs()
    await other.connect(acct.token)
    late = await other.send("hello there", client_msg_id="phone-1")
    assert late == ack
    for _ in range(200):
        if (await counts(acct))[1]:
            break
        await asyncio.sleep(0.05)
    assert await counts(acct) == (1, 1, 1)


async def test_a_socket_client_msg_id_with_a_nul_is_an_ack_error(signup, tabs):
    acct = await signup()
    tab = tabs()
    await tab.connect(acct.token)
    ack = await tab.send("hello", client_msg_id="m\x00")
    assert ack["error"]["code"] == "validation_error"
    assert ack["error"]["message"].startswith("client_msg_id:")
    assert await counts(acct) == (0, 0, 0)
