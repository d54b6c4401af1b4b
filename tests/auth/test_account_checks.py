"""Account checks of connecting users: users checked together in one query, a user's
tabs share one answer, nothing is remembered (a deleted account is refused at once)."""
from __future__ import annotations

import asyncio
from collections.abc import Iterable

from taskpulse.auth.account_checks import AccountChecks


class Accounts:
    """``existing_accounts`` in place of the database."""

    def __init__(self, known: set[str]) -> None:
        self.known = known
        self.queries: list[list[str]] = []

    async def __call__(self, user_ids: Iterable[str]) -> set[str]:
        self.queries.append(list(user_ids))
        return {u for u in self.queries[-1] if u in self.known}


async def test_users_connecting_together_are_checked_in_one_query() -> None:
    accounts = Accounts({"u1", "u3"})
    checks = AccountChecks(accounts)
    answers = await asyncio.gather(*(checks.exists(u) for u in ("u1", "u2", "u3", "u1")))
    assert answers == [True, False, True, True]
    assert accounts.queries == [["u1", "u2", "u3"]]


async def test_a_deleted_account_is_refused_at_the_next_check() -> None:
    accounts = Accounts({"u1"})
    checks = AccountChecks(accounts)
    assert await checks.exists("u1")
    accounts.known.clear()
    assert not await checks.exists("u1")
