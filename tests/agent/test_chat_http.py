"""``POST /api/{user_id}/chat`` and the conversation endpoints, with no socket connected."""
from __future__ import annotations

import asyncio

import aiohttp
import pytest

from taskpulse.agent.api import ChatError
from taskpulse.db.models import Message, Run
from taskpulse.keys import AGENT
from tests.agent.conftest import chat, names, run_events, run_only, wait_terminal
from tests.fakes.scripted import ScriptedProvider, Turn


@pytest.fixture
def llm() -> ScriptedProvider:
    return ScriptedProvider()


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_http_chat_answers_and_persists_without_any_socket(client, signup, llm):
    acct = await signup()
    llm.add(Turn(calls=[("add_task", {"title": "buy milk"})]), Turn(text="Added buy milk."))
    body = await chat(client, acct, "add buy milk")

    assert set(body) >= {"conversation_id", "run_id", "response", "message", "tool_calls"}
    assert body["response"] == "Added buy milk."
    assert body["message"]["role"] == "assistant"
    assert body["message"]["content"] == "Added buy milk."
    assert body["message"]["id"] and body["message"]["created_at"].endswith("Z")
    assert body["tool_calls"] == [{"tool": "add_task", "ok": True,
                                   "message": 'Added "buy milk".'}]
    resp = await client.get(
        f"/api/{acct.user_id}/conversations/{body['conversation_id']}/messages",
        headers=acct.headers)
    messages = (await resp.json())["messages"]
    assert [(m["role"], m["content"]) for m in messages] == [
        ("user", "add buy milk"), ("assistant", "Added buy milk.")]
    assert {m["run_id"] for m in messages} == {body["run_id"]}


async def test_messages_over_ten_thousand_characters_are_refused(client, signup):
    acct = await signup()
    body = await chat(client, acct, "x" * 10_001, status=400)
    assert body["error"]["code"] == "message_too_long"
    await chat(client, acct, "x" * 10_000)
    assert await Message.filter(owner_id=acct.user_id, role="user").count() == 1


@pytest.mark.parametrize("payload, status, code", [
    ({"message": "   "}, 400, "message_empty"),
    ({"message": 42}, 422, "validation_error"),
    ({}, 422, "validation_error"),
    ({"message": "hi", "conversation_id": "nope"}, 400, "invalid_conversation_id"),
    ({"message": "hi", "user_id": "someone"}, 422, "validation_error"),
])
async def test_bad_chat_requests_get_clear_errors(client, signup, payload, status, code):
    acct = await signup()
    resp = await client.post(f"/api/{acct.user_id}/chat", json=payload, headers=acct.headers)
    assert resp.status == status
    assert (await resp.json())["error"]["code"] == code


async def test_chat_needs_the_token_of_the_path_user(client, signup):
    a, b = await signup(), await signup()
    client.session.cookie_jar.clear()           # no session cookie either
    resp = await client.post(f"/api/{a.user_id}/chat", json={"message": "hi"})
    assert resp.status == 401
    resp = await client.post(f"/api/{a.user_id}/chat", json={"message": "hi"},
                             headers=b.headers)
    assert resp.status == 403


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_another_users_conversation_is_not_found(client, signup):
    a, b = await signup(), await signup()
    mine = await chat(client, a, "hello")
    body = await chat(client, b, "hello", mine["conversation_id"], status=404)
    assert body["error"]["code"] == "conversation_not_found"
    for method, path in (("GET", "/messages"), ("DELETE", "")):
        resp = await client.request(
            method, f"/api/{b.user_id}/conversations/{mine['conversation_id']}{path}",
            headers=b.headers)
        assert resp.status == 404
    assert await Message.filter(conversation_id=mine["conversation_id"]).count() == 2


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_one_run_at_a_time_per_conversation(client, app, signup, llm):
    acct = await signup()
    llm.default = Turn(text="slow " * 10, chunk_chars=5, delay=0.1)
    started = await app[AGENT].start(acct.user_id, "first")
    body = await chat(client, acct, "second", started.conversation_id, status=409)
    assert body["error"]["code"] == "run_in_progress"
    other = await chat(client, acct, "elsewhere")       # another conversation is fine
    assert other["conversation_id"] != started.conversation_id
    await app[AGENT].wait(started.run_id)
    await chat(client, acct, "third", started.conversation_id)
    assert await Message.filter(conversation_id=started.conversation_id,
                                role="user").count() == 2


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
@pytest.mark.parametrize("overrides", [{"chat_per_minute": 2}])
async def test_messages_per_minute_are_limited(client, signup):
    acct, other = await signup(), await signup()
    first = await chat(client, acct, "one")
    await chat(client, acct, "two", first["conversation_id"])   # replies do not count
    resp = await client.post(f"/api/{acct.user_id}/chat", json={"message": "three"},
                             headers=acct.headers)
    body = await resp.json()
    assert resp.status == 429 and body["error"]["code"] == "rate_limited"
    assert 1 <= body["error"]["retry_after"] <= 60
    assert resp.headers["Retry-After"] == str(body["error"]["retry_after"])
    await chat(client, other, "one")                              # per user
    assert await Message.filter(owner_id=acct.user_id, role="user").count() == 2


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
@pytest.mark.parametrize("overrides", [{"chat_per_day": 3}])
async def test_messages_per_day_are_limited_until_midnight(client, signup):
    acct = await signup()
    for text in ("one", "two", "three"):
        await chat(client, acct, text)
    body = await chat(client, acct, "four", status=429)
    assert 1 <= body["error"]["retry_after"] <= 86_400
    assert "today" in body["error"]["message"]


