"""Agent runs across processes (``redis_url`` set): who owns a run, and how to reach it.

A run is executed by the process that started it (``Run.process_id``). Every process:

* beats: ``<prefix>:process:<process id>`` is set every ``process_heartbeat_seconds`` and
  expires after two beats, so a dead process's key is gone shortly after it died (a key
  must stay gone 1.5 beats before its runs are claimed: ``confirm_dead``);
* listens on ``<prefix>:cancel:<process id>``: a cancel sent from a tab on any process is
  relayed there and the owner stops the run as if it were local;
* sweeps: ``running`` runs whose owner has no heartbeat are claimed by whichever process
  looks first (a conditional update: one winner) and end with ``agent_error``
  ``interrupted`` on every tab (``liveness``);
* takes ``<prefix>:lock:start:<user id>`` while starting a run, so the chat limits and the
  one-run-per-conversation rule (checked against the shared database) hold across processes.

The agent sees this through :class:`~taskpulse.agent.api.RunPeers`; this module sees the
agent through :class:`LocalRuns`.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from taskpulse.agent.api import ChatError
from taskpulse.agent.heartbeat_watch import HeartbeatWatch
from taskpulse.agent.orphaned_runs import dead_owners, interrupt_orphaned_runs
from taskpulse.db.models import Run
from taskpulse.delivery.outbox import Outbox
from taskpulse.delivery.redis_log import RedisEventLog
from taskpulse.outages import dependency_down
from taskpulse.processes import gone_here
from taskpulse.tasks.service import parse_uuid

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

START_LOCK_SECONDS = 15.0        # longest a start may hold the lock (a safety net)
BEAT_TTL_BEATS = 2               # a heartbeat key lives this many beats
STOP_WAIT_SECONDS = 10.0


class LocalRuns(Protocol):
    """What the coordinator asks of this process's agent service."""
    process_id: str

    async def cancel(self, user_id: str, run_id: str) -> bool: ...


class RunCoordinator:
    def __init__(self, redis: "Redis", prefix: str, agent: LocalRuns, outbox: Outbox,
                 event_log: RedisEventLog, heartbeat_seconds: float) -> None:
        self.redis = redis
        self.prefix = prefix
        self.agent = agent
        self.outbox = outbox
        self.event_log = event_log
        self.interval = heartbeat_seconds
        self._runs_watch = HeartbeatWatch(heartbeat_seconds)
        self._outbox_watch = HeartbeatWatch(heartbeat_seconds)
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def process_id(self) -> str:
        return self.agent.process_id

    def beat_key(self, process_id: str) -> str:
        return f"{self.prefix}:process:{process_id}"

    def cancel_channel(self, process_id: str) -> str:
        return f"{self.prefix}:cancel:{process_id}"

    # ---- RunPeers -------------------------------------------------------------------

    @asynccontextmanager
    async def start_lock(self, user_id: str) -> AsyncIterator[None]:
        lock = self.redis.lock(f"{self.prefix}:lock:start:{user_id}",
                               timeout=START_LOCK_SECONDS, sleep=0.02, blocking_timeout=10)
        if not await lock.acquire():
            raise ChatError(503, "unavailable", "The server is busy; try again shortly.")
        try:
            yield
        finally:
            try:
                await lock.release()
            except Exception:   # expired meanwhile: nothing to release
                log.warning("start lock of user %s had expired", user_id)

    async def _running_elsewhere(self, **filters: Any) -> Run | None:
        run = await Run.filter(status="running", **filters).first()
        if run is None or not run.process_id or run.process_id == self.process_id:
            return None
        return run

    async def cancel(self, user_id: str, run_id: str) -> bool:
        rid = parse_uuid(run_id)
        run = await self._running_elsewhere(id=rid, owner_id=user_id) if rid else None
        if run is None:
            return False
        message = orjson.dumps({"user_id": str(user_id), "run_id": str(run.id)})
        receivers = await self.redis.publish(self.cancel_channel(run.process_id), message)
        if not receivers:
            log.info("run %s: its process %s is gone", run.id, run.process_id)
        return bool(receivers)

    async def stop_conversation(self, user_id: str, conversation_id: str) -> None:
        cid = parse_uuid(conversation_id)
        run = await self._running_elsewhere(conversation_id=cid, owner_id=user_id) if cid \
            else None
        if run is None or not await self.cancel(user_id, str(run.id)):
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STOP_WAIT_SECONDS
        while loop.time() < deadline and await Run.filter(id=run.id, status="running").exists():
            await asyncio.sleep(0.1)

    # ---- the background work ----------------------------------------------------------

    async def beat(self) -> None:
        """Say this process is alive."""
        await self.redis.set(self.beat_key(self.process_id), "1",
                             px=int(self.interval * BEAT_TTL_BEATS * 1000))

    async def sweep(self) -> int:
        return await interrupt_orphaned_runs(self.redis, self.beat_key, self.outbox,
                                             self.event_log, self.confirm_dead)

    def confirm_dead(self, missing: set[str], now: float | None = None) -> set[str]:
        """The owners of running runs among ``missing`` (no heartbeat key now) that are
        dead (``heartbeat_watch``)."""
        return self._runs_watch.confirm(missing, now)

    async def gone(self, process_ids: set[str]) -> set[str]:
        """The owners of outbox rows among ``process_ids`` that are gone: a process of this
        host that is not running, or one whose heartbeat stayed missing (its own watch)."""
        here = {p for p in process_ids if gone_here(p)}
        missing = await dead_owners(self.redis, self.beat_key, sorted(process_ids - here))
        return here | self._outbox_watch.confirm(missing)

    async def _every_beat(self, what: str, work: Any) -> None:
        failing = False
        while True:
            try:
                await work()
                if failing:
                    log.info("%s works again", what)
                failing = False
            except asyncio.CancelledError:
                raise
            except Exception as exc:   # Redis or the database away: try again next beat
                which = dependency_down(exc)
                if which is None:
                    log.exception("%s failed", what)
                elif not failing:
                    log.warning("%s failed: %s unavailable; retrying every beat", what, which)
                failing = True
            await asyncio.sleep(self.interval)

    async def _relay_cancels(self) -> None:
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.cancel_channel(self.process_id))
                async for message in pubsub.listen():
                    await self._cancel_here(message.get("data"))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("listening for cancels failed; retrying")
                await asyncio.sleep(self.interval)
            finally:
                await asyncio.shield(pubsub.aclose())

    async def _cancel_here(self, data: Any) -> None:
        try:
            request = orjson.loads(data)
            user_id, run_id = str(request["user_id"]), str(request["run_id"])
        except (ValueError, TypeError, KeyError):
            log.warning("ignored a malformed cancel request")
            return
        cancelled = await self.agent.cancel(user_id, run_id)
        log.info("cancel of run %s relayed here: %s", run_id, cancelled)

    async def start(self) -> None:
        """Beat once (before serving), then keep beating, sweeping and listening."""
        await self.beat()
        self._tasks = [asyncio.create_task(self._every_beat("heartbeat", self.beat)),
                       asyncio.create_task(self._every_beat("run sweep", self.sweep)),
                       asyncio.create_task(self._relay_cancels())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        try:
            await self.redis.delete(self.beat_key(self.process_id))
        except Exception:
            log.exception("could not remove the heartbeat")
