"""A conversation's messages carry each answer's step summary (read per page, not per message)."""
from __future__ import annotations

import logging

import pytest

from tests.agent.conftest import chat
from tests.fakes.scripted import ScriptedProvider, Turn


@pytest.fixture
def llm() -> ScriptedProvider:
    return ScriptedProvider()


async def messages(client, acct, cid: str, query: str = "") -> dict:
    resp = await client.get(f"/api/{acct.user_id}/conversations/{cid}/messages{query}",
                            headers=acct.headers)
    assert resp.status == 200
    return await resp.json()


async def test_answers_list_their_steps_and_count_and_user_messages_do_not(client, signup, llm):
    acct = await signup()
    llm.add(Turn(calls=[("add_task", {"title": "buy milk"}),
                        ("delete_task", {"task": "no such thing at all"})]),
            Turn(text="Added buy milk; the other one was not there."),
            Turn(text="Hello!"))
    first = await chat(client, acct, "add buy milk, delete the ghost")
    await chat(client, acct, "hi", first["conversation_id"])

    page = (await messages(client, acct, first["conversation_id"]))["messages"]
    user, answer, _, greeting = page
    assert "steps" not in user and "step_count" not in user
    assert answer["step_count"] == 2 and answer["run_status"] == "done"
    assert [(s["tool"], s["ok"]) for s in answer["steps"]] == [("add_task", True),
                                                               ("delete_task", False)]
    assert answer["steps"][0]["message"] == "Created: buy milk"
    assert answer["steps"][1]["message"]                        # why it failed, in words
    assert set(answer["steps"][0]) == {"call_id", "tool", "ok", "message"}
    assert greeting["step_count"] == 0 and greeting["steps"] == []


async def test_step_summaries_take_the_same_queries_for_one_answer_or_many(
        client, signup, llm, caplog):
    acct = await signup()
    llm.default = Turn(text="OK.")

    async def queries_for(answers: int) -> int:
        cid = None
        for i in range(answers):
            llm.add(Turn(calls=[("add_task", {"title": f"task {i}"})]), Turn(text="Added."))
            cid = (await chat(client, acct, f"add task {i}", cid))["conversation_id"]
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
            page = (await messages(client, acct, cid))["messages"]
        assert [m["step_count"] for m in page if m["role"] == "assistant"] == [1] * answers
        return sum(1 for r in caplog.records if "tool_call" in r.getMessage())

    one, many = await queries_for(1), await queries_for(6)
    assert one == many == 1
