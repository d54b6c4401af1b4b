"""One ``asyncio.Lock`` per user, alive only while someone holds or awaits it."""
from __future__ import annotations

import asyncio
import weakref


class UserLocks:
    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary())

    def __call__(self, user_id: str) -> asyncio.Lock:
        lock = self._locks.get(user_id)
        if lock is None:
            lock = self._locks[user_id] = asyncio.Lock()
        return lock

    def __len__(self) -> int:
        return len(self._locks)
