"""What ``make run`` does, for real: migrate, serve in its own process, use it with a plain
HTTP client as a new user would, then stop it with SIGTERM."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from taskpulse.config import ROOT

PASSWORD = "correct horse battery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TASKPULSE_", "GROQ_"))}
    port = free_port()
    env.update(TASKPULSE_DATABASE_URL=f"sqlite://{tmp_path}/var/taskpulse.sqlite3",
               TASKPULSE_VAR_DIR=str(tmp_path / "var"), TASKPULSE_PORT=str(port))
    migrate = subprocess.run([sys.executable, "-m", "taskpulse", "migrate"], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert migrate.returncode == 0, migrate.stderr
    proc = subprocess.Popen([sys.executable, "-m", "taskpulse", "serve"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield f"http://127.0.0.1:{port}", proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)


async def wait_until_up(base: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()[1]
            try:
                async with http.get(base + "/healthz") as resp:
                    if resp.status == 200 and (await resp.json())["status"] == "ok":
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
    pytest.fail("the server did not answer /healthz within 30 s")


async def test_served_app_signs_up_logs_in_and_keeps_tasks_then_stops_on_sigterm(server):
    base, proc = server
    await wait_until_up(base, proc)
    jar = aiohttp.CookieJar(unsafe=True)     # keep cookies for 127.0.0.1, like a browser
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.get(base + "/") as resp:          # a visitor lands on the login page
            assert resp.status == 200 and resp.content_type == "text/html"
            assert str(resp.url).endswith("/login")
        async with http.post(base + "/api/auth/signup", json={
                "email": "new@example.com", "password": PASSWORD, "name": "New"}) as resp:
            assert resp.status == 201, await resp.text()
            user_id = (await resp.json())["user"]["id"]
        async with http.get(base + "/tasks") as resp:      # the cookie opens the board
            assert resp.status == 200 and str(resp.url).endswith("/tasks")
    async with aiohttp.ClientSession() as http:               # another device: log in
        async with http.post(base + "/api/auth/login", json={
                "email": "new@example.com", "password": PASSWORD}) as resp:
            assert resp.status == 200
            auth = {"Authorization": "Bearer " + (await resp.json())["token"]}
        url = f"{base}/api/{user_id}/tasks"
        async with http.post(url, json={"title": "buy milk", "due_date": "2030-01-01"},
                             headers=auth) as resp:
            assert resp.status == 201
        async with http.get(url, headers=auth) as resp:
            assert [t["title"] for t in (await resp.json())["tasks"]] == ["buy milk"]

    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=10)
    assert proc.returncode == 0, stderr
    assert time.monotonic() - started < 6
    assert "Traceback" not in stderr
    assert "Taskpulse on http://127.0.0.1:" in stderr and "Taskpulse stopped" in stderr
