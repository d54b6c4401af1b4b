"""Whether the accounts of connecting users still exist, many users per query.

Admitting a live connection checks its user's account (a token outlives a deleted
account; the socket must not). Connections arriving together are checked in one query
(:class:`~taskpulse.batched_lookups.BatchedLookups`: one query in flight, users asked
about meanwhile go in the next), and a user's tabs share one answer — also the answer of
a query already in flight when a tab arrived, as the check only asks whether the account
exists. Nothing is remembered once answered.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from taskpulse.auth import accounts
from taskpulse.batched_lookups import BatchedLookups

Lookup = Callable[[Iterable[str]], Awaitable[set[str]]]

#: A check query taking longer fails its connections (refused as unavailable; they retry).
QUERY_TIMEOUT_SECONDS = 5.0


class AccountChecks:
    def __init__(self, lookup: Lookup | None = None) -> None:
        # None: ``accounts.existing_accounts``, looked up at each query (the benchmark
        # counts queries by wrapping it).
        self.lookup = lookup
        self._batches: BatchedLookups[str, bool] = BatchedLookups(
            self._query, accounts.MOST_IDS_PER_QUERY, share_in_flight=True,
            timeout=QUERY_TIMEOUT_SECONDS)

    async def _query(self, user_ids: list[str]) -> list[bool]:
        found = await (self.lookup or accounts.existing_accounts)(user_ids)
        return [user_id in found for user_id in user_ids]

    async def exists(self, user_id: str) -> bool:
        """Whether ``user_id`` has an account; raises what the query raised."""
        return await self._batches.get(user_id)

    async def close(self) -> None:
        """Server shutdown: stop asking; connections still waiting are refused."""
        await self._batches.close()
