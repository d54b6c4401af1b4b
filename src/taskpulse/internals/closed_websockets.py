"""A closed WebSocket is freed by reference counting, without waiting for a full collection.

When a client goes away, aiohttp's ``WebSocketResponse`` ends its ``receive`` with the
end-of-stream error, tries to send its close frame, and keeps the error of that send as
the response's ``exception()`` (public). That error's traceback, and the traceback of the
end-of-stream error it was raised while handling, hold the frames of the response's own
``receive`` and ``close`` and of its writer, whose locals hold the response: a reference
cycle through the whole connection (the transport, the request handler, the request, the
writer, the reader's queue: ~49 objects). Reference counting cannot free a cycle; the
cyclic collector frees it only when it walks the generation the connection is in, and a
long-lived connection is in the oldest one, walked by full collections alone.

:func:`drop_tracebacks` removes the tracebacks of a finished connection's errors (the
errors themselves stay, with their messages). Called by the WebSocket adapter of
``fast_fanout`` once its handler has returned. Only public Python and aiohttp
(``exception()``) are used.
"""
from __future__ import annotations


def drop_tracebacks(error: BaseException | None) -> int:
    """Clear the traceback of ``error`` and of every error it was raised from or while
    handling; returns how many were cleared."""
    cleared = 0
    pending = [error]
    seen: set[int] = set()
    while pending:
        exc = pending.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        if exc.__traceback__ is not None:
            exc.__traceback__ = None
            cleared += 1
        pending += (exc.__cause__, exc.__context__)
    return cleared
