"""The stream envelope, built in one place.

Every event of a user's stream carries ``id`` (given by the event log when it is
appended) and ``ts`` (server time); a run's events also carry ``run_id``,
``conversation_id`` and ``seq`` (see :class:`~taskpulse.delivery.publishing.RunEmitter`).
"""
from __future__ import annotations

from typing import Any

from taskpulse.protocol.events import StreamEvent
from taskpulse.protocol.timestamps import now_iso


def sealed(event: StreamEvent) -> dict[str, Any]:
    """The event's wire payload, stamped with the server time; ``id`` is left empty for
    the event log to fill in."""
    payload = event.model_dump(mode="json")
    payload["id"] = ""
    payload["ts"] = now_iso()
    return payload
