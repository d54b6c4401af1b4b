"""Lookups for many callers: one query in flight, keys asked for meanwhile go together
in the next, callers of one key share its answer, nothing is remembered."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest

from taskpulse.batched_lookups import BatchedLookups


class HeldQuery:
    """A query that records its keys and answers ``key.upper()`` when released."""

    def __init__(self) -> None:
        self.queries: list[list[str]] = []
        self.release = asyncio.Event()
        self.fail: BaseException | None = None

    async def __call__(self, keys: list[str]) -> list[str]:
        self.queries.append(list(keys))
        await self.release.wait()
        if self.fail is not None:
            raise self.fail
        return [key.upper() for key in keys]


async def until(condition: Any) -> None:
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("timed out")


def lookups(query: HeldQuery, share_in_flight: bool = True, most: int = 100
            ) -> BatchedLookups[str, str]:
    return BatchedLookups(query, most, share_in_flight)


async def test_keys_asked_together_go_in_one_query_and_callers_of_a_key_share_it() -> None:
    query = HeldQuery()
    batches = lookups(query)
    asks = [asyncio.ensure_future(batches.get(k)) for k in ("a", "b", "a", "c")]
    await until(lambda: query.queries)
    query.release.set()
    assert await asyncio.gather(*asks) == ["A", "B", "A", "C"]
    assert query.queries == [["a", "b", "c"]]


async def test_keys_asked_while_a_query_runs_wait_and_go_together_in_the_next() -> None:
    query = HeldQuery()
    batches = lookups(query)
    first = asyncio.ensure_future(batches.get("a"))
    await until(lambda: query.queries)
    later = [asyncio.ensure_future(batches.get(k)) for k in ("b", "c", "a")]
    await asyncio.sleep(0)
    assert len(query.queries) == 1      # one query in flight at a time
    query.release.set()
    assert await first == "A" and await asyncio.gather(*later) == ["B", "C", "A"]
    assert query.queries == [["a"], ["b", "c"]]   # the late "a" shared the query in flight


async def test_without_sharing_in_flight_a_late_caller_gets_a_query_sent_after_it_came(
        ) -> None:
    query = HeldQuery()
    batches = lookups(query, share_in_flight=False)
    first = asyncio.ensure_future(batches.get("a"))
    await until(lambda: query.queries)
    late = [asyncio.ensure_future(batches.get("a")) for _ in range(2)]
    query.release.set()
    assert await first == "A" and await asyncio.gather(*late) == ["A", "A"]
    assert query.queries == [["a"], ["a"]]


async def test_an_answer_is_not_remembered() -> None:
    query = HeldQuery()
    query.release.set()
    batches = lookups(query)
    assert await batches.get("a") == "A" and await batches.get("a") == "A"
    assert query.queries == [["a"], ["a"]]


async def test_a_failed_query_fails_its_callers_and_the_next_caller_asks_again() -> None:
    query = HeldQuery()
    query.fail = ConnectionError("gone")
    batches = lookups(query)
    asks = [asyncio.ensure_future(batches.get(k)) for k in ("a", "b")]
    await until(lambda: query.queries)
    query.release.set()
    results = await asyncio.gather(*asks, return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results)
    query.fail = None
    assert await batches.get("a") == "A"
    assert query.queries == [["a", "b"], ["a"]]


async def test_a_query_answering_the_wrong_number_of_keys_fails_its_callers() -> None:
    async def short(keys: list[str]) -> list[str]:
        return keys[:1]
    batches: BatchedLookups[str, str] = BatchedLookups(short, 10, True)
    results = await asyncio.gather(batches.get("a"), batches.get("b"), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)


async def test_a_hung_query_fails_its_callers_after_the_timeout_and_the_next_one_runs(
        ) -> None:
    query = HeldQuery()
    batches: BatchedLookups[str, str] = BatchedLookups(query, 10, True, timeout=0.05)
    hung = asyncio.ensure_future(batches.get("a"))
    await until(lambda: query.queries)
    waiting = asyncio.ensure_future(batches.get("b"))
    with pytest.raises(TimeoutError):
        await hung
    query.release.set()
    assert await waiting == "B" and query.queries == [["a"], ["b"]]


async def test_a_caller_gone_while_waiting_leaves_the_answer_to_the_others() -> None:
    query = HeldQuery()
    batches = lookups(query)
    first = asyncio.ensure_future(batches.get("a"))
    second = asyncio.ensure_future(batches.get("a"))
    await until(lambda: query.queries)
    first.cancel()
    await asyncio.sleep(0)
    query.release.set()
    assert await second == "A" and first.cancelled()


async def test_more_keys_than_one_query_takes_go_in_several() -> None:
    query = HeldQuery()
    query.release.set()
    batches = lookups(query, most=4)
    keys = [f"k{n}" for n in range(7)]
    assert await asyncio.gather(*(batches.get(k) for k in keys)) == [k.upper() for k in keys]
    assert [len(q) for q in query.queries] == [4, 3]


async def test_closing_cancels_the_callers_still_waiting() -> None:
    query = HeldQuery()
    batches = lookups(query)
    asks = [asyncio.ensure_future(batches.get("a"))]
    await until(lambda: query.queries)
    asks.append(asyncio.ensure_future(batches.get("b")))
    await asyncio.sleep(0)
    await batches.close()
    for ask in asks:
        with pytest.raises(asyncio.CancelledError):
            await ask
