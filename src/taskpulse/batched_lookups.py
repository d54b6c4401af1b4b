"""Lookups made for many callers at once: one query in flight, the keys asked for
meanwhile go together in the next one.

Connections arriving by the thousand (every tab coming back after a restart, a balancer
moving them) each need a database or Redis read before they are admitted. One read per
connection makes those reads most of the cost of connecting; here a caller's key waits
while a query is in flight and goes with every other key asked for meanwhile (up to
``most`` per query). Callers asking for the same key share its answer: while it waits for
the next query always, and while its query is in flight only with ``share_in_flight`` (a
read that must start after the caller arrived, such as a catch-up read behind a buffer
opened just before, must not share one already sent). Nothing is remembered once
answered. A query that takes longer than ``timeout`` seconds fails its callers (and is
cancelled), so one hung query cannot hold up every later caller.
"""
from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: Answers the keys it is given, in their order; raises to fail all of them.
Query = Callable[[list[K]], Awaitable[Sequence[V]]]


class BatchedLookups(Generic[K, V]):
    def __init__(self, query: Query[K, V], most: int, share_in_flight: bool,
                 timeout: float | None = None) -> None:
        self.query = query
        self.most = most
        self.share_in_flight = share_in_flight
        self.timeout = timeout
        self._next: dict[K, asyncio.Future[V]] = {}      # waiting for the next query
        self._asked: dict[K, asyncio.Future[V]] = {}     # in the query in flight
        self._running: asyncio.Task[None] | None = None

    async def get(self, key: K) -> V:
        """``key``'s answer; raises what its query raised."""
        answer = self._next.get(key)
        if answer is None and self.share_in_flight:
            answer = self._asked.get(key)
        if answer is None:
            answer = asyncio.get_running_loop().create_future()
            self._next[key] = answer
            if self._running is None:
                self._running = asyncio.ensure_future(self._ask())
        # A caller that goes away while waiting must not cancel the others' answer.
        return await asyncio.shield(answer)

    async def _ask(self) -> None:
        try:
            while self._next:
                batch = dict(itertools.islice(self._next.items(), self.most))
                for key in batch:
                    del self._next[key]
                self._asked = batch
                await self._answer(batch)
                self._asked = {}
        finally:
            self._running = None
            for answer in itertools.chain(self._asked.values(), self._next.values()):
                answer.cancel()     # only when this task itself was cancelled (shutdown)
            self._asked, self._next = {}, {}

    async def _answer(self, batch: dict[K, asyncio.Future[V]]) -> None:
        try:
            async with asyncio.timeout(self.timeout):
                values = await self.query(list(batch))
            if len(values) != len(batch):
                raise RuntimeError(f"{len(values)} answers for {len(batch)} keys")
        except Exception as exc:
            for answer in batch.values():
                answer.set_exception(exc)
                answer.exception()   # retrieved: every caller may have gone already
            return
        for answer, value in zip(batch.values(), values):
            answer.set_result(value)

    async def close(self) -> None:
        """Shutdown: stop asking; callers still waiting are cancelled."""
        if self._running is not None:
            self._running.cancel()
            await asyncio.gather(self._running, return_exceptions=True)
