"""``transport_upgraded``: tells a connection that opened on HTTP long-polling that it is now
on WebSocket.

Most Socket.IO clients open on long-polling and upgrade ~10 ms later, so the ``transport``
of ``connection_established`` usually says ``polling``. Engine.IO announces no completed
upgrade through its public API, so its public ``transport(sid)`` is read on a timer, for
connections that opened on long-polling only, once their welcome (and replay) has been sent:
soon at first, then less often, for up to ``WATCH_SECONDS``. The first time it says
``websocket`` the notice goes out, after everything sent before. A client that stays on
long-polling (WebSockets blocked, or a client told to poll) never gets it. All connections
share one loop timer (``TimerHeap``); a task exists only while a notice is being sent.
"""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from taskpulse.protocol.events import NAMESPACE, TransportUpgraded
from taskpulse.timer_heap import Entry, TimerHeap

if TYPE_CHECKING:
    import socketio

log = logging.getLogger(__name__)

FIRST_CHECK_SECONDS = 0.01
LONGEST_GAP_SECONDS = 2.0      # between two checks, once the quick ones found no upgrade
WATCH_SECONDS = 30.0           # a connection still polling after this stays unwatched

# A scheduled check: (sid, gap before it, seconds watched when it runs).
Check = tuple[str, float, float]


class UpgradeNotices:
    def __init__(self, sio: "socketio.AsyncServer") -> None:
        self.sio = sio
        self._checks = TimerHeap()
        self._timers: dict[str, Entry] = {}
        self._sending: set[asyncio.Task[None]] = set()

    def transport(self, sid: str) -> str | None:
        """``websocket`` or ``polling`` (python-socketio's public answer); None: gone."""
        try:
            return str(self.sio.transport(sid, NAMESPACE))
        except KeyError:
            return None

    def watching(self, sid: str) -> bool:
        return sid in self._timers

    def watch(self, sid: str) -> None:
        """Start checking a connection that opened on long-polling, once its welcome was
        sent (the notice must come after it)."""
        self._schedule(sid, FIRST_CHECK_SECONDS, 0.0)

    def _schedule(self, sid: str, gap: float, watched: float) -> None:
        check: Check = (sid, gap, watched + gap)
        self._timers[sid] = self._checks.call_later(gap, self._check, check)

    def _check(self, check: Check) -> None:
        sid, gap, watched = check
        self._timers.pop(sid, None)
        if not self.sio.manager.is_connected(sid, NAMESPACE):
            return
        transport = self.transport(sid)
        if transport == "websocket":
            task = asyncio.get_running_loop().create_task(self._send(sid))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)
        elif transport == "polling" and watched < WATCH_SECONDS:
            self._schedule(sid, min(gap * 2, LONGEST_GAP_SECONDS), watched)

    async def _send(self, sid: str) -> None:
        try:
            await self.sio.emit(TransportUpgraded.name,
                                TransportUpgraded().model_dump(mode="json"), to=sid,
                                namespace=NAMESPACE, ignore_queue=True)
        except Exception:
            log.exception("telling %s about its upgrade failed", sid)

    def forget(self, sid: str) -> None:
        """The connection is gone: no more checks."""
        timer = self._timers.pop(sid, None)
        if timer is not None:
            self._checks.cancel(timer)

    async def close(self) -> None:
        """Server shutdown: no more checks or notices."""
        self._checks.close()
        self._timers.clear()
        tasks = list(self._sending)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
