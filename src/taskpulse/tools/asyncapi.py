"""Generate ``docs/asyncapi.yaml`` (AsyncAPI 3.0) from the models in ``events``.

    python -m taskpulse.tools.asyncapi > docs/asyncapi.yaml      (or: make asyncapi)

The document describes the server: it *sends* the server -> client events and *receives*
the client events (whose Socket.IO acks are the operations' replies). Payload schemas come
from the pydantic models, examples from ``examples``; a test fails when the committed file
differs from this output.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from taskpulse.protocol import events as ev
from taskpulse.protocol import requests as rq
from taskpulse.protocol import examples
from taskpulse.web.credentials import COOKIE_NAME

REF = "#/components/schemas/{model}"
CHANNEL = "chat"
HEADER = ("# Generated from src/taskpulse/protocol/events.py by "
          "`python -m taskpulse.tools.asyncapi` (make asyncapi). Do not edit by hand.\n")

DESCRIPTION = f"""\
Taskpulse pushes everything that happens to a user's tasks and agent runs to every tab and
device the user has open, over Socket.IO (protocol v5, Engine.IO v4) on the namespace
`{ev.NAMESPACE}`, by WebSocket or HTTP long-polling. Connect with the official Socket.IO
client and an `auth` payload `{{token, last_event_id}}`. The server puts each connection in
its user's room; clients cannot join rooms or send to other users.

