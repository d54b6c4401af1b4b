"""Which failures mean a dependency is down (503 ``unavailable``), not a bug (500).

A request that fails because PostgreSQL or Redis cannot be reached answers 503 with
``Retry-After``, and a socket event is refused with an ``unavailable`` ack: the client
should try again shortly, and nothing is wrong with what it sent.
"""
from __future__ import annotations

import asyncio
from collections.abc import Iterator

RETRY_AFTER_SECONDS = 5


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _redis_down(exc: BaseException) -> bool:
    try:
        from redis import exceptions as redis_errors
    except ImportError:      # the redis extra is not installed: it cannot be Redis
        return False
    return isinstance(exc, (redis_errors.ConnectionError, redis_errors.TimeoutError))


def _database_down(exc: BaseException) -> bool:
    from tortoise.exceptions import DBConnectionError
    if isinstance(exc, (DBConnectionError, ConnectionError, asyncio.TimeoutError)):
        return True
    try:
        import asyncpg
    except ImportError:
        return False
    if isinstance(exc, asyncpg.exceptions.ObjectNotInPrerequisiteStateError):
        return "accepting connections" in str(exc)    # ALLOW_CONNECTIONS false
    # InternalClientError: a pooled connection the server ended mid-operation (e.g. by
    # pg_terminate_backend) is left "in progress" and refuses the next query.
    return isinstance(exc, (asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
                            asyncpg.InternalClientError,
                            asyncpg.exceptions.OperatorInterventionError,
                            asyncpg.exceptions.InsufficientResourcesError))


def dependency_down(exc: BaseException) -> str | None:
    """``"redis"`` or ``"database"`` when ``exc`` (or what caused it) says that dependency
    cannot be reached; None for anything else."""
    chain = list(_chain(exc))
    if any(_redis_down(e) for e in chain):
        return "redis"
    if any(_database_down(e) for e in chain):
        return "database"
    return None


def unavailable_message(which: str) -> str:
    name = "The database" if which == "database" else "The event service (Redis)"
    return f"{name} is not reachable right now; try again in a few seconds."
