"""Admission's account lookup: connections of one user that arrive while a lookup for
that user is in flight share it; nothing is remembered once it is answered."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tortoise.exceptions import DBConnectionError

from taskpulse.web.socket import user_connections
from taskpulse.web.socket.user_connections import Refused, UserConnections


class HeldLookups:
    """``account_exists`` in place of the database: counts calls, answers when released."""

    def __init__(self, answer: Any = True) -> None:
        self.answer = answer
        self.calls: list[str] = []
        self.release = asyncio.Event()

    async def __call__(self, user_id: str) -> bool:
        self.calls.append(user_id)
        await self.release.wait()
        if isinstance(self.answer, BaseException):
            raise self.answer
        return bool(self.answer)


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> HeldLookups:
    held = HeldLookups()
    monkeypatch.setattr(user_connections, "account_exists", held)
    return held


async def _until(condition: Any) -> None:
    for _ in range(100):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("timed out")


async def test_connections_of_one_user_arriving_together_share_one_lookup(
        lookups: HeldLookups) -> None:
    connections = UserConnections(limit=10)
    admits = [asyncio.ensure_future(connections.admit(f"sid{n}", "u1")) for n in range(4)]
    other = asyncio.ensure_future(connections.admit("sid9", "u2"))
    await _until(lambda: len(lookups.calls) == 2)
    lookups.release.set()
    await asyncio.gather(*admits, other)
    assert sorted(lookups.calls) == ["u1", "u2"]      # one per user, not one per tab
    assert connections.open_for("u1") == 4 and connections.open_for("u2") == 1


async def test_a_connection_after_the_answer_looks_the_account_up_again(
        lookups: HeldLookups) -> None:
    lookups.release.set()
    connections = UserConnections(limit=10)
    await connections.admit("sid1", "u1")
    lookups.answer = False      # the account was deleted meanwhile
    with pytest.raises(Refused) as refused:
        await connections.admit("sid2", "u1")
    assert refused.value.code == "unauthorized"
    assert lookups.calls == ["u1", "u1"]


async def test_a_failed_lookup_refuses_every_connection_that_waited_for_it(
        lookups: HeldLookups) -> None:
    lookups.answer = DBConnectionError("gone")
    connections = UserConnections(limit=10)
    admits = [asyncio.ensure_future(connections.admit(f"sid{n}", "u1")) for n in range(3)]
    await _until(lambda: lookups.calls)
    lookups.release.set()
    results = await asyncio.gather(*admits, return_exceptions=True)
    assert [r.code for r in results if isinstance(r, Refused)] == ["unavailable"] * 3
    assert lookups.calls == ["u1"] and connections.open_for("u1") == 0


async def test_a_connection_gone_while_waiting_leaves_the_lookup_to_the_others(
        lookups: HeldLookups) -> None:
    connections = UserConnections(limit=10)
    first = asyncio.ensure_future(connections.admit("sid1", "u1"))
    second = asyncio.ensure_future(connections.admit("sid2", "u1"))
    await _until(lambda: lookups.calls)
    first.cancel()
    await asyncio.sleep(0)
    lookups.release.set()
    await second
    assert first.cancelled() and connections.open_for("u1") == 1


async def test_tabs_of_one_user_opened_at_once_are_all_welcomed(signup: Any,
                                                                open_tab: Any) -> None:
    acct = await signup()
    tabs = await asyncio.gather(*(open_tab(acct) for _ in range(4)))
    assert {tab.welcome()["user_id"] for tab in tabs} == {acct.user_id}
