"""Restarts: nothing said is lost, and runs a crash left behind are marked interrupted."""
from __future__ import annotations

import asyncio
import socket
import sys
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from taskpulse.app import create_app
from taskpulse.db.models import Conversation, Run
from taskpulse.db.setup import migrate
from taskpulse.keys import AGENT
from tests.agent.conftest import chat
from tests.conftest import Account, make_config
from tests.fakes.scripted import ScriptedProvider, Turn


async def file_config(tmp_path: Any):
    config = make_config(database_url=f"sqlite://{tmp_path}/taskpulse.sqlite3",
                         var_dir=str(tmp_path / "var"))
    await migrate(config)
    return config


async def sign_up(client) -> Account:
    resp = await client.post("/api/auth/signup", json={"email": "ann@example.com",
                                                       "password": "correct horse battery"})
    body = await resp.json()
    return Account(body["user"]["id"], body["token"], "ann@example.com", "")


async def dead_pid() -> int:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await proc.wait()
    return proc.pid


async def test_a_restart_keeps_every_message_and_the_conversation_goes_on(
        aiohttp_client, tmp_path):
    config = await file_config(tmp_path)
    first = await aiohttp_client(create_app(config))
    acct = await sign_up(first)
    body = await chat(first, acct, "add buy milk tomorrow")
    cid = body["conversation_id"]
    await chat(first, acct, "add call mom", cid)
    await chat(first, acct, "what's still open?", cid)
    await first.close()

    second = await aiohttp_client(create_app(config))
    resp = await second.get(f"/api/{acct.user_id}/conversations/{cid}/messages",
                            headers=acct.headers)
    messages = (await resp.json())["messages"]
    assert [m["content"] for m in messages if m["role"] == "user"] == [
        "add buy milk tomorrow", "add call mom", "what's still open?"]
    assert len(messages) == 6
    body = await chat(second, acct, "mark the first one done", cid)    # the list from before
    assert body["response"] == 'Marked "buy milk" as done.'


async def test_runs_left_running_by_a_crash_are_marked_interrupted(aiohttp_client, tmp_path):
    config = await file_config(tmp_path)
    first = await aiohttp_client(create_app(config))
    acct = await sign_up(first)
    conversation = await Conversation.create(owner_id=acct.user_id, title="t")
    host = socket.gethostname()
    crashed = await Run.create(owner_id=acct.user_id, conversation_id=conversation.id,
                               process_id=f"{host}:{await dead_pid()}:abcd")
    elsewhere = await Run.create(owner_id=acct.user_id, conversation_id=conversation.id,
                                 process_id="other-host:1234:abcd")
    ancient = await Run.create(owner_id=acct.user_id, conversation_id=conversation.id,
                               process_id="other-host:1:ffff")
    await Run.filter(id=ancient.id).update(started_at=datetime.now(timezone.utc)
                                           - timedelta(days=1))
    await first.close()

    second = await aiohttp_client(create_app(config))
    states = {r.id: (r.status, r.error) for r in await Run.all()}
    assert states[crashed.id] == ("interrupted", "interrupted")
    assert states[ancient.id] == ("interrupted", "interrupted")
    assert states[elsewhere.id] == ("running", "")   # another live server may own it
    resp = await second.get(f"/api/{acct.user_id}/runs/{crashed.id}", headers=acct.headers)
    assert (await resp.json())["run"]["status"] == "interrupted"


async def test_stopping_the_server_interrupts_its_runs(aiohttp_client, tmp_path):
    config = await file_config(tmp_path)
    llm = ScriptedProvider(default=Turn(text="x" * 200, chunk_chars=2, delay=0.05))
    server = await aiohttp_client(create_app(config, llm=llm))
    acct = await sign_up(server)
    started = await server.app[AGENT].start(acct.user_id, "go on and on")
    await asyncio.sleep(0.2)
    await server.close()

    again = await aiohttp_client(create_app(config))
    run = await Run.get(id=uuid.UUID(started.run_id))
    assert (run.status, run.error) == ("interrupted", "interrupted")
    body = await chat(again, acct, "hello again", started.conversation_id)
    assert body["status"] == "done"          # the conversation is not stuck
