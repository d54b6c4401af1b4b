"""A storm of reconnecting tabs: two processes on a Redis of the test's own behind the shipped
nginx config, a thousand official socket.io-client tabs (500 users x 2), events flowing to
every user, then SIGKILL of the process holding the tabs. Every tab gets every event of its
user exactly once and in order (none comes back connected but dead), and catches up within
the client's reconnection delay plus a bounded time."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from taskpulse.auth.tokens import TokenService
from taskpulse.delivery.redis_log import RedisEventLog, broadcast_frame
from taskpulse.protocol.envelope import sealed
from taskpulse.protocol.events import NAMESPACE, TaskUpdated, user_room
from tests.conftest import TEST_SECRET
from tests.scaleout.cluster import Cluster, Server
from tests.services import OwnRedis
from tests.web.socket.node import NodeClient

pytestmark = [pytest.mark.redis, pytest.mark.node]

USERS = int(os.environ.get("TASKPULSE_TEST_STORM_USERS", "500"))
TABS_PER_USER = 2
EVERY_SECONDS = 0.5          # each user gets an event this often
BEFORE_KILL, AFTER_KILL = 3.0, 8.0
# With its default settings the client waits 0.5-1.5 s before reconnecting; the issue's
# target is every tab caught up within 2.5 s of the kill. Asserted with room for a loaded
# CI machine; the numbers measured are printed.
CAUGHT_UP_LIMIT_SECONDS = 10.0
TASK = {"id": "", "title": "", "description": "", "due_date": None, "priority": "medium",
        "completed": False, "created_at": "2026-01-01T00:00:00.000Z",
        "updated_at": "2026-01-01T00:00:00.000Z"}


@pytest.fixture
async def redis_url(tmp_path: Path) -> AsyncIterator[str]:
    """A Redis of this test's own (the storm would disturb other tests on the shared one)."""
    own = await OwnRedis(tmp_path).start()
    yield own.url
    own.stop()


class Publisher:
    """Publishes like a third process: the same one-step append-and-broadcast."""

    def __init__(self, redis_url: str, prefix: str, users: list[str]) -> None:
        import redis.asyncio as aioredis
        self.redis = aioredis.from_url(redis_url)
        self.log = RedisEventLog(self.redis, prefix)
        self.channel = f"{prefix}:socketio"
        self.users = users
        self.published: dict[str, list[tuple[str, float]]] = {u: [] for u in users}

    async def one(self, user_id: str, n: int) -> None:
        event = TaskUpdated(task={**TASK, "id": f"{n}", "title": f"v{n}"})
        logged = await self.log.append_and_broadcast(
            user_id, event.name, sealed(event), self.channel,
            broadcast_frame(user_room(user_id), event.name, NAMESPACE))
        self.published[user_id].append((logged.id, time.monotonic() * 1000))

    async def run(self, seconds: float, start: int) -> int:
        n, deadline = start, time.monotonic() + seconds
        while time.monotonic() < deadline:
            began = time.monotonic()
            await asyncio.gather(*(self.one(user, n) for user in self.users))
            n += 1
            await asyncio.sleep(max(0.0, EVERY_SECONDS - (time.monotonic() - began)))
        return n


async def _accounts(cluster: Cluster, count: int) -> list[str]:
    """``count`` users, written to the cluster's database at once (signing up a thousand
    users through the API would spend a minute hashing passwords)."""
    import asyncpg
    url = cluster.env["TASKPULSE_DATABASE_URL"].replace("postgres://", "postgresql://")
    users = [uuid.uuid4() for _ in range(count)]
    conn = await asyncpg.connect(url)
    try:
        await conn.executemany(
            'INSERT INTO "user" (id, email, name, password_hash, created_at) '
            "VALUES ($1, $2, '', '!', now())",
            [(u, f"storm-{u}@example.com") for u in users])
    finally:
        await conn.close()
    return [str(u) for u in users]


