"""Concurrent calls of one Redis script, sent together: one script call for many.

On this kind of machine a socket system call costs tens of microseconds, more than the
rest of a Redis round trip; under load (many users' events at once) sending each append in
its own round trip would spend most of the publish cost there. A call is not sent at once:
a sender task takes every call made until it runs - the calls of the same turn of the event
loop (for instance every publisher woken by the results of the previous batch) and those
made while a batch is in flight - and sends them as ONE call of the script's batch form
(``many``: the calls' keys one after another, their arguments likewise, one result per
call). Each caller still awaits its own result. Calls run in the order they were made,
in a batch and from one batch to the next, so a caller keeps its order whether it awaits
each append before making the next or makes several at once.

The sender is a task of its own, so a caller that is cancelled never cancels the others'
calls (its own result is then dropped: the call may still have run).
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redis.commands.core import AsyncScript

Call = tuple[list[Any], list[Any], "asyncio.Future[Any]"]


class ScriptBatcher:
    def __init__(self, script: "AsyncScript", many: "AsyncScript", head: list[Any] | None = None,
                 max_batch: int = 256) -> None:
        self.script = script
        self.many = many
        self.head = head or []    # arguments before the calls' own, for ``many``
        self.max_batch = max_batch
        self._pending: list[Call] = []
        self._sender: asyncio.Task[None] | None = None   # sending batches
        self.batches = 0          # for measurements
        self.calls = 0

    async def __call__(self, keys: list[Any], args: list[Any]) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((keys, args, future))
        if self._sender is None:
            # Its first step runs after the callbacks already due in this turn: the calls
            # they make go in the same batch.
            self._sender = loop.create_task(self._send())
        return await future

    async def _send(self) -> None:
        try:
            while self._pending:
                batch = self._pending[:self.max_batch]
                del self._pending[:self.max_batch]
                try:
                    await self._run(batch)
                except BaseException as exc:   # the connection failed: every caller hears
                    for _, _, future in batch:
                        if not future.done():
                            future.set_exception(exc if isinstance(exc, Exception)
                                                 else ConnectionError("cancelled"))
                    if not isinstance(exc, Exception):
                        raise
        finally:
            self._sender = None
            if self._pending:     # cancelled with calls waiting: they fail too
                waiting, self._pending = self._pending, []
                for _, _, future in waiting:
                    if not future.done():
                        future.set_exception(ConnectionError("cancelled"))

    async def _run(self, batch: list[Call]) -> None:
        self.batches += 1
        self.calls += len(batch)
        if len(batch) == 1:       # the plain script is enough
            keys, args, future = batch[0]
            _settle(future, await self.script(keys=keys, args=args))
            return
        results = await self.many(keys=[k for keys, _, _ in batch for k in keys],
                                  args=[*self.head, *(a for _, args, _ in batch for a in args)])
        for (_, _, future), result in zip(batch, results):
            _settle(future, result)


def _settle(future: "asyncio.Future[Any]", result: Any) -> None:
    if future.done():         # the caller gave up waiting
        return
    if isinstance(result, Exception):
        future.set_exception(result)
    else:
        future.set_result(result)
