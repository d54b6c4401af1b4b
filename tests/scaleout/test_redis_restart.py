"""Liveness survives a Redis restart: Redis (no persistence, the test's own) is restarted
while a run is going on each of two processes; no run is marked interrupted, and each
tab, back with its position, gets the runs' terminal events, or a resync (its position is
gone with the restart) after which the runs read as done over HTTP."""
from __future__ import annotations

import asyncio

import pytest

from tests.scaleout.cluster import Cluster
from tests.scaleout.test_runs_across_processes import (SLOW, ended, get, run_events,
                                                       start_slow_run)
from tests.services import OwnRedis

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture
async def redis_url(own_redis: OwnRedis) -> str:
    return own_redis.url


async def test_no_run_is_marked_interrupted_when_redis_restarts_under_them(
        cluster: Cluster, tab, own_redis: OwnRedis) -> None:
    a, b = await cluster.start(2, **SLOW)
    acct = await cluster.signup(a)
    on_a, on_b = await tab(a.url, acct), await tab(b.url, acct)
    runs = [await start_slow_run(on_a), await start_slow_run(on_b)]
    await on_a.wait_for(lambda: all(any(n == "agent_token" for n, _ in run_events(on_a, r))
                                    for r, _ in runs))
    own_redis.stop()                    # every heartbeat key, stream and subscription gone
    await asyncio.sleep(1.0)            # > 3 heartbeats of 0.3 s: the keys would have expired
    await own_redis.start()
    for run_id, _ in runs:
        for _ in range(100):
            run = (await get(b.url, f"/api/{acct.user_id}/runs/{run_id}", acct))["run"]
            if run["status"] != "running":
                break
            await asyncio.sleep(0.1)
        assert run["status"] == "done", run
    for t, server in ((on_a, a), (on_b, b)):
        # The renewed subscription closed the tab (events may have been lost meanwhile);
        # it comes back with its position, as every client does.
        await asyncio.wait_for(t.disconnected.wait(), 10)
        moved = await tab(server.url, acct, last_event_id=t.stream_ids()[-1])
        for run_id, _ in runs:
            await moved.wait_for(lambda m=moved, r=run_id: "resync" in m.names() or ended(m, r),
                                 timeout=10)
            if "resync" not in moved.names():
                assert run_events(moved, run_id)[-1][0] == "agent_done"
    logs = cluster.logs()
    assert "marked interrupted" not in logs, logs
