"""Who may open a live connection: a user whose account still exists, with fewer than
``sio_max_connections_per_user`` connections open on this process.

The account check (a token outlives a deleted account; the socket must not) goes through
:class:`~taskpulse.auth.account_checks.AccountChecks`: connections arriving together are
checked in one query, and a user's tabs share one answer; a connection is never answered
by a remembered one. The count is per process: with several processes behind a balancer,
a user may hold up to the limit on each.
"""
from __future__ import annotations

import logging

from taskpulse.auth.account_checks import AccountChecks
from taskpulse.outages import dependency_down, unavailable_message

log = logging.getLogger(__name__)


class Refused(Exception):
    """A connection refused; ``code`` and ``message`` go to the client's connect_error."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class UserConnections:
    """The open connections of each user on this process, and the cap on them."""

    def __init__(self, limit: int, accounts: AccountChecks | None = None) -> None:
        self.limit = limit
        self.accounts = accounts or AccountChecks()
        self._user_of: dict[str, str] = {}      # sid -> user id
        self._count: dict[str, int] = {}        # user id -> connections open

    def open_for(self, user_id: str) -> int:
        return self._count.get(user_id, 0)

    async def admit(self, sid: str, user_id: str) -> None:
        """Count ``sid`` as one of the user's connections, or raise :class:`Refused`."""
        try:
            exists = await self.accounts.exists(user_id)
        except Exception as exc:
            which = dependency_down(exc)
            if which is None:
                raise
            raise Refused("unavailable", unavailable_message(which)) from None
        if not exists:
            raise Refused("unauthorized", "This account no longer exists.")
        if sid in self._user_of:
            return
        count = self._count.get(user_id, 0)
        if count >= self.limit:
            log.info("user %s has %d connections open; refusing another", user_id, count)
            raise Refused("too_many_connections",
                          f"You have {count} live connections open, the most one account "
                          "may have; close a tab or an app, then connect again.")
        self._count[user_id] = count + 1
        self._user_of[sid] = user_id

    def release(self, sid: str) -> None:
        """``sid`` is gone (no-op for a connection that was never admitted)."""
        user_id = self._user_of.pop(sid, None)
        if user_id is None:
            return
        count = self._count.get(user_id, 1) - 1
        if count > 0:
            self._count[user_id] = count
        else:
            self._count.pop(user_id, None)
