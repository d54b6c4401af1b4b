"""Every event the server emits on /chat, in every test, must match its schema.

``event_schema_guard`` (autouse, imported by ``tests/conftest.py``) wraps
``socketio.AsyncServer.emit`` and the namespace's client-event dispatch: each emitted event
is validated (through its JSON form, as a client sees it) against the model of that name
in ``taskpulse.protocol.events``, each ack against the event's ack model or ``ErrorAck``.
A violation fails the test that caused it, at teardown, with the event and the reason.
"""
from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import socketio
from pydantic import BaseModel, ValidationError

from taskpulse.delivery import json_codec as codec
from taskpulse.protocol.events import EVENTS_BY_NAME, NAMESPACE
from taskpulse.protocol.requests import CLIENT_EVENTS_BY_NAME, ErrorAck
from taskpulse.web.socket.namespace import ChatNamespace

_EMIT_SIGNATURE = inspect.signature(socketio.AsyncServer.emit)


class EventGuard:
    def __init__(self) -> None:
        self.violations: list[str] = []
        self.seen: Counter[str] = Counter()

    def _validate(self, what: str, models: tuple[type[BaseModel], ...], data: Any) -> None:
        try:
            text = codec.dumps(data)
        except TypeError as exc:
            self.violations.append(f"{what}: not JSON-serialisable ({exc})")
            return
        errors = []
        for model in models:
            try:
                model.model_validate_json(text)
                return
            except ValidationError as exc:
                errors.append(f"{model.__name__}: {exc}")
        self.violations.append(f"{what} {text[:300]}\n" + "\n".join(errors))

    def check_emit(self, event: Any, data: Any, namespace: str | None) -> None:
        if namespace != NAMESPACE:
            self.violations.append(f"event {event!r} emitted outside {NAMESPACE}: {namespace}")
            return
        model = EVENTS_BY_NAME.get(event)
        if model is None:
            self.violations.append(f"event {event!r} is not defined in events.py")
            return
        self.seen[event] += 1
        self._validate(f"event {event!r}", (model,), data)

    def check_ack(self, event: Any, ack: Any) -> None:
        model = CLIENT_EVENTS_BY_NAME.get(event) if isinstance(event, str) else None
        models: tuple[type[BaseModel], ...] = (model.ack, ErrorAck) if model else (ErrorAck,)
        self.seen[f"ack:{event}"] += 1
        self._validate(f"ack of {event!r}", models, ack)


@pytest.fixture(autouse=True)
def event_schema_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[EventGuard]:
    guard = EventGuard()
    original_emit = socketio.AsyncServer.emit
    original_dispatch = ChatNamespace._client_event

    async def emit(self: socketio.AsyncServer, *args: Any, **kwargs: Any) -> Any:
        bound = _EMIT_SIGNATURE.bind(self, *args, **kwargs)
        bound.apply_defaults()
        guard.check_emit(bound.arguments["event"], bound.arguments["data"],
                         bound.arguments["namespace"])
        return await original_emit(self, *args, **kwargs)

    async def dispatch(self: ChatNamespace, event: Any, sid: str,
                       args: tuple[Any, ...]) -> Any:
        ack = await original_dispatch(self, event, sid, args)
        guard.check_ack(event, ack)
        return ack

    monkeypatch.setattr(socketio.AsyncServer, "emit", emit)
    monkeypatch.setattr(ChatNamespace, "_client_event", dispatch)
    yield guard
    if guard.violations:
        pytest.fail("events that do not match docs/asyncapi.yaml / events.py:\n"
                    + "\n\n".join(guard.violations), pytrace=False)
