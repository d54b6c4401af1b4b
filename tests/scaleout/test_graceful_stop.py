"""SIGTERM on a single process (no Redis): new runs are refused, the running one finishes
while its tabs watch, then the connections close and the process exits with status 0."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp

from taskpulse.config import ROOT
from tests.conftest import TEST_SECRET
from tests.web.socket.conftest import Tab
from tests.scaleout.cluster import Cluster


async def test_sigterm_without_redis_finishes_the_run_then_closes_the_tabs(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TASKPULSE_", "GROQ_"))}
    env.update(TASKPULSE_ENV="test", TASKPULSE_SECRET_KEY=TEST_SECRET,
               TASKPULSE_DATABASE_URL=f"sqlite://{tmp_path}/db.sqlite3",
               TASKPULSE_VAR_DIR=str(tmp_path / "var"), TASKPULSE_HOST="127.0.0.1",
               TASKPULSE_OFFLINE_CHUNK_DELAY_MS="60", TASKPULSE_SHUTDOWN_GRACE_SECONDS="10")
    migrated = subprocess.run([sys.executable, "-m", "taskpulse", "migrate"], env=env,
                              cwd=ROOT, capture_output=True, timeout=60)
    assert migrated.returncode == 0, migrated.stderr
    cluster = Cluster(env, tmp_path)
    tabs: list[Tab] = []
    try:
        (server,) = await cluster.start(1)
        acct = await cluster.signup(server)
        for transports in (["websocket"], ["polling"]):
            tabs.append(Tab(server.url, transports))
            await tabs[-1].connect({"token": acct.token})
        ws, polling = tabs
        ack = await ws.call("chat_send", {"message": "help"})
        run_id = ack["run_id"]
        await ws.wait_for(lambda: "agent_token" in ws.names())
        server.signal(signal.SIGTERM)
        await asyncio.sleep(0.3)
        async with aiohttp.ClientSession() as http:      # not accepting any more
            try:
                async with http.get(server.url + "/healthz") as resp:
                    accepted = resp.status
            except aiohttp.ClientConnectionError:
                accepted = None
        assert accepted is None
        refused = await ws.call("chat_send", {"message": "hello"})
        assert refused["error"]["code"] == "unavailable"
        for tab, transport in zip(tabs, ("websocket", "polling")):
            await asyncio.wait_for(tab.disconnected.wait(), 10)
            finished = [n for n, d in tab.stream() if d.get("run_id") == run_id]
            # the last events may wait for the long-polling tab's next request
            assert finished[-1] == "agent_done", (transport, finished[-3:])
        assert await server.wait_exit(10) == 0
    finally:
        for tab in tabs:
            try:
                await tab.close()
            except Exception:
                pass
        await cluster.close()
