"""Real Socket.IO clients against the real server on a port."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import socketio
from aiohttp.test_utils import TestClient

from taskpulse.protocol.events import NAMESPACE
from tests.conftest import Account

STREAM_EVENTS_TIMEOUT = 15.0


class Tab:
    """One browser tab / device: a python-socketio client recording every /chat event."""

    def __init__(self, base_url: str, transports: list[str] | None = None) -> None:
        self.base_url = base_url
        self.transports = transports or ["websocket"]
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self.refusal: Any = None
        self.disconnected = asyncio.Event()
        self._changed = asyncio.Event()
        self.client.on("*", self._record, namespace=NAMESPACE)
        self.client.on("connect_error", self._refused, namespace=NAMESPACE)
        self.client.on("disconnect", self._gone, namespace=NAMESPACE)

    async def _record(self, event: str, data: Any = None) -> None:
        self.events.append((event, data))
        self._changed.set()

    async def _refused(self, data: Any = None) -> None:
        self.refusal = data
        self._changed.set()

    async def _gone(self, reason: Any = None) -> None:
        self.disconnected.set()
        self._changed.set()

    async def connect(self, auth: dict[str, Any] | None = None, *, query: str = "",
                      headers: dict[str, str] | None = None, established: bool = True) -> None:
        url = self.base_url + (f"?{query}" if query else "")
        await self.client.connect(url, auth=auth, headers=headers or {},
                                  transports=self.transports, namespaces=[NAMESPACE],
                                  wait_timeout=10)
        if established:
            await self.wait_for(lambda: self.names()[:1] == ["connection_established"])

    async def wait_for(self, predicate: Callable[[], bool],
                       timeout: float = STREAM_EVENTS_TIMEOUT) -> None:
        async def loop() -> None:
            while not predicate():
                self._changed.clear()
                await self._changed.wait()
        try:
            await asyncio.wait_for(loop(), timeout)
        except TimeoutError:
            raise AssertionError(f"timed out; events so far: {self.names()[-20:]}") from None

    async def wait_stream(self, count: int, timeout: float = STREAM_EVENTS_TIMEOUT) -> None:
        await self.wait_for(lambda: len(self.stream()) >= count, timeout)

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def stream(self) -> list[tuple[str, Any]]:
        """Events of the user's stream (they carry an ``id``), in arrival order."""
        return [(n, d) for n, d in self.events if isinstance(d, dict) and "id" in d]

    def stream_ids(self) -> list[str]:
        return [d["id"] for _, d in self.stream()]

    def welcome(self) -> dict[str, Any]:
        return next(d for n, d in self.events if n == "connection_established")

    async def call(self, event: Any, *args: Any, timeout: float = 5) -> Any:
        """Emit with an ack and return the ack (several args are sent as several args)."""
        data = args if len(args) > 1 else args[0] if args else None
        return await self.client.call(event, data, namespace=NAMESPACE, timeout=timeout)

    async def close(self) -> None:
        """Disconnect. A polling client does not wait for its pending long-poll (the server
        holds it until the next heartbeat; browsers abort it, the Python client waits)."""
        eio = self.client.eio
        await eio.disconnect(abort=eio.current_transport == "polling")


OpenTab = Callable[..., Awaitable[Tab]]


@pytest.fixture
async def open_tab(base_url: str) -> AsyncIterator[OpenTab]:
    """Open a connected tab: ``await open_tab(account, transports=[...], auth=...)``."""
    tabs: list[Tab] = []

    async def make(account: Account | None = None, *, transports: list[str] | None = None,
                   auth: dict[str, Any] | None = None, **kwargs: Any) -> Tab:
        tab = Tab(base_url, transports)
        tabs.append(tab)
        if auth is None and account is not None:
            auth = {"token": account.token}
        await tab.connect(auth, **kwargs)
        return tab

    yield make
    await asyncio.gather(*(tab.close() for tab in tabs), return_exceptions=True)


@pytest.fixture
def new_tab(base_url: str) -> Callable[..., Tab]:
    """An unconnected tab (for refusals); close it yourself or let it be refused."""
    return lambda transports=None: Tab(base_url, transports)


async def add_task(client: TestClient, account: Account, title: str) -> dict[str, Any]:
    resp = await client.post(f"/api/{account.user_id}/tasks", json={"title": title},
                             headers=account.headers)
    assert resp.status == 201, await resp.text()
    return (await resp.json())["task"]
