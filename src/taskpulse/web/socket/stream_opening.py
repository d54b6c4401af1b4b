"""A connection's life after the handshake: welcome, catch-up, room, token expiry.

Ordering (no gap, no duplicate): :meth:`Publisher.publish` appends to the log and emits to
the user's room while holding the user's lock. A new connection takes the same lock, sends
``connection_established``, replays the log after the client's ``last_event_id`` and only
then joins ``user:<id>``. An event published before the lock was taken is in the log (so it
is replayed); one published after is emitted to the room the connection has joined.
With Redis (several processes) :meth:`Publisher.opening` buffers instead of locking; the
gate is told the newest id the connection was given (see ``redis_relay``).

python-socketio sends the CONNECT packet only after the connect handler returns, so this
runs in a task started by the handler that first waits until the connection is complete:
anything sent earlier would reach the client before its namespace is connected.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from taskpulse.delivery.event_log import LoggedEvent, parse_id
from taskpulse.protocol.timestamps import now_iso
from taskpulse.protocol.events import (NAMESPACE, ConnectionEstablished, Event, Resync,
                                       TokenExpired)
from taskpulse.timer_heap import Entry, TimerHeap
from taskpulse.web.socket.publishing import Publisher

if TYPE_CHECKING:
    import socketio

log = logging.getLogger(__name__)

CONNECT_WAIT_SECONDS = 10.0
OPEN_SECONDS = 5.0     # longest the stream may take to open before the connection closes


class StreamOpener:
    def __init__(self, sio: "socketio.AsyncServer", publisher: Publisher,
                 drop: Callable[[str], Awaitable[Any]]) -> None:
        self.sio = sio
        self.publisher = publisher
        self.drop = drop      # closes a connection at the transport (it reconnects)
        # Token expiry: one heap entry per open connection, one loop timer for all (no
        # task sleeping for an hour per connection); a task exists only while a token is
        # actually being expired.
        self._expiries = TimerHeap()
        self._timers: dict[str, Entry] = {}
        self._expiring: set[asyncio.Task[None]] = set()

    def connected(self, sid: str) -> bool:
        return bool(self.sio.manager.is_connected(sid, NAMESPACE))

    async def wait_connected(self, sid: str) -> bool:
        """Until the CONNECT packet is queued; False if the connection went away."""
        manager = self.sio.manager
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CONNECT_WAIT_SECONDS
        delay = 0.0
        while not self.connected(sid):
            if not manager.is_pre_connected(sid, NAMESPACE) or loop.time() > deadline:
                return False
            await asyncio.sleep(delay)
            delay = min(0.05, delay + 0.005)
        return True

    async def _send(self, sid: str, event: Event) -> None:
        await self.sio.emit(event.name, event.model_dump(mode="json"), to=sid,
                            namespace=NAMESPACE, ignore_queue=True)

    async def run(self, sid: str, user_id: str, expires_at: float,
                  catch_up: bool, last_event_id: str | None) -> None:
        """The connection's opening task: open the stream, then set the expiry timer.

        A connection is never left open without its stream: when opening it fails (the
        event log unreachable or too busy), the connection is closed at the transport, a
        lost connection that the client repairs by reconnecting with its position."""
        try:
            if not await self.wait_connected(sid):
                return
            async with asyncio.timeout(OPEN_SECONDS):   # a hung Redis must not hold it
                await self.open(sid, user_id, catch_up, last_event_id)
            if self.connected(sid):
                self.expire_at(sid, expires_at)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("opening the stream of %s failed (%s); closing the connection so "
                        "its client reconnects", sid, exc.__class__.__name__)
            await self.drop(sid)

    async def open(self, sid: str, user_id: str, catch_up: bool,
                   last_event_id: str | None) -> None:
        async with self.publisher.opening(sid, user_id) as gate:
            if not self.connected(sid):
                return
            newest, missed = await self.publisher.log.opening(
                user_id, last_event_id if catch_up else None)
            transport = self.sio.transport(sid, NAMESPACE)
            await self._send(sid, ConnectionEstablished(
                user_id=user_id, sid=sid, transport=transport, server_time=now_iso(),
                last_event_id=newest))
            given = newest
            if catch_up:
                if last_event_id is None:   # sent, but not a string
                    missed = None
                given = await self._replay(sid, missed, last_event_id, newest) or newest
            if self.connected(sid):   # no await between the check and joining
                await gate.join(given)

    async def _replay(self, sid: str, missed: list[LoggedEvent] | None,
                      last_event_id: str | None, newest: str | None) -> str | None:
        """Send what the client missed; returns the newest id sent (None: nothing)."""
        if missed is None:
            await self._send(sid, resync_for(last_event_id, newest))
            return None
        log.debug("replaying %d events to %s", len(missed), sid)
        for event in missed:
            await self.sio.emit(event.name, event.data, to=sid, namespace=NAMESPACE,
                                ignore_queue=True)
        return missed[-1].id if missed else None

    def expire_at(self, sid: str, expires_at: float) -> None:
        """Send ``token_expired`` and disconnect at ``expires_at`` (epoch seconds)."""
        self._drop_timer(sid)
        self._timers[sid] = self._expiries.call_later(expires_at - time.time(),
                                                      self._expire_now, sid)

    def _expire_now(self, sid: str) -> None:
        self._timers.pop(sid, None)
        task = asyncio.get_running_loop().create_task(self._expire_logged(sid))
        self._expiring.add(task)
        task.add_done_callback(self._expiring.discard)

    async def _expire_logged(self, sid: str) -> None:
        try:
            await self.expire(sid)
        except Exception:
            log.exception("expiring connection %s failed", sid)

    def forget(self, sid: str) -> None:
        """The connection is gone: drop its expiry timer and its catch-up mark."""
        self.publisher.forget(sid)
        self._drop_timer(sid)

    def _drop_timer(self, sid: str) -> None:
        timer = self._timers.pop(sid, None)
        if timer is not None:
            self._expiries.cancel(timer)

    async def close(self) -> None:
        """Server shutdown: no more expiries."""
        self._expiries.close()
        self._timers.clear()
        tasks = list(self._expiring)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def expire(self, sid: str) -> None:
        if not self.connected(sid):
            return
        await self._send(sid, TokenExpired(
            message="Your session has expired; refresh the token and reconnect."))
        await self.sio.disconnect(sid, namespace=NAMESPACE)


def resync_for(last_event_id: str | None, newest: str | None) -> Resync:
    """Why a ``last_event_id`` cannot be caught up from."""
    key = parse_id(last_event_id) if last_event_id is not None else None
    newest_key = parse_id(newest) if newest else None
    if key is None or newest_key is None or key > newest_key:
        return Resync(reason="unknown_event_id", message=(
            "This server does not know that event id; reload your data."))
    return Resync(reason="too_old", message=(
        "You missed more events than the server keeps; reload your data."))


def requested_last_event_id(auth: Any) -> tuple[bool, str | None]:
    """Whether the client asked for catch-up, and the id it sent (``None`` if unusable)."""
    if not isinstance(auth, dict) or auth.get("last_event_id") is None:
        return False, None
    value = auth["last_event_id"]
    return True, value if isinstance(value, str) else None
