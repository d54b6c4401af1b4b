"""Argon2 password hashing and the failed-login throttle (with a controlled clock)."""
from __future__ import annotations

import asyncio

import pytest

from taskpulse.auth.passwords import hash_password, verify_password
from taskpulse.auth.throttle import MemoryThrottle


async def test_password_is_stored_as_an_argon2id_hash() -> None:
    hashed = await hash_password("correct horse")
    assert hashed.startswith("$argon2id$")
    assert "correct horse" not in hashed
    assert await hash_password("correct horse") != hashed      # salted


async def test_verify_accepts_the_password_and_rejects_others() -> None:
    hashed = await hash_password("correct horse")
    assert await verify_password(hashed, "correct horse")
    assert not await verify_password(hashed, "correct horsE")
    assert not await verify_password(hashed, "")


async def test_verify_with_a_corrupt_hash_is_false_not_an_error() -> None:
    assert not await verify_password("not-a-hash", "whatever")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def throttle(clock: Clock) -> MemoryThrottle:
    return MemoryThrottle(max_failures=3, window_seconds=60, clock=clock)


async def test_key_is_free_until_the_limit_of_failures(throttle: MemoryThrottle,
                                                       clock: Clock) -> None:
    for _ in range(2):
        await throttle.record_failure("k")
        clock.now += 1
    assert await throttle.retry_after("k") == 0
    await throttle.record_failure("k")
    assert await throttle.retry_after("k") == 58       # first failure leaves at 1060


async def test_waiting_out_the_window_frees_the_key(throttle: MemoryThrottle,
                                                    clock: Clock) -> None:
    for _ in range(3):
        await throttle.record_failure("k")
    clock.now += 60
    assert await throttle.retry_after("k") == 0
    assert len(throttle) == 0                         # forgotten, not kept empty


async def test_keys_are_independent(throttle: MemoryThrottle) -> None:
    for _ in range(3):
        await throttle.record_failure("a")
    assert await throttle.retry_after("a") > 0
    assert await throttle.retry_after("b") == 0


async def test_reset_clears_a_key(throttle: MemoryThrottle) -> None:
    for _ in range(3):
        await throttle.record_failure("a")
    await throttle.reset("a")
    assert await throttle.retry_after("a") == 0


async def test_retry_after_is_at_least_one_second(throttle: MemoryThrottle,
                                                  clock: Clock) -> None:
    for _ in range(3):
        await throttle.record_failure("a")
    clock.now += 59.9
    assert await throttle.retry_after("a") == 1


async def test_stale_keys_are_swept_so_memory_stays_bounded(clock: Clock) -> None:
    throttle = MemoryThrottle(max_failures=3, window_seconds=60, clock=clock)
    throttle.SWEEP_EVERY = 10
    for i in range(9):
        await throttle.record_failure(f"old{i}")
    clock.now += 61
    await throttle.record_failure("new")              # tenth new key triggers a sweep
    assert len(throttle) == 1


async def test_reserving_counts_the_attempt_until_forgiven(throttle: MemoryThrottle) -> None:
    tickets = [await throttle.reserve("k") for _ in range(4)]
    assert [wait for wait, _ in tickets[:3]] == [0, 0, 0]
    assert tickets[3][0] > 0 and tickets[3][1] == ""        # the fourth is refused
    await throttle.forgive("k", tickets[0][1])
    assert await throttle.retry_after("k") == 0
    assert (await throttle.reserve("k"))[0] == 0


async def test_parallel_reservations_never_exceed_the_limit(throttle: MemoryThrottle) -> None:
    results = await asyncio.gather(*(throttle.reserve("k") for _ in range(20)))
    assert sum(1 for wait, _ in results if wait == 0) == 3
