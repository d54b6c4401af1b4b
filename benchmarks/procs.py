"""Processes for the benchmark: servers pinned to a core, the Node load generator, /proc readers.

Everything listens on 127.0.0.1; every wait has a deadline; every process started here is
ended here (by its own pid).
"""
from __future__ import annotations

import json
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NODE_DIR = ROOT / "benchmarks" / "node"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


class BenchError(RuntimeError):
    """The harness itself failed (a peer did not start, a client could not connect...)."""


def raise_fd_limit(want: int = 65536) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(want, hard) if hard != resource.RLIM_INFINITY else want
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def pinned(cmd: list[str], core: int | None) -> list[str]:
    if core is None or not shutil.which("taskset") or (os.cpu_count() or 1) <= core:
        return cmd
    return ["taskset", "-c", str(core), *cmd]


def cpu_seconds(pid: int) -> float:
    """utime + stime of the whole process (all threads), in seconds."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as fh:
        return int(fh.read().split()[1]) * PAGE


def _readline(proc: subprocess.Popen[str], deadline: float, what: str) -> str:
    assert proc.stdout is not None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise BenchError(f"timed out waiting for {what}")
        ready, _, _ = select.select([proc.stdout], [], [], min(left, 0.5))
        if ready:
            line = proc.stdout.readline()
            if not line:
                raise BenchError(f"{what}: process exited (code {proc.poll()})")
            return line.strip()
        if proc.poll() is not None:
            raise BenchError(f"{what}: process exited (code {proc.returncode})")


def _stop(proc: subprocess.Popen[str], grace: float = 5.0) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@dataclass
class Server:
    """A peer server: ``cmd`` must print ``READY <port>`` once listening."""
    name: str
    cmd: list[str]
    env: dict[str, str] = field(default_factory=dict)
    core: int | None = 0
    proc: subprocess.Popen[str] | None = None
    port: int = 0
    log_path: Path | None = None

    def start(self, log_dir: Path, timeout: float = 30.0) -> "Server":
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{self.name.replace(' ', '_')}.log"
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        self.proc = subprocess.Popen(pinned(self.cmd, self.core), cwd=ROOT, env=env, text=True,
                                     stdout=subprocess.PIPE,
                                     stderr=open(self.log_path, "a"))
        line = _readline(self.proc, time.monotonic() + timeout, f"{self.name} to start")
        while not line.startswith("READY "):
            line = _readline(self.proc, time.monotonic() + timeout, f"{self.name} to start")
        self.port = int(line.split()[1])
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def control(self, path: str, timeout: float = 120.0, **query: Any) -> Any:
        qs = "&".join(f"{k}={v}" for k, v in query.items())
        req = urllib.request.Request(f"{self.url}/bench/{path}?{qs}", data=b"", method="POST")
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read())

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc)
            self.proc = None

    def log_tail(self, n: int = 20) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])


class LoadGen:
    """The Node load generator (benchmarks/node/loadgen.js) on its own core."""

    def __init__(self, url: str, kind: str, transport: str = "websocket",
                 core: int | None = 1) -> None:
        cfg = json.dumps({"url": url, "kind": kind, "transport": transport})
        cmd = pinned(["node", "--max-old-space-size=4096", str(NODE_DIR / "loadgen.js"), cfg],
                     core)
        self.proc = subprocess.Popen(cmd, cwd=ROOT, text=True, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=sys.stderr)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def call(self, wait_s: float, **msg: Any) -> Any:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()
        line = _readline(self.proc, time.monotonic() + wait_s, f"load generator {msg['cmd']}")
        return json.loads(line)

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.call(30, cmd="close")
        except (BenchError, BrokenPipeError, OSError):
            pass
        _stop(self.proc)


def npm_ci() -> None:
    """Install the pinned Node packages (benchmarks/node/package-lock.json) when missing."""
    marker = NODE_DIR / "node_modules" / ".package-lock.json"
    lock = NODE_DIR / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    if not shutil.which("npm"):
        raise BenchError("node and npm are needed for the benchmark peers")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_DIR,
                   check=True, timeout=300)
