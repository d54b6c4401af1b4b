"""The transactional outbox: an event that mirrors saved data commits with that data.

A service that changes data adds the change's event to the ``outbox`` table in the same
transaction (:meth:`Outbox.add`), and publishes it once the transaction has committed
(:meth:`Outbox.deliver`), deleting the row when the event is in the user's stream. A crash
between the commit and the publish, or a publish that fails (Redis down), leaves the row:
the sweep (:meth:`Outbox.sweep`, every :data:`SWEEP_SECONDS`) publishes rows older than
:data:`GRACE_SECONDS` that belong to this process or to a process that is gone, oldest
first. So an event can be late, never lost; it is published twice only when a process dies
after publishing and before deleting the row.

A row is taken over by conditionally writing the taker's process id into it; only one
process wins it, and if the taker dies in turn, the next one takes it from that process.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from taskpulse.db.models import OutboxEvent
from taskpulse.db.run_writes import Told, add_to_outbox, delete_from_outbox
from taskpulse.delivery.publishing import EventSink
from taskpulse.protocol.events import EVENTS_BY_NAME, StreamEvent

log = logging.getLogger(__name__)

GRACE_SECONDS = 5.0      # a row older than this was not delivered by its process
SWEEP_SECONDS = 2.0
SWEEP_BATCH = 200

# The process ids among those given that are gone (their rows may be taken over).
DeadProcesses = Callable[[set[str]], Awaitable[set[str]]]


@dataclass(frozen=True)
class Pending:
    """An event added to the outbox, to deliver after its transaction commits."""
    row_id: int
    user_id: str
    event: StreamEvent


def told(event: StreamEvent) -> Told:
    """``event`` as an outbox row's name and payload (for writes that add their own rows,
    ``db/run_writes.py``)."""
    return Told(event.name, event.model_dump(mode="json"))


class Outbox:
    def __init__(self, sink: EventSink, process_id: str, dead: DeadProcesses) -> None:
        self.sink = sink
        self.process_id = process_id
        self.dead = dead
        self._delivering: set[int] = set()      # row ids this process is publishing
        self._deleting: set[asyncio.Task[None]] = set()

    async def add(self, user_id: str, event: StreamEvent) -> Pending:
        """Call inside the transaction that saves the change ``event`` mirrors."""
        row_id = await add_to_outbox(user_id, self.process_id, told(event))
        return Pending(row_id, str(user_id), event)

    @staticmethod
    def pending(row_ids: list[int], user_id: str, events: list[StreamEvent]
                ) -> list[Pending]:
        """The rows a write added for ``events`` (the first ``len(row_ids)`` of them)."""
        return [Pending(row_id, str(user_id), event)
                for row_id, event in zip(row_ids, events)]

    async def deliver(self, pending: Iterable[Pending]) -> None:
        """Publish committed events, in order; shielded from the caller's cancellation (a
        stopped run must not keep a saved change's event waiting for the sweep)."""
        await asyncio.shield(self._deliver(list(pending)))

    async def _deliver(self, pending: list[Pending]) -> None:
        """Publish in order until one fails (the sweep retries the rest, in order). The
        published rows are deleted in one statement that the caller does not wait for: a
        crash before it commits publishes them again, as a crash before an awaited delete
        would."""
        published: list[int] = []
        self._delivering.update(item.row_id for item in pending)
        try:
            for item in pending:
                if await self.sink.publish(item.user_id, item.event) is None:
                    break
                published.append(item.row_id)
        finally:
            self._delivering.difference_update(
                item.row_id for item in pending[len(published):])
        if published:
            deleting = asyncio.create_task(self._delete(published))
            self._deleting.add(deleting)
            deleting.add_done_callback(self._deleting.discard)

    async def _delete(self, row_ids: list[int]) -> None:
        try:
            await delete_from_outbox(row_ids)
        except Exception as exc:        # the database is away: the sweep publishes again
            log.warning("could not delete %d published outbox row(s): %s: %s",
                        len(row_ids), type(exc).__name__, exc)
        finally:
            self._delivering.difference_update(row_ids)

    async def settle(self) -> None:
        """Wait for the deletes of published rows still under way (before the database
        closes at shutdown: a row left behind would be published again at the next
        start)."""
        while self._deleting:
            await asyncio.gather(*self._deleting, return_exceptions=True)

    async def sweep(self) -> int:
        """Publish what was left undelivered; returns how many rows were published."""
        before = datetime.now(timezone.utc) - timedelta(seconds=GRACE_SECONDS)
        rows = await OutboxEvent.filter(created_at__lt=before).order_by("id").limit(
            SWEEP_BATCH).values("id", "user_id", "process_id", "name", "payload")
        others = {r["process_id"] for r in rows if r["process_id"] != self.process_id}
        gone = await self.dead(others) if others else set()
        published = 0
        for row in rows:
            owner = row["process_id"]
            if row["id"] in self._delivering or (owner != self.process_id
                                                 and owner not in gone):
                continue
            if owner != self.process_id and not await self._take(row["id"], owner):
                continue
            event = EVENTS_BY_NAME[row["name"]].model_validate(row["payload"])
            assert isinstance(event, StreamEvent)    # only stream events are added
            if await self.sink.publish(str(row["user_id"]), event) is None:
                break
            await delete_from_outbox([row["id"]])
            published += 1
        if published:
            log.warning("published %d event(s) left in the outbox", published)
        return published

    async def keep_sweeping(self) -> None:
        """Sweep every :data:`SWEEP_SECONDS` until cancelled (a failing sweep, say the
        database is down, is logged once and retried)."""
        failing = False
        while True:
            try:
                await self.sweep()
                failing = False
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not failing:
                    log.warning("outbox sweep failed (retrying): %s: %s",
                                type(exc).__name__, exc)
                failing = True
            await asyncio.sleep(SWEEP_SECONDS)

    async def _take(self, row_id: int, owner: str) -> bool:
        return bool(await OutboxEvent.filter(id=row_id, process_id=owner).update(
            process_id=self.process_id))
