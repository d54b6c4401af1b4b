"""Running the official socket.io JavaScript client under Node for the tests."""
from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
JS_DIR = Path(__file__).resolve().parent / "js"
LINE_LIMIT = 64 * 1024 * 1024     # a report of many tabs is one long JSON line


def node_or_skip() -> str:
    node = shutil.which("node")
    missing = None
    if node is None:
        missing = "node is not installed"
    elif not (ROOT / "node_modules" / "socket.io-client").is_dir():
        missing = "node_modules/socket.io-client is missing (run `make setup`)"
    if missing:
        if os.environ.get("TASKPULSE_REQUIRE_SERVICES") == "1":
            pytest.fail(missing + " and TASKPULSE_REQUIRE_SERVICES=1", pytrace=False)
        pytest.skip(missing)
    assert node is not None
    return node


class NodeClient:
    """A Node process printing JSON lines; ``lines`` holds what it printed so far."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[dict[str, Any]] = []

    @classmethod
    async def start(cls, script: str, *args: str) -> "NodeClient":
        proc = await asyncio.create_subprocess_exec(
            node_or_skip(), str(JS_DIR / script), *args, cwd=str(ROOT),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, limit=LINE_LIMIT)
        return cls(proc)

    async def send(self, line: str) -> None:
        """Write a line to the script's standard input."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        await self.proc.stdin.drain()

    async def read_until(self, predicate: Any, timeout: float = 15) -> dict[str, Any]:
        """Read lines until one matches; fail with everything seen on timeout or exit."""
        assert self.proc.stdout is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            try:
                raw = await asyncio.wait_for(self.proc.stdout.readline(), max(remaining, 0.01))
            except TimeoutError:
                raise AssertionError(f"node printed no matching line: {self.lines}") from None
            if not raw:
                stderr = await self.proc.stderr.read() if self.proc.stderr else b""
                raise AssertionError(f"node exited: {self.lines} {stderr.decode()[-2000:]}")
            line = json.loads(raw)
            self.lines.append(line)
            if predicate(line):
                return line

    async def finish(self, timeout: float = 15) -> int:
        try:
            await asyncio.wait_for(self.read_rest(), timeout)
            return await asyncio.wait_for(self.proc.wait(), timeout)
        finally:
            if self.proc.returncode is None:
                self.proc.kill()
                await self.proc.wait()

    async def read_rest(self) -> None:
        assert self.proc.stdout is not None
        async for raw in self.proc.stdout:
            self.lines.append(json.loads(raw))

    def events(self) -> list[tuple[str, Any]]:
        return [(line["name"], line["data"]) for line in self.lines if line["type"] == "event"]
