"""Admission: the account must exist (checked through ``AccountChecks``; its own tests
are in tests/auth/test_account_checks.py) and the user be under the connection cap."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tortoise.exceptions import DBConnectionError

from taskpulse.auth.account_checks import AccountChecks
from taskpulse.web.socket.user_connections import Refused, UserConnections


class Lookups:
    """``existing_accounts`` in place of the database."""

    def __init__(self, answer: Any = True) -> None:
        self.answer = answer
        self.asked: list[str] = []

    async def __call__(self, user_ids: Any) -> set[str]:
        user_ids = list(user_ids)
        self.asked += user_ids
        if isinstance(self.answer, BaseException):
            raise self.answer
        return set(user_ids) if self.answer else set()


def admission(lookups: Lookups, limit: int = 10) -> UserConnections:
    return UserConnections(limit, AccountChecks(lookups))


async def test_tabs_of_one_user_arriving_together_share_one_check() -> None:
    lookups = Lookups()
    connections = admission(lookups)
    await asyncio.gather(*(connections.admit(f"sid{n}", "u1") for n in range(4)),
                         connections.admit("sid9", "u2"))
    assert sorted(lookups.asked) == ["u1", "u2"]      # one per user, not one per tab
    assert connections.open_for("u1") == 4 and connections.open_for("u2") == 1


async def test_a_deleted_account_is_refused() -> None:
    connections = admission(Lookups(answer=False))
    with pytest.raises(Refused) as refused:
        await connections.admit("sid1", "u1")
    assert refused.value.code == "unauthorized" and connections.open_for("u1") == 0


async def test_a_failed_lookup_refuses_with_unavailable() -> None:
    connections = admission(Lookups(answer=DBConnectionError("gone")))
    results = await asyncio.gather(*(connections.admit(f"sid{n}", "u1") for n in range(3)),
                                   return_exceptions=True)
    assert [r.code for r in results if isinstance(r, Refused)] == ["unavailable"] * 3
    assert connections.open_for("u1") == 0


async def test_connections_over_the_limit_are_refused_and_released_ones_make_room() -> None:
    connections = admission(Lookups(), limit=2)
    await connections.admit("a", "u1")
    await connections.admit("b", "u1")
    with pytest.raises(Refused) as refused:
        await connections.admit("c", "u1")
    assert refused.value.code == "too_many_connections"
    connections.release("a")
    await connections.admit("c", "u1")
    assert connections.open_for("u1") == 2


async def test_tabs_of_one_user_opened_at_once_are_all_welcomed(signup: Any,
                                                                open_tab: Any) -> None:
    acct = await signup()
    tabs = await asyncio.gather(*(open_tab(acct) for _ in range(4)))
    assert {tab.welcome()["user_id"] for tab in tabs} == {acct.user_id}
