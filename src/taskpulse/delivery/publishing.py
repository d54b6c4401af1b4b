"""What the services and the agent publish through: a one-method sink and a run emitter.

Events are model instances from the call to the wire: :class:`RunEmitter` builds the
event model from its fields (a field that does not fit fails at the call) and the sink
takes the instance. The sink's implementation, which appends to the event log and
emits to the user's connections, is wired in by the Socket.IO adapter (``web.socket``).
Publishing never blocks or fails the work that produced it: errors are logged and
swallowed there.
"""
from __future__ import annotations

from typing import Any, Protocol, TypeVar

from taskpulse.delivery.event_log import LoggedEvent
from taskpulse.protocol.events import RunEvent, StreamEvent

E = TypeVar("E", bound=RunEvent)


class EventSink(Protocol):
    async def publish(self, user_id: str, event: StreamEvent) -> LoggedEvent | None:
        """Append ``event`` to the user's stream and deliver it to every connection of
        the user; ``None`` when it could not be published."""


class Emitter(Protocol):
    """What the agent gets: one method."""

    async def emit(self, event_type: type[RunEvent], **fields: Any) -> None: ...


class RunEmitter:
    """Builds each event of one run with its envelope (``run_id``, ``conversation_id``,
    ``seq``) and publishes it."""

    def __init__(self, sink: EventSink, user_id: str, run_id: str, conversation_id: str,
                 seq: int = 0) -> None:
        self._sink = sink
        self.user_id = user_id
        self.run_id = run_id
        self.conversation_id = conversation_id
        self.seq = seq

    def build(self, event_type: type[E], **fields: Any) -> E:
        """The next event of the run (``seq`` + 1); raises ``ValidationError`` when the
        fields do not fit ``event_type``."""
        event = event_type(run_id=self.run_id, conversation_id=self.conversation_id,
                           seq=self.seq + 1, **fields)
        self.seq += 1
        return event

    async def emit(self, event_type: type[RunEvent], **fields: Any) -> None:
        await self._sink.publish(self.user_id, self.build(event_type, **fields))