def _holder(servers: list[Server]) -> Server:
    """The process the tabs reached (nginx hashes one client address to one process)."""
    return max(servers, key=lambda s: s.output().count(" connected on "))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _check_tab(tab: dict[str, Any], published: list[tuple[str, float]]) -> list[str]:
    """What is wrong with one tab: lost, duplicated or reordered events, a resync."""
    start = tab["start"]
    key = (lambda i: tuple(int(p) for p in i.split("-")))
    expected = [i for i, _ in published if start is None or key(i) > key(start)]
    got = [i for i, _ in tab["received"]]
    problems = []
    if tab["resyncs"]:
        problems.append(f"{tab['resyncs']} resync(s)")
    if tab["disorder"]:
        problems.append(f"{tab['disorder']} duplicate or out-of-order event(s)")
    if got != expected:
        missing = len(set(expected) - set(got))
        problems.append(f"{missing} of {len(expected)} events lost")
    return problems


def _caught_up_seconds(tab: dict[str, Any], published: list[tuple[str, float]],
                       killed_at: float) -> float:
    """Seconds from the kill until the tab had the first event published after it (sent
    while the tab was away: it arrives with the replay once the tab is back)."""
    first = min(((t, i) for i, t in published if t > killed_at), default=None)
    if first is None:
        return 0.0
    arrival = next(t for i, t in tab["received"] if i == first[1])
    return (arrival - killed_at) / 1000


async def test_a_thousand_tabs_catch_up_exactly_after_their_process_is_killed(
        cluster: Cluster, redis_url: str, redis_prefix: str) -> None:
    servers = await cluster.start(2)
    url = await cluster.start_nginx(servers, worker_connections=8192)
    users = await _accounts(cluster, USERS)
    tokens = TokenService(TEST_SECRET, 3600)
    node = await NodeClient.start("mass_tabs.mjs", json.dumps({
        "url": url, "tokens": [tokens.issue(u) for u in users],
        "tabsPerUser": TABS_PER_USER}))
    publisher = Publisher(redis_url, redis_prefix, users)
    try:
        await node.read_until(lambda line: line["type"] == "ready", timeout=120)
        n = await publisher.run(BEFORE_KILL, 0)
        victim = _holder(servers)
        victim.signal(signal.SIGKILL)
        killed_at = time.monotonic() * 1000
        await publisher.run(AFTER_KILL, n)
        await asyncio.sleep(2.0)     # the last events reach the tabs
        await node.send("report")
        report = await node.read_until(lambda line: line["type"] == "report", timeout=60)
    finally:
        await publisher.redis.aclose()
        if node.proc.returncode is None:
            node.proc.kill()
            await node.proc.wait()
    tabs = report["tabs"]
    if os.environ.get("TASKPULSE_TEST_STORM_DUMP"):
        Path(os.environ["TASKPULSE_TEST_STORM_DUMP"]).write_text(json.dumps(
            {"tabs": tabs, "users": users, "published": publisher.published,
             "killed_at": killed_at}))
    assert len(tabs) == USERS * TABS_PER_USER
    broken = {n: p for n, tab in enumerate(tabs)
              if (p := _check_tab(tab, publisher.published[users[tab["user"]]]))}
    assert not broken, f"{len(broken)} tab(s): {dict(list(broken.items())[:5])}"
    moved = [tab for tab in tabs if tab["disconnects"]]
    assert moved and all(tab["connected"] for tab in tabs)
    times = [_caught_up_seconds(tab, publisher.published[users[tab["user"]]], killed_at)
             for tab in moved]
    print(f"\n{len(moved)} tabs moved; caught up after the kill: p50 "
          f"{_percentile(times, 0.5):.2f} s, p95 {_percentile(times, 0.95):.2f} s, "
          f"max {max(times):.2f} s; 0 lost, 0 duplicated, 0 resync")
    assert max(times) <= CAUGHT_UP_LIMIT_SECONDS