async def test_conversations_are_listed_newest_first_and_deleted(client, signup):
    acct, other = await signup(), await signup()
    first = await chat(client, acct, "first conversation")
    second = await chat(client, acct, "second conversation")
    await chat(client, other, "not yours")
    resp = await client.get(f"/api/{acct.user_id}/conversations", headers=acct.headers)
    listed = (await resp.json())["conversations"]
    assert [c["id"] for c in listed] == [second["conversation_id"], first["conversation_id"]]
    assert listed[0]["title"] == "second conversation" and listed[0]["active_run_id"] is None

    resp = await client.delete(f"/api/{acct.user_id}/conversations/{first['conversation_id']}",
                               headers=acct.headers)
    assert resp.status == 204
    resp = await client.get(f"/api/{acct.user_id}/conversations", headers=acct.headers)
    assert [c["id"] for c in (await resp.json())["conversations"]] == [
        second["conversation_id"]]
    assert await Message.filter(conversation_id=first["conversation_id"]).count() == 0


async def test_messages_are_paged_oldest_first_within_a_page(client, signup):
    acct = await signup()
    cid = None
    for i in range(5):
        cid = (await chat(client, acct, f"message {i}", cid))["conversation_id"]
    url = f"/api/{acct.user_id}/conversations/{cid}/messages"
    page = await (await client.get(url + "?limit=4", headers=acct.headers)).json()
    assert [m["content"] for m in page["messages"] if m["role"] == "user"] == [
        "message 3", "message 4"]
    assert page["has_more"] is True
    older = await (await client.get(f"{url}?limit=4&before={page['next_before']}",
                                    headers=acct.headers)).json()
    older_users = [m["content"] for m in older["messages"] if m["role"] == "user"]
    assert older_users == ["message 1", "message 2"]
    rest = await (await client.get(f"{url}?limit=4&before={older['next_before']}",
                                   headers=acct.headers)).json()
    assert [m["content"] for m in rest["messages"]] == ["message 0", "OK."]
    assert rest["has_more"] is False and rest["next_before"] is None
    resp = await client.get(url + "?before=zzz", headers=acct.headers)
    assert resp.status == 400
    resp = await client.get(url + "?limit=0", headers=acct.headers)
    assert resp.status == 422


async def test_a_run_keeps_going_when_the_http_client_gives_up(client, app, signup, llm):
    acct = await signup()
    llm.add(Turn(text="patience pays off", chunk_chars=3, delay=0.1))
    url = client.make_url(f"/api/{acct.user_id}/chat")
    async with aiohttp.ClientSession() as session:
        with pytest.raises(asyncio.TimeoutError):
            await session.post(url, json={"message": "take your time"},
                               headers=acct.headers,
                               timeout=aiohttp.ClientTimeout(total=0.2))
    run = await Run.filter(owner_id=acct.user_id).first()
    assert run is not None
    events = await wait_terminal(app, acct, str(run.id))
    assert names(run_only(events))[-1] == "agent_done"
    reply = await Message.get(run_id=run.id, role="assistant")
    assert reply.content == "patience pays off"