Events of the user's stream carry `id` (ordered; send the last one you saw back as
`last_event_id` when reconnecting to receive everything you missed, in order) and `ts`.
Agent run events add `run_id`, `conversation_id` and `seq` (1, 2, 3... within the run).
Connection notices (`connection_established`, `transport_upgraded`, `resync`,
`token_expired`) carry no `id`.
Client events are answered through the Socket.IO acknowledgement: the documented reply, or
`{{error: {{code, message}}}}`. See docs/realtime.md."""

AUTH_NOTE = """\
The JWT from `POST /api/auth/login` (or `/signup`, `/refresh`). The server takes the first it
finds of: the Socket.IO `auth` payload `{token}` (preferred, all SDKs), an
`Authorization: Bearer` header, a `token` query parameter, the session cookie."""


def _schemas() -> tuple[dict[Any, Any], dict[str, Any]]:
    models: list[type[BaseModel]] = [*ev.SERVER_EVENTS, *rq.CLIENT_EVENTS,
                                     *(c.ack for c in rq.CLIENT_EVENTS),
                                     rq.ErrorAck, rq.ConnectAuth, rq.ConnectRefused]
    refs, top = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    return refs, top["$defs"]


def _message(name: str, title: str, summary: str, payload: dict[str, Any],
             example: BaseModel, description: str | None = None) -> dict[str, Any]:
    msg: dict[str, Any] = {"name": name, "title": title, "summary": summary,
                           "contentType": "application/json", "payload": payload}
    if description:
        msg["description"] = description
    msg["examples"] = [{"name": name, "payload": example.model_dump(mode="json")}]
    return msg


def _ref(where: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/{where}/{name}"}


Schema = Callable[[type[BaseModel]], dict[str, Any]]


def _operation(action: str, summary: str, name: str) -> dict[str, Any]:
    return {"action": action, "channel": _ref("channels", CHANNEL), "summary": summary,
            "messages": [_ref(f"channels/{CHANNEL}/messages", name)]}


def _server_events(schema: Schema, messages: dict[str, Any],
                   operations: dict[str, Any]) -> None:
    for event in ev.SERVER_EVENTS:
        kind = "run event" if event.run else "stream event" if event.stream else "notice"
        messages[event.name] = _message(event.name, f"{event.name} ({kind})", event.summary,
                                        schema(event), examples.SERVER[event.name])
        operations[event.name] = _operation("send", event.summary, event.name)


def _client_events(schema: Schema, messages: dict[str, Any],
                   operations: dict[str, Any]) -> None:
    messages["error_ack"] = _message(
        "error_ack", "Error acknowledgement", "The ack of any refused client event.",
        schema(rq.ErrorAck), examples.ERROR_ACK,
        "codes: unknown_event, invalid_payload, rate_limited (with retry_after), "
        "agent_unavailable, internal, and the agent's own (e.g. rate_limited, run_in_progress).")
    for client_event in rq.CLIENT_EVENTS:
        request, reply = examples.CLIENT[client_event.name]
        ack_name = f"{client_event.name}_ack"
        messages[client_event.name] = _message(
            client_event.name, f"{client_event.name} (client -> server)",
            client_event.summary, schema(client_event), request,
            "Emit with an acknowledgement callback to receive the reply.")
        messages[ack_name] = _message(ack_name, f"{client_event.name} acknowledgement",
                                      f"The ack of {client_event.name}.",
                                      schema(client_event.ack), reply)
        operations[client_event.name] = {
            **_operation("receive", client_event.summary, client_event.name),
            "reply": {"channel": _ref("channels", CHANNEL), "messages": [
                _ref(f"channels/{CHANNEL}/messages", ack_name),
                _ref(f"channels/{CHANNEL}/messages", "error_ack")]}}
    messages["connect_error"] = _message(
        "connect_error", "Connection refused", "Sent instead of connecting when "
        "authentication fails: show the message and stop retrying (token_expired: refresh "
        "or log in again).", schema(rq.ConnectRefused), examples.CONNECT_REFUSED,
        "A Socket.IO CONNECT_ERROR packet, not a named event. JS: err.message, err.data.")
    operations["connect_error"] = _operation(
        "send", "Refuse a connection; data.code says why.", "connect_error")


def _servers() -> dict[str, Any]:
    return {
        "websocket": {"host": "localhost:8080", "pathname": "/socket.io/",
                      "protocol": "ws", "protocolVersion": "13",
                      "description": "Socket.IO v5 over WebSocket (wss:// behind TLS).",
                      "security": _security()},
        "polling": {"host": "localhost:8080", "pathname": "/socket.io/",
                    "protocol": "http",
                    "description": "Socket.IO v5 over HTTP long-polling (https:// behind "
                                   "TLS), for networks that block WebSockets.",
                    "security": _security()}}


def _security_schemes() -> dict[str, Any]:
    return {
        "authPayload": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                        "description": "Preferred. " + AUTH_NOTE},
        "bearerHeader": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                         "description": "Authorization: Bearer <token> on the "
                                        "handshake (clients that can set headers)."},
        "tokenQuery": {"type": "httpApiKey", "name": "token", "in": "query",
                       "description": "Legacy clients: ?token=<token>."},
        "sessionCookie": {"type": "httpApiKey", "name": COOKIE_NAME, "in": "cookie",
                          "description": "Only from this site's own pages (Origin "
                                         "checked); refused from other origins."}}


def build() -> dict[str, Any]:
    """The whole AsyncAPI document as plain data."""
    refs, schemas = _schemas()
    messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}

    def schema(model: type[BaseModel]) -> dict[str, Any]:
        return dict(refs[(model, "validation")])

    _server_events(schema, messages, operations)
    _client_events(schema, messages, operations)
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "Taskpulse real-time API", "version": str(ev.PROTOCOL_VERSION),
                 "description": DESCRIPTION},
        "defaultContentType": "application/json",
        "servers": _servers(),
        "channels": {CHANNEL: {
            "address": ev.NAMESPACE, "title": "The chat namespace",
            "description": "One connection per tab or device. The server joins it to the "
                           "room user:<id> of the authenticated user; nothing else.",
            "messages": {name: _ref("components/messages", name) for name in messages},
            "x-socketio-auth": {"payload": schema(rq.ConnectAuth),
                                "example": examples.CONNECT_AUTH.model_dump(mode="json")}}},
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages,
                       "securitySchemes": _security_schemes()},
    }


def _security() -> list[dict[str, str]]:
    return [_ref("components/securitySchemes", name)
            for name in ("authPayload", "bearerHeader", "tokenQuery", "sessionCookie")]


def render() -> str:
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML comes with the test extras
        raise SystemExit("PyYAML is needed: pip install -e '.[test]'") from None

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    body = yaml.dump(build(), Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)
    return HEADER + body


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
