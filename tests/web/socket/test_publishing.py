"""The in-process publisher (web/socket/publishing.py)."""
from __future__ import annotations

import gc

import pytest
import socketio
from pydantic import ValidationError

from taskpulse.delivery.event_log import MemoryEventLog
from taskpulse.protocol.events import TaskCreated
from taskpulse.web.socket.publishing import Publisher


async def test_the_publisher_keeps_no_lock_for_users_it_is_not_publishing_to():
    publisher = Publisher(socketio.AsyncServer(async_mode="aiohttp"), MemoryEventLog())
    task = {"id": "t", "title": "a", "description": "", "due_date": None, "priority": "low",
            "completed": False, "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z"}
    for n in range(200):
        assert await publisher.publish(f"user-{n}", TaskCreated(task=task))
    gc.collect()
    assert len(publisher.user_lock) == 0


async def test_an_event_that_does_not_fit_its_model_fails_at_the_call():
    with pytest.raises(ValidationError):
        TaskCreated(task={"id": "t", "title": "no other field"})   # type: ignore[arg-type]