async def test_deleting_a_conversation_stops_its_run(client, app, signup, llm):
    acct = await signup()
    llm.default = Turn(text="never ending story " * 5, chunk_chars=4, delay=0.1)
    started = await app[AGENT].start(acct.user_id, "tell me a story")
    await asyncio.sleep(0.2)
    resp = await client.delete(
        f"/api/{acct.user_id}/conversations/{started.conversation_id}", headers=acct.headers)
    assert resp.status == 204
    assert await Run.filter(id=started.run_id).count() == 0


async def test_deleting_a_conversation_waits_for_a_run_past_the_point_of_cancelling(
        client, app, signup, llm):
    # A run that is already finishing (saving its reply) cannot be cancelled; the delete
    # must still wait for it, or the run loses its reply and never sends a terminal event.
    acct = await signup()
    llm.default = Turn(text="almost there " * 4, chunk_chars=4, delay=0.05)
    started = await app[AGENT].start(acct.user_id, "finish this")
    await asyncio.sleep(0.1)
    app[AGENT]._runs[started.run_id].state.finishing = True
    resp = await client.delete(
        f"/api/{acct.user_id}/conversations/{started.conversation_id}", headers=acct.headers)
    assert resp.status == 204
    events = await wait_terminal(app, acct, started.run_id)
    assert names(run_only(events))[-1] == "agent_done"
    assert await Run.filter(id=started.run_id).count() == 0


async def test_a_run_stopped_before_it_first_ran_still_ends_once(client, app, signup):
    # Stopping in the same loop step as the start cancels the task before its coroutine
    # starts; the run must still end (status, one terminal event) and wait() answer.
    acct = await signup()
    agent = app[AGENT]
    started = await agent.start(acct.user_id, "hello")
    waiting = asyncio.ensure_future(agent.wait(started.run_id))
    await agent.stop_conversation(acct.user_id, started.conversation_id)
    result = await waiting
    assert (result.run_id, result.status) == (started.run_id, "cancelled")
    assert (await Run.get(id=started.run_id)).status == "cancelled"
    await wait_terminal(app, acct, started.run_id)
    assert names(run_only(await run_events(app, acct, started.run_id))) == ["agent_cancelled"]
    assert started.conversation_id not in agent._active
    # the conversation is free for the next message
    assert (await agent.wait((await agent.start(
        acct.user_id, "again", started.conversation_id)).run_id)).status == "done"


async def test_a_run_interrupted_by_shutdown_before_it_first_ran_still_ends_once(
        client, app, signup):
    acct = await signup()
    agent = app[AGENT]
    started = await agent.start(acct.user_id, "hello")
    await agent.shutdown()
    result = await agent.wait(started.run_id)
    assert (result.status, result.error) == ("interrupted", "interrupted")
    assert (await Run.get(id=started.run_id)).status == "interrupted"
    await wait_terminal(app, acct, started.run_id)
    events = run_only(await run_events(app, acct, started.run_id))
    assert [(n, d["code"]) for n, d in events] == [("agent_error", "interrupted")]
    assert not agent._active


@pytest.mark.parametrize("message, problem", [
    ("add buy\x00milk", "NUL"), ("add bell\x07", "U+0007")])
async def test_control_characters_in_a_chat_message_are_422_and_nothing_is_saved(
        client, signup, message, problem):
    acct = await signup()
    resp = await client.post(f"/api/{acct.user_id}/chat", json={"message": message},
                             headers=acct.headers)
    assert resp.status == 422
    error = (await resp.json())["error"]
    assert error["code"] == "validation_error" and problem in error["message"]
    assert error["fields"][0]["field"] == "message"
    assert await Message.filter(owner_id=acct.user_id).count() == 0


async def test_the_agent_itself_refuses_control_characters_for_every_caller(app, signup):
    acct = await signup()
    with pytest.raises(ChatError) as info:
        await app[AGENT].start(acct.user_id, "tab\there\x1b[0m")
    assert (info.value.status, info.value.code) == (422, "validation_error")
    assert "U+001B" in info.value.message
    assert await Message.filter(owner_id=acct.user_id).count() == 0
