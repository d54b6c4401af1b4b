"""Several real ``python -m taskpulse serve`` processes sharing one PostgreSQL database and
one Redis (a key prefix of the test's own), plus nginx in front of them when asked."""
from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from taskpulse.config import ROOT
from taskpulse.db.setup import migrate
from tests.conftest import TEST_SECRET, Account, make_config
from tests.services import create_pg_database, drop_pg_database

START_SECONDS = 30.0
NGINX_CONF = ROOT / "deploy" / "nginx.conf"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """One ``taskpulse serve`` process; its output goes to ``<name>.log``."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.port = free_port()
        self.env = {**env, "TASKPULSE_PORT": str(self.port)}
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log_path.open("ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "taskpulse", "serve"],
                                         env=self.env, cwd=ROOT, stdout=out,
                                         stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    async def wait_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                assert self.proc is not None and self.proc.poll() is None, (
                    f"{self.name} exited:\n{self.output()}")
                try:
                    async with http.get(self.url + "/healthz") as resp:
                        if resp.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.1)
        pytest.fail(f"{self.name} did not answer /healthz:\n{self.output()}")

    def signal(self, sig: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)

    async def wait_exit(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while self.proc is not None and self.proc.poll() is None:
            if time.monotonic() > deadline:
                return None
            await asyncio.sleep(0.05)
        return self.proc.returncode if self.proc is not None else None

    async def stop(self) -> None:
        self.signal(signal.SIGKILL)
        await self.wait_exit(10)


class Cluster:
    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.servers: list[Server] = []
        self.nginx: subprocess.Popen[bytes] | None = None
        self._users = 0

    async def start(self, count: int, **env: str) -> list[Server]:
        names = [f"p{len(self.servers) + i + 1}" for i in range(count)]
        new = [Server(name, {**self.env, **env}, self.log_dir) for name in names]
        self.servers += new
        for server in new:
            server.start()
        await asyncio.gather(*(s.wait_ready() for s in new))
        return new

    async def signup(self, server: Server) -> Account:
        self._users += 1
        email = f"user{self._users}@example.com"
        async with aiohttp.ClientSession() as http:
            async with http.post(server.url + "/api/auth/signup",
                                 json={"email": email, "password": "correct horse battery"}
                                 ) as resp:
                body = await resp.json()
                assert resp.status == 201, body
        return Account(body["user"]["id"], body["token"], email, "correct horse battery")

    async def start_nginx(self, upstreams: list[Server], worker_connections: int = 256) -> str:
        """nginx with ``deploy/nginx.conf``, its upstreams and port rewritten; returns its URL."""
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            message = "nginx is not installed (apt-get install -y nginx-light)"
            if os.environ.get("TASKPULSE_REQUIRE_SERVICES") == "1":
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
        port = free_port()
        site = NGINX_CONF.read_text()
        servers = "".join(f"    server 127.0.0.1:{s.port} max_fails=1 fail_timeout=5s;\n"
                          for s in upstreams)
        site = re.sub(r"(upstream taskpulse \{\n)(?:.*\n)*?(?=\s*hash )", r"\g<1>" + servers,
                      site, count=1)
        site = re.sub(r"listen\s+80;", f"listen 127.0.0.1:{port};", site)
        site = re.sub(r"server_name\s+[^;]+;", "server_name 127.0.0.1;", site)
        prefix = self.log_dir / "nginx"
        prefix.mkdir(exist_ok=True)
        (prefix / "site.conf").write_text(site)
        (prefix / "nginx.conf").write_text(
            f"daemon off;\nworker_processes 1;\npid {prefix}/nginx.pid;\n"
            f"error_log {prefix}/error.log warn;\nworker_rlimit_nofile {worker_connections * 2};\n"
            f"events {{ worker_connections {worker_connections}; }}\n"
            f"http {{\n  access_log off;\n  client_body_temp_path {prefix}/body;\n"
            f"  proxy_temp_path {prefix}/proxy;\n  include {prefix}/site.conf;\n}}\n")
        self.nginx = subprocess.Popen([binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        async with aiohttp.ClientSession() as http:
            while True:
                try:
                    async with http.get(url + "/healthz") as resp:
                        if resp.status == 200:
                            return url
                except aiohttp.ClientConnectionError:
                    pass
                if self.nginx.poll() is not None or time.monotonic() > deadline:
                    errors = (prefix / "error.log")
                    pytest.fail("nginx did not start: " +
                                (errors.read_text() if errors.exists() else "no log"))
                await asyncio.sleep(0.05)

    async def close(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.terminate()
            try:
                self.nginx.wait(5)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
        await asyncio.gather(*(s.stop() for s in self.servers))

    def logs(self) -> str:
        return "\n".join(f"--- {s.name} ---\n{s.output()[-4000:]}" for s in self.servers)


async def cluster_env(database_url: str, redis_url: str, redis_prefix: str,
                      var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TASKPULSE_", "GROQ_"))}
    env.update(TASKPULSE_ENV="test", TASKPULSE_SECRET_KEY=TEST_SECRET,
               TASKPULSE_DATABASE_URL=database_url, TASKPULSE_REDIS_URL=redis_url,
               TASKPULSE_REDIS_PREFIX=redis_prefix, TASKPULSE_VAR_DIR=str(var_dir),
               TASKPULSE_HOST="127.0.0.1", TASKPULSE_LOG_LEVEL="INFO",
               TASKPULSE_PROCESS_HEARTBEAT_SECONDS="0.3",
               TASKPULSE_SHUTDOWN_GRACE_SECONDS="5")
    await migrate(make_config(database_url=database_url, var_dir=str(var_dir)))
    return env


async def make_cluster(redis_url: str, redis_prefix: str, tmp_path: Path
                       ) -> AsyncIterator[Cluster]:
    database_url = await create_pg_database()
    cluster = Cluster(await cluster_env(database_url, redis_url, redis_prefix,
                                        tmp_path / "var"), tmp_path)
    try:
        yield cluster
    finally:
        await cluster.close()
        await drop_pg_database(database_url)


def sequence(events: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    """(name, id) of each stream event, in arrival order."""
    return [(name, data["id"]) for name, data in events
            if isinstance(data, dict) and "id" in data]
