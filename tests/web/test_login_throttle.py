"""Failed log-ins are throttled per email and per client address: 429 with Retry-After."""
from __future__ import annotations

import asyncio

import pytest

from taskpulse.keys import LOGIN_THROTTLE
from tests.web.api_helpers import error_of

PASSWORD = "correct horse battery"


@pytest.fixture
def config(config):
    return config.replace(login_max_failures=3, login_window_seconds=120)


async def fail(client, email: str, times: int) -> None:
    for _ in range(times):
        resp = await client.post("/api/auth/login", json={"email": email, "password": "nope"})
        assert resp.status == 401, await resp.text()


async def forget_address(app) -> None:
    """Clear the per-address count, so what remains is the per-email one."""
    await app[LOGIN_THROTTLE].reset("addr:127.0.0.1")


async def login(client, email: str, password: str = PASSWORD):
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def test_too_many_failures_for_an_email_is_429_with_retry_after(client, signup, app):
    await signup("ann@example.com")
    await fail(client, "ann@example.com", 3)
    await forget_address(app)
    resp = await login(client, "ann@example.com")           # even the right password
    error = await error_of(resp, 429)
    assert error["code"] == "too_many_attempts"
    retry = int(resp.headers["Retry-After"])
    assert 0 < retry <= 120 and error["retry_after"] == retry
    assert str(retry) in error["message"]


async def test_the_email_key_ignores_case(client, signup, app):
    await signup("ann@example.com")
    await fail(client, "ANN@example.com", 3)
    await forget_address(app)
    await error_of(await login(client, "ann@example.com"), 429)


async def test_a_success_before_the_limit_resets_the_email_count(client, signup, app):
    await signup("ann@example.com")
    await fail(client, "ann@example.com", 2)
    assert (await login(client, "ann@example.com")).status == 200
    await forget_address(app)                        # isolate the email counter
    await fail(client, "ann@example.com", 2)
    assert (await login(client, "ann@example.com")).status == 200


async def test_failures_across_many_emails_throttle_the_client_address(client, signup, app):
    await signup("ann@example.com")
    for i in range(3):
        await fail(client, f"guess{i}@example.com", 1)
    assert await app[LOGIN_THROTTLE].retry_after("addr:127.0.0.1") > 0
    resp = await login(client, "ann@example.com")
    assert (await error_of(resp, 429))["code"] == "too_many_attempts"
    assert "Retry-After" in resp.headers


async def test_another_address_may_still_log_in_to_a_throttled_email(client, signup, app):
    await signup("ann@example.com")
    await fail(client, "bob@example.com", 3)        # this address is now throttled
    resp = await login(client, "ann@example.com")
    await error_of(resp, 429)
    await forget_address(app)                        # as if from another address
    assert (await login(client, "ann@example.com")).status == 200


async def test_throttled_attempts_do_not_check_the_password(client, signup, app):
    await signup("ann@example.com")
    await fail(client, "ann@example.com", 3)
    await forget_address(app)
    for _ in range(3):                               # refused early, never a 401
        await error_of(await login(client, "ann@example.com", "nope"), 429)


async def test_parallel_wrong_guesses_cannot_slip_past_the_limit(client, signup, config):
    """Attempts are counted before the (slow) password check, so a burst is cut off too."""
    await signup("ann@example.com")
    resps = await asyncio.gather(*(client.post("/api/auth/login", json={
        "email": "ann@example.com", "password": f"guess{i}"}) for i in range(20)))
    statuses = [r.status for r in resps]
    assert statuses.count(401) == config.login_max_failures
    assert statuses.count(429) == 20 - config.login_max_failures


async def test_a_successful_log_in_is_not_counted_against_the_address(client, signup, app):
    await signup("ann@example.com")
    await fail(client, "bob@example.com", 2)
    assert (await login(client, "ann@example.com")).status == 200
    assert await app[LOGIN_THROTTLE].retry_after("addr:127.0.0.1") == 0
