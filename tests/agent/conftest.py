"""Helpers for agent tests: chatting over HTTP and reading what the user's stream received."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from taskpulse.config import Config
from taskpulse.db.setup import migrate
from taskpulse.keys import EVENT_LOG
from taskpulse.protocol.events import RUN_TERMINAL
from tests.conftest import Account, make_config
from tests.web.socket.conftest import open_tab  # noqa: F401 (a fixture)


@pytest.fixture
def overrides() -> dict[str, Any]:
    """Settings for this test's app; parametrize ``overrides`` to change them."""
    return {}


@pytest.fixture
async def config(database_url: str, tmp_path: Any, overrides: dict[str, Any]) -> Config:
    cfg = make_config(database_url=database_url, var_dir=str(tmp_path / "var"), **overrides)
    if database_url.startswith("postgres"):
        await migrate(cfg)
    return cfg


async def chat(client: TestClient, account: Account, message: str,
               conversation_id: str | None = None, status: int = 200) -> dict[str, Any]:
    body: dict[str, Any] = {"message": message}
    if conversation_id:
        body["conversation_id"] = conversation_id
    resp = await client.post(f"/api/{account.user_id}/chat", json=body,
                             headers=account.headers)
    data = await resp.json()
    assert resp.status == status, data
    return data


async def stream_events(app: web.Application, account: Account) -> list[tuple[str, Any]]:
    """Every event published to the user's stream so far (from the event log)."""
    logged = await app[EVENT_LOG].since(account.user_id, "0-0") or []
    return [(e.name, e.data) for e in logged]


async def run_events(app: web.Application, account: Account,
                     run_id: str) -> list[tuple[str, Any]]:
    return [(n, d) for n, d in await stream_events(app, account) if d.get("run_id") == run_id]


def names(events: list[tuple[str, Any]]) -> list[str]:
    return [n for n, _ in events]


def run_only(events: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Run events (they carry ``seq``), without message_created/task_* events."""
    return [(n, d) for n, d in events if "seq" in d]


async def wait_terminal(app: web.Application, account: Account, run_id: str,
                        timeout: float = 10) -> list[tuple[str, Any]]:
    async def poll() -> list[tuple[str, Any]]:
        while True:
            events = await run_events(app, account, run_id)
            if any(n in RUN_TERMINAL for n, _ in events):
                return events
            await asyncio.sleep(0.02)
    return await asyncio.wait_for(poll(), timeout)


def assert_run_shape(events: list[tuple[str, Any]]) -> None:
    """The documented order: thinking, tool steps (each with one terminal), tokens, one end."""
    run = run_only(events)
    seqs = [d["seq"] for _, d in run]
    assert seqs == list(range(1, len(run) + 1)), seqs
    order = names(run)
    assert order[0] == "agent_thinking", order
    assert sum(n in RUN_TERMINAL for n in order) == 1 and order[-1] in RUN_TERMINAL, order
    open_calls: dict[str, int] = {}
    for name, data in run:
        if name == "tool_starting":
            assert data["call_id"] not in open_calls
            open_calls[data["call_id"]] = 0
        elif name == "tool_progress":
            assert data["call_id"] in open_calls
        elif name in ("tool_complete", "tool_error"):
            open_calls[data["call_id"]] += 1
    assert all(n == 1 for n in open_calls.values()), open_calls


@pytest.fixture
async def tabs(base_url: str) -> AsyncIterator[Callable[[], Any]]:
    """``tabs()`` -> a new Socket.IO tab (see test_socket_e2e.Tab); all closed afterwards."""
    from tests.agent.test_socket_e2e import Tab

    made: list[Tab] = []

    def make() -> Tab:
        made.append(Tab(base_url))
        return made[-1]

    yield make
    await asyncio.gather(*(t.close() for t in made), return_exceptions=True)
